"""Credits, key spending limits, consumer shares and the quota are exact under concurrent calls.

Every call goes through the real gateway (django.test.Client, POST /api/v1/models/<api_name>/invoke) with a
personal key, to a real HTTP upstream that counts what it was sent. Each caller is a thread with its own
database connection, released together by a barrier, so the calls meet in gateway_reserve and
credit_settle as they would from many clients at once; the last test sends them through two web processes
(the Procfile's server, as test_web_server.py starts it).
"""

import io
import json
import threading
import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Sum
from django.test import Client
from django.utils import timezone
from psycopg_pool import PoolTimeout

from accounts import keys
from accounts.models import ApiKeySpend, CreditKind, CreditLedgerEntry, LimitPeriod, User
from accounts.tests.factories import UserApiKeyFactory, UserFactory
from activity.models import ApiUsageLog, DeveloperMonthlyUsage, ModelConsumerUsage, UserHistory
from activity.tests.helpers import invoke, refused_url
from activity.tests.test_web_server import web_server
from catalog.tests.factories import AIModelFactory

pytestmark = pytest.mark.django_db(transaction=True)

PRICE = Decimal("0.0100")
K = 5  # calls a limit allows
N = 24  # calls made at once


def counted(handler, payload):
    """An echo upstream that keeps every request it answers."""
    handler.server.received.append(payload)
    return 200, json.dumps({"response": payload["prompt"]}).encode()


def counted_failure(handler, payload):
    """An upstream that fails every request (500, which the gateway answers 502), keeping them."""
    handler.server.received.append(payload)
    return 500, json.dumps({"error": "failed on purpose"}).encode()


def held(handler, payload):
    """An upstream that answers once the test lets it (server.go), saying when a call arrived (server.arrived)."""
    handler.server.arrived.set()
    handler.server.go.wait(30)
    return 200, json.dumps({"response": payload["prompt"]}).encode()


UPSTREAM_ROUTES = {"/counted": counted, "/counted-failure": counted_failure, "/held": held}


@dataclass(frozen=True)
class Answer:
    status: int
    code: str | None
    headers: dict[str, str]
    body: dict


@pytest.fixture
def priced(dana, upstream):
    """An echo model priced 0.0100 a call, its upstream's record of requests emptied."""
    upstream.received.clear()
    return AIModelFactory(
        developer=dana, api_name="counted", endpoint_url=f"{upstream.url}/counted", price_per_request=PRICE
    )


def personal_key(user: User, **fields) -> str:
    plain = keys.generate_personal_key()
    UserApiKeyFactory(user=user, key=plain, **fields)
    return plain


def call_at_once(api_name: str, keys_by_call: list[str]) -> list[Answer]:
    """One call per key of `keys_by_call`, all released at once, each from its own thread, Client and
    database connection."""
    barrier = threading.Barrier(len(keys_by_call))
    answers: list[Answer] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def caller(index: int, key: str) -> None:
        try:
            client = Client()
            barrier.wait(timeout=60)
            response = invoke(client, api_name, {"prompt": f"call {index}", "session_id": f"s-{index}"}, key)
            body = response.json()
            answer = Answer(
                status=response.status_code,
                code=body.get("error", {}).get("code") if isinstance(body.get("error"), dict) else None,
                headers=dict(response.headers),
                body=body,
            )
            with lock:
                answers.append(answer)
        except BaseException as exc:  # reported in the test's own thread
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=caller, args=(i, key)) for i, key in enumerate(keys_by_call)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert len(answers) == len(keys_by_call)
    return answers


def statuses(answers: list[Answer]) -> dict[tuple[int, str | None], int]:
    counts: dict[tuple[int, str | None], int] = {}
    for answer in answers:
        counts[(answer.status, answer.code)] = counts.get((answer.status, answer.code), 0) + 1
    return counts


def ledger_kinds(user: User) -> dict[str, int]:
    counts: dict[str, int] = {}
    for kind in CreditLedgerEntry.objects.filter(user=user).values_list("kind", flat=True):
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def ledger_sum(user: User) -> Decimal:
    return CreditLedgerEntry.objects.filter(user=user).aggregate(total=Sum("amount"))["total"] or Decimal(0)


def balance(user: User) -> Decimal:
    return User.objects.values_list("credit_balance", flat=True).get(pk=user.pk)


def quota_used(developer) -> int:
    usage = DeveloperMonthlyUsage.objects.filter(developer=developer).first()
    return usage.calls if usage else 0


