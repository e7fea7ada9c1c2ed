"""Reads behind /me/activity/: a user's calls and spending per day, model and key, and their credit ledger.

Every figure is aggregated by PostgreSQL (GROUP BY day, model or key) over the user's history rows in the
period, through the index that leads with the user and the time (user_history_user_ts_idx), so the page
reads a fixed number of queries whatever the user's history holds. Days are UTC days, as on the dashboard.
Spending is what the calls cost (user_history.cost_incurred): the price of each call the upstream
answered, as charged in the credit ledger.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import CreditLedgerEntry, User, UserApiKey
from activity.gateway.auth import PLAYGROUND_KEY_LABEL
from activity.models import UserHistory
from catalog.models import AIModel
from core.replicas import read_connection

PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30
LEDGER_PAGE_SIZE = 25
ZERO = Decimal("0")


def utc_today() -> dt.date:
    return timezone.now().astimezone(dt.UTC).date()


def period_days(days: int, *, today: dt.date | None = None) -> list[dt.date]:
    """The `days` UTC days that end today, oldest first."""
    last = today or utc_today()
    return [last - dt.timedelta(days=offset) for offset in range(days - 1, -1, -1)]


def period_start(days: list[dt.date]) -> dt.datetime:
    return dt.datetime.combine(days[0], dt.time.min, tzinfo=dt.UTC)


def history_in_period(*, user: User, since: dt.datetime) -> QuerySet[UserHistory]:
    return UserHistory.objects.for_user(user).filter(request_timestamp__gte=since)


@dataclass(frozen=True)
class DayUsage:
    day: dt.date
    calls: int
    spent: Decimal


def daily_usage(*, user: User, days: list[dt.date]) -> list[DayUsage]:
    """Calls and spending per UTC day of `days`, a day without calls as zero: one GROUP BY day."""
    rows = (
        history_in_period(user=user, since=period_start(days))
        .annotate(day=TruncDate("request_timestamp", tzinfo=dt.UTC))
        .values("day")
        .annotate(calls=Count("pk"), spent=Sum("cost_incurred"))
        .order_by()
    )
    by_day = {row["day"]: row for row in rows}
    return [
        DayUsage(
            day=day,
            calls=by_day[day]["calls"] if day in by_day else 0,
            spent=by_day[day]["spent"] if day in by_day else ZERO,
        )
        for day in days
    ]


@dataclass(frozen=True)
class UsageShare:
    """One row of a breakdown table: what it is, its calls and spending, and its share of the period's."""

    label: str
    detail: str
    calls: int
    spent: Decimal
    calls_share: float | None
    spent_share: float | None


def _shares(rows: list[tuple[str, str, int, Decimal]]) -> list[UsageShare]:
    total_calls = sum(row[2] for row in rows)
    total_spent = sum((row[3] for row in rows), start=ZERO)
    return [
        UsageShare(
            label=label,
            detail=detail,
            calls=calls,
            spent=spent,
            calls_share=calls / total_calls if total_calls else None,
            spent_share=float(spent / total_spent) if total_spent else None,
        )
        for label, detail, calls, spent in rows
    ]


def usage_by_model(*, user: User, since: dt.datetime) -> list[UsageShare]:
    """Per model the user called since `since`: calls, spending and shares, the biggest spending first."""
    rows = (
        history_in_period(user=user, since=since)
        .values("model_id")
        .annotate(
            calls=Count("pk"),
            spent=Sum("cost_incurred"),
            name=Subquery(AIModel.objects.filter(pk=OuterRef("model_id")).values("display_name")[:1]),
            api_name=Subquery(AIModel.objects.filter(pk=OuterRef("model_id")).values("api_name")[:1]),
        )
        .order_by("-spent", "-calls", "name")
    )
    return _shares([(row["name"], row["api_name"], row["calls"], row["spent"]) for row in rows])


def key_label(key_used: str, name: str | None) -> tuple[str, str]:
    """How a call's key is shown: the key's name and prefix, the playground, or (older calls) unrecorded."""
    if key_used == PLAYGROUND_KEY_LABEL:
        return "Playground", "in the browser"
    if not key_used:
        return "Not recorded", "calls from before keys were noted"
    return (name or "Deleted key"), f"{key_used}…"


def _key_name() -> Subquery:
    """The name of the user's key whose prefix a history row noted (revoked keys included)."""
    keys = UserApiKey.objects.filter(user_id=OuterRef("user_id"), key_prefix=OuterRef("api_key_used"))
    return Subquery(keys.order_by("-created_at").values("name")[:1])


