"""Refused calls move no public figure of a model.

A model with forwarded history (slow answers and upstream failures, so its latency and success rate are
not those a refusal would bring) takes 100 calls the platform refuses before forwarding: bad bodies,
missing, malformed and unknown keys, a suspended account, the model deprecated, an oversize prompt, its
developer's quota spent, a user with no credits. Its page, models.total_requests, the trending ranking and
the API's `stats` read the same afterwards; only the developer dashboard's refused count grows, by 100.
"""

import re
from collections import Counter
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.cache import caches

from accounts import keys
from accounts.models import UserStatus
from accounts.tests.factories import UserApiKeyFactory, UserFactory
from activity.models import ApiUsageLog, DeveloperMonthlyUsage
from activity.selectors import model_usage, trending_models
from activity.tests.helpers import invoke
from catalog.models import AIModel, ModelStatus
from catalog.tests.factories import AIModelFactory
from dashboard.selectors import period_figures

pytestmark = pytest.mark.django_db

SLOW_SECONDS = 0.2  # forwarded calls take this long, far more than any refusal
ANSWERED = 6
FAILED = 2
REFUSALS_EACH = 10
EXPECTED_REFUSALS = Counter(
    {
        (400, "invalid_json"): REFUSALS_EACH,
        (400, "invalid_request"): REFUSALS_EACH,
        (401, "missing_key"): REFUSALS_EACH,
        (401, "invalid_key"): 2 * REFUSALS_EACH,  # a malformed key and an unknown one
        (403, "account_suspended"): REFUSALS_EACH,
        (410, "model_deprecated"): REFUSALS_EACH,
        (413, "prompt_too_large"): REFUSALS_EACH,
        (429, "quota_exceeded"): REFUSALS_EACH,
        (402, "insufficient_credits"): REFUSALS_EACH,
    }
)


def personal_key(user) -> str:
    plain = keys.generate_personal_key()
    UserApiKeyFactory(user=user, key=plain)
    return plain


@pytest.fixture
def honest(dana, eve, upstream, client, settings):
    """`honest` (dana's), with ANSWERED slow answers and FAILED upstream failures this month, and `rival`
    (eve's), with one answer more, so the trending ranking has an order to keep."""
    settings.GATEWAY_MAX_PROMPT_CHARS = 200
    model = AIModelFactory(
        developer=dana,
        api_name="honest",
        endpoint_url=f"{upstream.url}/slow",
        price_per_request=Decimal("0.0100"),
    )
    AIModelFactory(developer=eve, api_name="rival", endpoint_url=f"{upstream.url}/echo")
    caller = personal_key(UserFactory())
    for n in range(ANSWERED):
        response = invoke(
            client, "honest", {"prompt": f"answer {n}", "parameters": {"seconds": SLOW_SECONDS}}, caller
        )
        assert response.status_code == 200, response.content
    AIModel.objects.filter(pk=model.pk).update(endpoint_url=f"{upstream.url}/fail")
    for n in range(FAILED):
        assert invoke(client, "honest", {"prompt": f"fail {n}"}, caller).status_code == 502
    AIModel.objects.filter(pk=model.pk).update(endpoint_url=f"{upstream.url}/slow")
    for n in range(ANSWERED + 1):
        assert invoke(client, "rival", {"prompt": f"rival {n}"}, caller).status_code == 200
    model.refresh_from_db()
    assert model.total_requests == ANSWERED
    return model


def refuse_100(client, model: AIModel) -> Counter:
    """100 calls of `model` the platform refuses, each kind REFUSALS_EACH times; their (status, code)."""
    seen: Counter = Counter()
    good_key = personal_key(UserFactory())
    suspended_key = personal_key(UserFactory(status=UserStatus.SUSPENDED))
    broke_key = personal_key(UserFactory(credits=0))

    def call(body, key=None) -> None:
        response = invoke(client, model.api_name, body, key)
        seen[(response.status_code, response.json()["error"]["code"])] += 1

    for n in range(REFUSALS_EACH):
        call('{"prompt": "unfinished', good_key)
        call({"parameters": {"n": n}}, good_key)  # no prompt
        call({"prompt": "no key"})
        call({"prompt": "garbage"}, "garbage-not-a-key")
        call({"prompt": "unknown"}, keys.generate_personal_key())
        call({"prompt": "suspended"}, suspended_key)
        call({"prompt": "x" * 201}, good_key)
        call({"prompt": "no credits"}, broke_key)

    AIModel.objects.filter(pk=model.pk).update(status=ModelStatus.DEPRECATED)
    for _ in range(REFUSALS_EACH):
        call({"prompt": "deprecated"}, good_key)
    AIModel.objects.filter(pk=model.pk).update(status=ModelStatus.ACTIVE)

    developer = model.developer
    quota = developer.api_quota
    developer.api_quota = DeveloperMonthlyUsage.objects.get(developer=developer).calls
    developer.save(update_fields=["api_quota"])
    for _ in range(REFUSALS_EACH):
        call({"prompt": "quota"}, good_key)
    developer.api_quota = quota
    developer.save(update_fields=["api_quota"])
    return seen