def test_a_balance_for_k_calls_answers_exactly_k_of_n_concurrent_calls(priced, dana, upstream):
    user = UserFactory(credits=PRICE * K)
    key = personal_key(user)
    quota_before = quota_used(dana)

    answers = call_at_once("counted", [key] * N)

    assert statuses(answers) == {(200, None): K, (402, "insufficient_credits"): N - K}
    assert sorted(a.body["cost"] for a in answers if a.status == 200) == [float(PRICE)] * K
    assert balance(user) == Decimal("0.0000")
    assert ledger_sum(user) == balance(user)
    assert ledger_kinds(user) == {"grant": 1, "reservation": K, "release": K, "charge": K}
    # Every charge and release names the history entry of an answered call.
    answered = {uuid.UUID(a.body["history_id"]) for a in answers if a.status == 200}
    for kind in (CreditKind.RESERVATION, CreditKind.RELEASE, CreditKind.CHARGE):
        named = set(
            CreditLedgerEntry.objects.filter(user=user, kind=kind).values_list("history_id", flat=True)
        )
        assert named == answered, kind
    assert set(UserHistory.objects.filter(user=user).values_list("history_id", flat=True)) == answered
    assert len(upstream.received) == K
    assert quota_used(dana) - quota_before == K
    logged = ApiUsageLog.objects.filter(user=user)
    assert logged.filter(response_code=200).count() == K
    assert logged.filter(response_code=402).count() == N - K


def test_a_keys_spending_limit_for_k_calls_forwards_exactly_k_and_charges_nothing_more(
    priced, dana, upstream
):
    user = UserFactory()  # the welcome grant, far more than the key may spend
    start = balance(user)
    key = personal_key(user, spend_limit=PRICE * K, limit_period=LimitPeriod.DAY)

    answers = call_at_once("counted", [key] * N)

    assert statuses(answers) == {(200, None): K, (402, "key_limit_reached"): N - K}
    refused = [a for a in answers if a.status == 402]
    assert all(int(a.headers["Retry-After"]) > 0 for a in refused)
    assert balance(user) == start - PRICE * K
    assert ledger_sum(user) == balance(user)
    assert ledger_kinds(user) == {"grant": 1, "reservation": K, "release": K, "charge": K}
    assert list(ApiKeySpend.objects.filter(api_key__user=user).values_list("spent", flat=True)) == [PRICE * K]
    assert len(upstream.received) == K
    assert quota_used(dana) == K


def test_a_consumer_share_of_k_calls_forwards_exactly_k_of_one_users_calls(priced, dana, upstream, bob):
    priced.consumer_monthly_limit = K
    priced.save()
    user = UserFactory()
    start = balance(user)
    key = personal_key(user)

    answers = call_at_once("counted", [key] * N)

    assert statuses(answers) == {(200, None): K, (429, "consumer_limit_reached"): N - K}
    assert all(int(a.headers["Retry-After"]) > 0 for a in answers if a.status == 429)
    assert quota_used(dana) == K
    assert ModelConsumerUsage.objects.get(model=priced, user=user).calls == K
    assert len(upstream.received) == K
    assert balance(user) == start - PRICE * K
    assert ledger_kinds(user) == {"grant": 1, "reservation": K, "release": K, "charge": K}

    other = invoke(Client(), "counted", {"prompt": "another user"}, personal_key(bob))

    assert other.status_code == 200
    assert quota_used(dana) == K + 1
    assert ModelConsumerUsage.objects.get(model=priced, user=bob).calls == 1


def test_several_users_at_once_each_get_exactly_their_balances_calls(priced, dana, upstream):
    """Three users of one model, each with a balance for a different number of calls, all at once."""
    allowances = (1, 3, 4)
    users = [UserFactory(credits=PRICE * allowance) for allowance in allowances]
    user_keys = [personal_key(user) for user in users]

    answers = call_at_once("counted", [user_keys[i % 3] for i in range(N)])

    assert statuses(answers) == {
        (200, None): sum(allowances),
        (402, "insufficient_credits"): N - sum(allowances),
    }
    for user, allowance in zip(users, allowances, strict=True):
        assert balance(user) == Decimal("0.0000")
        assert ledger_kinds(user) == {
            "grant": 1,
            "reservation": allowance,
            "release": allowance,
            "charge": allowance,
        }
    assert len(upstream.received) == sum(allowances)
    assert quota_used(dana) == sum(allowances)