def usage_by_key(*, user: User, since: dt.datetime) -> list[UsageShare]:
    """Per key (personal key, the playground) the user called with since `since`, like usage_by_model."""
    rows = (
        history_in_period(user=user, since=since)
        .values("user_id", "api_key_used")
        .annotate(calls=Count("pk"), spent=Sum("cost_incurred"), key_name=_key_name())
        .order_by("-spent", "-calls", "api_key_used")
    )
    return _shares(
        [(*key_label(row["api_key_used"], row["key_name"]), row["calls"], row["spent"]) for row in rows]
    )


EXPORT_HEADER = ["day", "model", "model_name", "key", "key_name", "calls", "spent"]


def usage_export_rows(*, user: User, days: list[dt.date]) -> list[list]:
    """The CSV export: one row per UTC day × model × key with calls, in the period, oldest day first."""
    rows = (
        history_in_period(user=user, since=period_start(days))
        .annotate(day=TruncDate("request_timestamp", tzinfo=dt.UTC))
        .values("day", "model_id", "user_id", "api_key_used")
        .annotate(
            calls=Count("pk"),
            spent=Sum("cost_incurred"),
            api_name=Subquery(AIModel.objects.filter(pk=OuterRef("model_id")).values("api_name")[:1]),
            name=Subquery(AIModel.objects.filter(pk=OuterRef("model_id")).values("display_name")[:1]),
            key_name=_key_name(),
        )
        .order_by("day", "api_name", "api_key_used")
    )
    return [
        [
            row["day"].isoformat(),
            row["api_name"],
            row["name"],
            row["api_key_used"],
            key_label(row["api_key_used"], row["key_name"])[0],
            row["calls"],
            f"{row['spent']:.4f}",
        ]
        for row in rows
    ]


# The ledger in time order: by created_at, then, within one instant (the entries of one transaction, such as
# a call's release and charge), credits before debits, so no balance along the way dips below zero.
CREDIT_FIRST = Case(When(amount__gt=0, then=Value(0)), default=Value(1), output_field=IntegerField())
BALANCE_AFTER_SQL = """
SELECT u.credit_balance - COALESCE((
    SELECT sum(l.amount) FROM credit_ledger l
    WHERE l.user_id = u.user_id
      AND l.created_at >= %s
      AND (l.created_at, CASE WHEN l.amount > 0 THEN 0 ELSE 1 END, l.entry_id) > (%s, %s, %s::uuid)
), 0)
FROM users u WHERE u.user_id = %s
"""


@dataclass(frozen=True)
class LedgerLine:
    entry: CreditLedgerEntry
    balance_after: Decimal
    model_name: str | None
    history_exists: bool


def ledger_entries(*, user: User) -> QuerySet[CreditLedgerEntry]:
    """The user's ledger, newest first, each entry with its model's name and whether its history entry
    still exists."""
    return (
        CreditLedgerEntry.objects.filter(user=user)
        .alias(credit_first=CREDIT_FIRST)
        .annotate(
            model_name=Subquery(AIModel.objects.filter(pk=OuterRef("model_id")).values("display_name")[:1]),
            history_exists=Exists(
                UserHistory.objects.filter(pk=OuterRef("history_id"), user_id=OuterRef("user_id"))
            ),
        )
        .order_by("-created_at", "-credit_first", "-entry_id")
    )


def balance_after(*, user: User, entry: CreditLedgerEntry) -> Decimal:
    """The user's balance just after `entry`: today's balance less every entry after it, read in one
    statement so the two agree. It reads only the entries newer than `entry`, not the whole ledger."""
    rank = 0 if entry.amount > 0 else 1
    with read_connection().cursor() as cursor:
        cursor.execute(
            BALANCE_AFTER_SQL, [entry.created_at, entry.created_at, rank, str(entry.entry_id), str(user.pk)]
        )
        row = cursor.fetchone()
    return row[0] if row else ZERO


def ledger_page(*, user: User, page_number: str | int | None) -> tuple[Page, list[LedgerLine]]:
    """One page of the ledger (LEDGER_PAGE_SIZE entries), each line with the balance it left: three queries
    (the count, the page, the balance after its newest entry) whatever the ledger's length."""
    paginator = Paginator(ledger_entries(user=user), LEDGER_PAGE_SIZE)
    page = paginator.get_page(page_number)
    entries = list(page.object_list)
    lines: list[LedgerLine] = []
    if entries:
        balance = balance_after(user=user, entry=entries[0])
        for entry in entries:
            lines.append(
                LedgerLine(
                    entry=entry,
                    balance_after=balance,
                    model_name=entry.model_name,  # type: ignore[attr-defined]
                    history_exists=entry.history_exists,  # type: ignore[attr-defined]
                )
            )
            balance -= entry.amount
    return page, lines


def period_totals(days: list[DayUsage]) -> tuple[int, Decimal]:
    return sum(d.calls for d in days), sum((d.spent for d in days), start=ZERO)
