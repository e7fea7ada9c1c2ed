"""activity.gateway.quota: the monthly reservation on developer_monthly_usage."""

import threading
from datetime import UTC, date, datetime

import pytest
from django.db import connection

from activity.gateway.errors import GatewayError
from activity.gateway.quota import month_start, next_month_start, quota_reserve, quota_state
from activity.models import DeveloperMonthlyUsage


def test_months_are_calendar_months_in_utc():
    assert month_start(datetime(2026, 3, 31, 23, 59, tzinfo=UTC)) == date(2026, 3, 1)
    assert next_month_start(datetime(2026, 3, 31, 23, 59, tzinfo=UTC)) == datetime(2026, 4, 1, tzinfo=UTC)
    assert next_month_start(datetime(2026, 12, 15, tzinfo=UTC)) == datetime(2027, 1, 1, tzinfo=UTC)
    assert next_month_start(datetime(2028, 2, 29, 12, tzinfo=UTC)) == datetime(2028, 3, 1, tzinfo=UTC)


def test_it_reserves_calls_until_the_quota_and_then_refuses(dana):
    dana.api_quota = 3

    used = [quota_reserve(developer=dana).used for _ in range(3)]
    with pytest.raises(GatewayError) as refused:
        quota_reserve(developer=dana)

    assert used == [1, 2, 3]
    assert refused.value.status == 429
    assert refused.value.code == "quota_exceeded"
    assert refused.value.headers["X-RateLimit-Remaining"] == "0"
    assert int(refused.value.headers["Retry-After"]) > 0
    assert DeveloperMonthlyUsage.objects.get(developer=dana).calls == 3


def test_each_month_has_its_own_count(dana):
    dana.api_quota = 1
    quota_reserve(developer=dana, now=datetime(2026, 1, 31, 23, 59, tzinfo=UTC))

    state = quota_reserve(developer=dana, now=datetime(2026, 2, 1, 0, 0, tzinfo=UTC))

    assert state.used == 1
    assert state.reset == datetime(2026, 3, 1, tzinfo=UTC)
    assert sorted(DeveloperMonthlyUsage.objects.values_list("month", "calls")) == [
        (date(2026, 1, 1), 1),
        (date(2026, 2, 1), 1),
    ]


def test_a_lowered_quota_refuses_at_once(dana):
    dana.api_quota = 5
    for _ in range(4):
        quota_reserve(developer=dana)
    dana.api_quota = 2

    with pytest.raises(GatewayError):
        quota_reserve(developer=dana)
    assert quota_state(developer=dana).remaining == 0


def test_developers_do_not_share_a_count(dana, eve):
    dana.api_quota = eve.api_quota = 1
    quota_reserve(developer=dana)

    assert quota_reserve(developer=eve).used == 1


def test_reading_the_state_reserves_nothing(dana):
    dana.api_quota = 10
    quota_reserve(developer=dana)

    state = quota_state(developer=dana)

    assert (state.limit, state.used, state.remaining) == (10, 1, 9)
    assert DeveloperMonthlyUsage.objects.get().calls == 1
    assert state.headers() == {
        "X-RateLimit-Limit": "10",
        "X-RateLimit-Remaining": "9",
        "X-RateLimit-Reset": str(state.reset_epoch),
    }


@pytest.mark.django_db(transaction=True)
def test_parallel_reservations_on_separate_connections_stop_exactly_at_the_quota(dana):
    dana.api_quota = 25
    dana.save()
    start = threading.Barrier(40)
    outcomes: list[bool] = []
    lock = threading.Lock()

    def reserve():
        try:
            start.wait()
            try:
                quota_reserve(developer=dana)
                ok = True
            except GatewayError:
                ok = False
            with lock:
                outcomes.append(ok)
        finally:
            connection.close()

    threads = [threading.Thread(target=reserve) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count(True) == 25
    assert outcomes.count(False) == 15
    assert DeveloperMonthlyUsage.objects.get(developer=dana).calls == 25