@pytest.mark.parametrize(
    ("route", "code"), [("/counted-failure", "upstream_error"), (None, "upstream_unreachable")]
)
def test_an_upstream_failure_releases_the_reservation_and_charges_nothing(
    priced, dana, upstream, route, code
):
    priced.endpoint_url = f"{upstream.url}{route}" if route else refused_url()
    priced.save()
    user = UserFactory()
    start = balance(user)
    key = personal_key(user, spend_limit=PRICE * K, limit_period=LimitPeriod.DAY)

    response = invoke(Client(), "counted", {"prompt": "fail me"}, key)

    assert response.status_code == 502
    assert response.json()["error"]["code"] == code
    assert balance(user) == start
    assert ledger_sum(user) == balance(user)
    history = UserHistory.objects.get(user=user)
    assert history.cost_incurred == Decimal("0.0000")
    entries = sorted(
        CreditLedgerEntry.objects.filter(user=user, history_id=history.pk).values_list("kind", "amount")
    )
    assert entries == [("release", PRICE), ("reservation", -PRICE)]
    assert list(ApiKeySpend.objects.filter(api_key__user=user).values_list("spent", flat=True)) == [
        Decimal(0)
    ]
    assert quota_used(dana) == 1  # forwarded: it counts whatever the upstream answered
    assert len(upstream.received) == (1 if route else 0)


def test_concurrent_failed_calls_leave_the_balance_and_the_keys_spending_whole(priced, dana, upstream):
    """A balance for K calls, N calls at once to an upstream that fails them all: whichever were forwarded,
    every hold is released, nothing is charged and the key has spent nothing."""
    priced.endpoint_url = f"{upstream.url}/counted-failure"
    priced.save()
    user = UserFactory(credits=PRICE * K)
    key = personal_key(user, spend_limit=PRICE * K, limit_period=LimitPeriod.DAY)

    answers = call_at_once("counted", [key] * N)

    counts = statuses(answers)
    forwarded = counts.get((502, "upstream_error"), 0)
    assert set(counts) <= {(502, "upstream_error"), (402, "insufficient_credits"), (402, "key_limit_reached")}
    assert forwarded >= K
    assert balance(user) == PRICE * K
    assert ledger_sum(user) == balance(user)
    assert ledger_kinds(user) == {"grant": 1, "reservation": forwarded, "release": forwarded}
    assert list(ApiKeySpend.objects.filter(api_key__user=user).values_list("spent", flat=True)) == [
        Decimal(0)
    ]
    assert len(upstream.received) == forwarded
    assert quota_used(dana) == forwarded


def test_an_expired_key_is_refused_with_nothing_reserved(priced, dana, upstream):
    user = UserFactory()
    start = balance(user)
    key = personal_key(user, expires_at=timezone.now() - timedelta(minutes=1))

    response = invoke(Client(), "counted", {"prompt": "too late"}, key)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "key_expired"
    assert balance(user) == start
    assert ledger_kinds(user) == {"grant": 1}
    assert quota_used(dana) == 0
    assert upstream.received == []
    assert ApiUsageLog.objects.get(model=priced).response_code == 401


def test_a_model_keys_calls_cost_nothing_and_write_no_ledger_entry(dana, upstream, model_key):
    upstream.received.clear()
    AIModelFactory(
        developer=dana,
        api_name="counted",
        endpoint_url=f"{upstream.url}/counted",
        price_per_request=PRICE,
        key=model_key,
    )
    owner_balance = balance(dana.user)
    entries_before = CreditLedgerEntry.objects.count()

    answers = call_at_once("counted", [model_key] * 8)

    assert statuses(answers) == {(200, None): 8}
    assert [a.body["cost"] for a in answers] == [0] * 8
    assert CreditLedgerEntry.objects.count() == entries_before
    assert balance(dana.user) == owner_balance
    assert len(upstream.received) == 8
    assert quota_used(dana) == 8


def test_a_key_limit_above_the_balance_gives_back_the_spending_of_calls_refused_for_credits(
    priced, dana, upstream
):
    """The key's spending is reserved before the credits: a call refused for credits takes it back."""
    user = UserFactory(credits=PRICE * K)
    key = personal_key(user, spend_limit=PRICE * 2 * K, limit_period=LimitPeriod.MONTH)

    answers = call_at_once("counted", [key] * N)

    assert statuses(answers) == {(200, None): K, (402, "insufficient_credits"): N - K}
    assert list(ApiKeySpend.objects.filter(api_key__user=user).values_list("spent", flat=True)) == [PRICE * K]
    assert balance(user) == Decimal("0.0000") == ledger_sum(user)
    assert quota_used(dana) == K


