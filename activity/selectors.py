"""Reads of what users and programs did: activity summaries, recent history, usage figures of a model."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.cache import cache
from django.db.models import Count, Max, Sum
from django.utils import timezone

from accounts.models import User
from activity.models import ModelDailyStats, UserActivitySummary, UserHistory
from activity.rollups import HISTOGRAM_SUM_SQL, merge, percentile_ms
from catalog.models import AIModel
from core.replicas import read_connection

RECENT_HISTORY = 5
RECENT_SESSIONS = 10
STATS_DAYS = 30
TRENDING_CACHE_SECONDS = 60


def activity_summary(user: User) -> UserActivitySummary | None:
    """The user's row of the user_activity_summary view (None when there is nothing to sum)."""
    return UserActivitySummary.objects.filter(user=user).first()


def recent_history(user: User, limit: int = RECENT_HISTORY) -> list[UserHistory]:
    return list(UserHistory.objects.for_user(user).newest_first().select_related("model")[:limit])


# Each model's calls, successes and summed latency histogram over a window of days: one grouped read.
_WINDOW_SQL = f"""
    SELECT model_id, SUM(calls), SUM(successes), {HISTOGRAM_SUM_SQL}
      FROM model_daily_stats
     WHERE model_id = ANY(%s) AND day >= %s
     GROUP BY model_id
"""


def _window_figures(model_ids: list, days: int) -> dict:
    """{model_id: (calls, successes, histogram)} over the last `days` days (UTC), for models with rows."""
    since = timezone.now().date() - timedelta(days=days - 1)
    if not model_ids:
        return {}
    with read_connection().cursor() as cursor:
        cursor.execute(_WINDOW_SQL, [list(model_ids), since])
        return {
            model_id: (int(calls or 0), int(successes or 0), [count or 0 for count in histogram])
            for model_id, calls, successes, histogram in cursor.fetchall()
        }


def model_usage(model: AIModel, days: int = STATS_DAYS) -> dict:
    """Calls, success rate and typical (p50) latency over the last `days` days, from the rollups."""
    calls, successes, histogram = _window_figures([model.pk], days).get(model.pk, (0, 0, []))
    return {
        "days": days,
        "calls": calls,
        "success_rate": round(100 * successes / calls, 1) if calls else None,
        "p50_ms": percentile_ms(histogram, 0.5),
    }


@dataclass(frozen=True, slots=True)
class ModelDay:
    """A day of a model's public figures: forwarded calls, the share answered (percent) and the typical
    (p50) latency; None for both on a day without calls."""

    day: date
    calls: int
    success_rate: float | None
    p50_ms: float | None


def model_daily_usage(model: AIModel, days: int = STATS_DAYS) -> tuple[list[ModelDay], dict]:
    """The model's last `days` days (UTC, today last), one entry per day with or without calls, and the
    figures of the whole period as model_usage gives them. One read of the rollups: only calls forwarded
    to the upstream count, never those the platform refused (model_daily_stats.calls)."""
    today = timezone.now().date()
    first = today - timedelta(days=days - 1)
    with read_connection().cursor() as cursor:
        cursor.execute(
            "SELECT day, calls, successes, latency_buckets FROM model_daily_stats"
            " WHERE model_id = %s AND day >= %s AND day <= %s",
            [model.pk, first, today],
        )
        rows = {
            day: (calls, successes, buckets or []) for day, calls, successes, buckets in cursor.fetchall()
        }
    series = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        calls, successes, buckets = rows.get(day, (0, 0, []))
        series.append(
            ModelDay(
                day=day,
                calls=calls,
                success_rate=round(100 * successes / calls, 1) if calls else None,
                p50_ms=percentile_ms(buckets, 0.5) if calls else None,
            )
        )
    calls = sum(calls for calls, _, _ in rows.values())
    successes = sum(successes for _, successes, _ in rows.values())
    totals = {
        "days": days,
        "calls": calls,
        "success_rate": round(100 * successes / calls, 1) if calls else None,
        "p50_ms": percentile_ms(merge(buckets for _, _, buckets in rows.values()), 0.5),
    }
    return series, totals


def public_stats(model_ids: list, days: int = STATS_DAYS) -> dict:
    """The public figures of each model over the last `days` days, as the API's `stats`: calls forwarded to
    the upstream, the share answered (0–1) and the typical (p50) latency in ms; None without calls. Calls
    the platform refused never count (see activity_forwarded in SQL). One query for any number of models."""
    stats: dict = {
        model_id: {"calls_30d": 0, "success_rate_30d": None, "p50_latency_ms_30d": None}
        for model_id in model_ids
    }
    for model_id, (calls, successes, histogram) in _window_figures(model_ids, days).items():
        if calls:
            stats[model_id] = {
                "calls_30d": calls,
                "success_rate_30d": round(successes / calls, 4),
                "p50_latency_ms_30d": percentile_ms(histogram, 0.5),
            }
    return stats


def _trending_ids(since: date, limit: int) -> list[tuple]:
    """(model_id, successes) of the public models with the most successful calls since `since`: one
    GROUP BY over the week's rollup rows (tens of thousands at scale). A week's ranking moves slowly, so
    it is kept for TRENDING_CACHE_SECONDS; the models themselves are read fresh."""
    key = f"home-trending:{since.isoformat()}"
    recent = cache.get(key)
    if recent is None:
        recent = list(
            ModelDailyStats.objects.filter(day__gte=since, model__in=AIModel.objects.public())
            .values("model_id")
            .annotate(total=Sum("successes"))
            .filter(total__gt=0)
            .order_by("-total", "model_id")
            .values_list("model_id", "total")[:limit]
        )
        cache.set(key, recent, TRENDING_CACHE_SECONDS)
    return recent


def trending_models(*, days: int, limit: int) -> list[AIModel]:
    """The public models with the most successful calls over the last `days` days, each with
    `recent_successes` set; a model unlisted since the ranking was kept drops out."""
    since = timezone.now().date() - timedelta(days=days - 1)
    recent = _trending_ids(since, limit)
    public = AIModel.objects.public().select_related("developer")
    by_id = {model.pk: model for model in public.filter(pk__in=[pk for pk, _ in recent])}
    trending = []
    for pk, total in recent:
        if pk in by_id:
            by_id[pk].recent_successes = total
            trending.append(by_id[pk])
    return trending


RECENT_SCAN_BATCH = 200


def recent_sessions(*, user: User, model: AIModel) -> list[dict]:
    """The user's most recent session ids with this model, newest first, with their exchange counts.

    A heavy user has tens of thousands of exchanges with one model: grouping them all to find ten
    sessions took 85 ms. Instead the newest exchanges are walked (user_history_user_ts_idx) until ten
    distinct sessions appear, then only those sessions are counted (the unique user/session index).
    """
    exchanges = UserHistory.objects.for_user(user).filter(model=model).order_by("-request_timestamp")
    session_ids: list[str] = []
    start = 0
    while len(session_ids) < RECENT_SESSIONS:
        batch = list(exchanges.values_list("session_id", flat=True)[start : start + RECENT_SCAN_BATCH])
        for session_id in batch:
            if session_id not in session_ids:
                session_ids.append(session_id)
                if len(session_ids) == RECENT_SESSIONS:
                    break
        if len(batch) < RECENT_SCAN_BATCH:
            break
        start += RECENT_SCAN_BATCH
    if not session_ids:
        return []
    return list(
        exchanges.filter(session_id__in=session_ids)
        .values("session_id")
        .annotate(last=Max("request_timestamp"), exchanges=Count("history_id"))
        .order_by("-last", "session_id")
    )
