"""activity.gateway.records: every call leaves its rows, and the counters stay exact, under concurrent calls.

Each writer is a thread with its own database connection, released together by a barrier, recording calls
the way the gateway does (one autocommitted statement per call). The calls mix what the gateway writes
on one busy model: model-key calls (a log row), users' calls (a log and a history row, first and later
calls of a user), accepted and refused.
"""

import threading
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from accounts.tests.factories import UserFactory
from activity.gateway.records import Exchange, call_record
from activity.models import ApiUsageLog, ModelDailyStats, ModelUser, UserHistory
from catalog.tests.factories import AIModelFactory

pytestmark = pytest.mark.django_db(transaction=True)

WRITERS = 8
CALLS_EACH = 25
CODES = (200, 200, 429, 200, 502, 200, 401, 504)


def record(*, model, user, code: int, writer: int, call: int) -> None:
    exchange = None
    if user is not None and code in (200, 502, 504):
        exchange = Exchange(
            history_id=uuid.uuid4(),
            session_id=f"writer-{writer}",
            prompt="hello",
            response="hi" if code == 200 else "",
            status="completed" if code == 200 else "failed",
            request_timestamp=timezone.now(),
            response_time_ms=40 + call,
            cost=model.price_per_request if code == 200 else Decimal("0"),
            ip_address="127.0.0.1",
        )
    call_record(
        log_id=uuid.uuid4(),
        model=model,
        user=user,
        developer=None if user else model.developer,
        key_prefix="amp_pk_burst",
        method="POST",
        status_code=code,
        request_size=64,
        response_size=128,
        processing_ms=3 + writer * 11 + call * 13,
        exchange=exchange,
    )


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
                record(
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
        assert sum(s.calls for s in stats) == logs.count()
        assert sum(s.interactions for s in stats) == history.count()