def clear_caches() -> None:
    """What the site keeps for a while (the trending ranking, figures) is read afresh: a kept figure that
    did not move would prove nothing."""
    for cache in caches.all():
        cache.clear()


def _cells(html: str) -> dict[str, str]:
    return {
        name: re.sub(r"<[^>]+>|\s+", " ", value).strip()
        for name, value in re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", html, re.S)
    }


def page_figures(client, model: AIModel) -> dict[str, str]:
    """The figures of the model page: its Overview's at-a-glance list and note, its Stats tab's strip."""
    html = client.get(f"/models/{model.api_name}/").content.decode()
    glance = re.search(r'<dl class="glance">(.*?)</dl>', html, re.S)
    note = re.search(r'<p class="usage-note[^"]*">(.*?)</p>', html, re.S)
    stats = re.search(
        r'<dl class="stat-strip[^"]*">(.*?)</dl>',
        client.get(f"/models/{model.api_name}/stats/").content.decode(),
        re.S,
    )
    assert glance and note and stats
    cells = _cells(glance.group(1)) | {
        f"stats {name}": value for name, value in _cells(stats.group(1)).items()
    }
    cells["note"] = " ".join(note.group(1).split())
    return cells


def ranking() -> list[tuple[str, int]]:
    return [(model.api_name, model.recent_successes) for model in trending_models(days=7, limit=10)]


def test_refused_calls_leave_the_model_page_total_requests_and_trending_as_they_were(client, honest):
    page_before = page_figures(client, honest)
    usage_before = model_usage(honest)
    ranking_before = ranking()
    logs_before = ApiUsageLog.objects.filter(model=honest).count()

    seen = refuse_100(client, honest)
    clear_caches()

    assert seen == EXPECTED_REFUSALS
    assert sum(seen.values()) == 100
    assert ApiUsageLog.objects.filter(model=honest).count() == logs_before + 100
    honest.refresh_from_db()
    assert honest.total_requests == ANSWERED
    assert usage_before["calls"] == ANSWERED + FAILED
    assert usage_before["success_rate"] == 75.0
    assert usage_before["p50_ms"] >= SLOW_SECONDS * 1000 * 0.8
    assert model_usage(honest) == usage_before
    assert page_before["Requests"] == str(ANSWERED)
    assert page_before["Success rate"] == "75.0%"
    assert (page_before["stats Calls"], page_before["stats Success rate"]) == (
        str(ANSWERED + FAILED),
        "75.0 %",
    )
    assert page_before["note"].endswith(f"from {ANSWERED + FAILED} calls.")
    assert page_figures(client, honest) == page_before
    assert ranking_before == [("rival", ANSWERED + 1), ("honest", ANSWERED)]
    assert ranking() == ranking_before


def api_stats(client, model: AIModel) -> tuple[dict, dict]:
    listed = client.get("/api/v1/models")
    single = client.get(f"/api/v1/models/{model.api_name}")
    assert listed.status_code == single.status_code == 200
    entry = next(entry for entry in listed.json()["data"] if entry["id"] == model.api_name)
    return entry["stats"], single.json()["stats"]


def test_refused_calls_leave_the_apis_stats_as_they_were(client, honest):
    listed_before, single_before = api_stats(client, honest)

    seen = refuse_100(client, honest)
    clear_caches()

    assert sum(seen.values()) == 100
    assert listed_before == single_before
    assert listed_before["calls_30d"] == ANSWERED + FAILED
    assert listed_before["success_rate_30d"] == 0.75
    assert listed_before["p50_latency_ms_30d"] >= SLOW_SECONDS * 1000 * 0.8
    assert api_stats(client, honest) == (listed_before, single_before)


def test_the_developer_dashboard_counts_the_refused_calls_apart(client, honest):
    today = [datetime.now(UTC).date()]
    _, (before,) = period_figures(models=[honest], days=today)

    refuse_100(client, honest)

    _, (after,) = period_figures(models=[honest], days=today)
    assert (before.calls, before.successes, before.errors) == (ANSWERED + FAILED, ANSWERED, FAILED)
    assert after.refused == before.refused + 100
    assert (after.calls, after.successes, after.errors, after.processing_ms, after.revenue) == (
        before.calls,
        before.successes,
        before.errors,
        before.processing_ms,
        before.revenue,
    )