def test_a_spent_quota_refuses_after_the_credits_and_holds_none_of_them(priced, dana, upstream):
    """The developer's quota is reserved last: a call it refuses gives back its credits and key spending."""
    dana.api_quota = K
    dana.save()
    user = UserFactory()
    start = balance(user)
    key = personal_key(user, spend_limit=PRICE * N, limit_period=LimitPeriod.WEEK)

    answers = call_at_once("counted", [key] * N)

    assert statuses(answers) == {(200, None): K, (429, "quota_exceeded"): N - K}
    assert all(a.headers["X-RateLimit-Remaining"] == "0" for a in answers if a.status == 429)
    assert balance(user) == start - PRICE * K == ledger_sum(user)
    assert ledger_kinds(user) == {"grant": 1, "reservation": K, "release": K, "charge": K}
    assert list(ApiKeySpend.objects.filter(api_key__user=user).values_list("spent", flat=True)) == [PRICE * K]
    assert len(upstream.received) == K
    assert quota_used(dana) == K


def test_calls_through_two_web_processes_spend_exactly_the_balance(priced, dana, upstream, tmp_path):
    user = UserFactory(credits=PRICE * K)
    key = personal_key(user)
    body = json.dumps({"prompt": "from afar"})
    barrier = threading.Barrier(N)
    answers: list[tuple[int, str | None]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    with web_server(tmp_path, WEB_CONCURRENCY="2") as server:

        def caller() -> None:
            conn = server.connection(timeout=60)
            try:
                barrier.wait(timeout=60)
                conn.request(
                    "POST",
                    "/api/v1/models/counted/invoke",
                    body=body,
                    headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
                )
                response = conn.getresponse()
                payload = json.loads(response.read())
                with lock:
                    answers.append((response.status, (payload.get("error") or {}).get("code")))
            except BaseException as exc:  # reported in the test's own thread
                with lock:
                    errors.append(exc)
            finally:
                conn.close()

        threads = [threading.Thread(target=caller) for _ in range(N)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

    assert errors == []
    counts: dict[tuple[int, str | None], int] = {}
    for answer in answers:
        counts[answer] = counts.get(answer, 0) + 1
    assert counts == {(200, None): K, (402, "insufficient_credits"): N - K}
    assert balance(user) == Decimal("0.0000") == ledger_sum(user)
    assert ledger_kinds(user) == {"grant": 1, "reservation": K, "release": K, "charge": K}
    assert len(upstream.received) == K
    assert quota_used(dana) == K
    assert ApiUsageLog.objects.filter(user=user).count() == N


def test_a_call_whose_records_cannot_be_written_leaves_no_credits_held(priced, dana, upstream):
    """The upstream answers while every database connection of the process is taken (the pool is spent
    for longer than DB_POOL_TIMEOUT): the call cannot be recorded and its caller is told 503 service_busy.
    Its reservation must not stay held for ever: release_stale_holds releases it (run here with no wait
    instead of CREDIT_HOLD_MAX_SECONDS), once, and a call whose caller got no answer costs nothing."""
    upstream.arrived, upstream.go = threading.Event(), threading.Event()
    priced.endpoint_url = f"{upstream.url}/held"
    priced.save()
    user = UserFactory(credits="1.0000")
    start = balance(user)
    key = personal_key(user)
    result: dict = {}

    def call() -> None:
        try:
            result["response"] = invoke(Client(), "counted", {"prompt": "answered too late"}, key)
        finally:
            connection.close()

    connection.close()  # this thread's connection back to the pool, to be taken below with the others
    pool = connection.pool
    sizes, timeout = (pool.min_size, pool.max_size), pool.timeout
    taken = []
    thread = threading.Thread(target=call)
    thread.start()
    try:
        assert upstream.arrived.wait(20)  # reserved, forwarded, and its connection given back meanwhile
        pool.resize(1, 1)
        pool.timeout = 0.5
        while True:
            try:
                taken.append(pool.getconn(timeout=0.3))
            except PoolTimeout:
                break
        upstream.go.set()
        thread.join(30)
    finally:
        upstream.go.set()
        for conn in taken:
            pool.putconn(conn)
        pool.timeout = timeout
        pool.resize(*sizes)

    assert result["response"].status_code == 503
    assert result["response"].json()["error"]["code"] == "service_busy"
    assert balance(user) == start - Decimal("0.0100")  # held: its records could not be written

    call_command("release_stale_holds", "--older-than", "0", stdout=io.StringIO())
    out = io.StringIO()
    call_command("release_stale_holds", "--older-than", "0", stdout=out)
    assert out.getvalue().strip() == "Released 0 stale holds."  # each hold is released once
    held_for = set(
        CreditLedgerEntry.objects.filter(user=user, kind=CreditKind.RESERVATION).values_list(
            "history_id", flat=True
        )
    )
    released = set(
        CreditLedgerEntry.objects.filter(user=user, kind=CreditKind.RELEASE).values_list(
            "history_id", flat=True
        )
    )
    assert len(held_for) == 1
    assert balance(user) == ledger_sum(user)
    assert held_for == released, "a reservation is held with no release"
    assert balance(user) == start
