"""activity.gateway.records: every call leaves its rows, and the counters stay exact, under concurrent calls.

Each writer is a thread with its own database connection, released together by a barrier, recording calls
the way the gateway does (one autocommitted statement per call). The calls mix what the gateway writes
on one busy model: model-key calls (a log row), users' calls (a log and a history row, first and later
calls of a user), accepted and refused.
"""

import threading
from decimal import Decimal

import pytest
from django.db import connection

from accounts.tests.factories import UserFactory
from activity.models import ApiUsageLog, ModelDailyStats, ModelUser, UserHistory
from activity.tests.helpers import record_burst_call
from catalog.tests.factories import AIModelFactory

pytestmark = pytest.mark.django_db(transaction=True)

WRITERS = 8
CALLS_EACH = 25
CODES = (200, 200, 429, 200, 502, 200, 401, 504)


def test_concurrent_calls_on_one_model_never_deadlock_and_every_counter_is_exact():
    models = [AIModelFactory(price_per_request=Decimal("0.0150")) for _ in range(2)]
    users = UserFactory.create_batch(4)
    barrier = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def writer(index: int) -> None:
        try:
            connection.ensure_connection()
            barrier.wait(timeout=60)
            for call in range(CALLS_EACH):
                record_burst_call(
                    model=models[(index + call) % len(models)],
                    user=users[call % len(users)] if call % 3 else None,
                    code=CODES[(index * 7 + call) % len(CODES)],
                    writer=index,
                    call=call,
                )
        except BaseException as error:  # reported below, in the test's own thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(index,)) for index in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert ApiUsageLog.objects.count() == WRITERS * CALLS_EACH
    for model in models:
        model.refresh_from_db()
        logs = ApiUsageLog.objects.filter(model=model)
        history = UserHistory.objects.filter(model=model)
        stats = ModelDailyStats.objects.filter(model=model)
        assert model.total_requests == logs.filter(response_code=200).count()
        assert model.total_users == history.values("user").distinct().count()
        assert model.total_users == ModelUser.objects.filter(model=model).count()
        forwarded = logs.filter(response_code__in=[200, 502, 504]).count()
        assert sum(s.calls for s in stats) == forwarded
        assert sum(s.refused for s in stats) == logs.count() - forwarded
        assert sum(s.interactions for s in stats) == history.count()
