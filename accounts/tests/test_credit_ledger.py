"""credit_ledger and users.credit_balance: the rules the database keeps, whoever writes (the ORM, plain SQL).

The ledger is append-only; each entry moves its user's balance, which never goes below zero and which
nothing else moves (a stale save(), an UPDATE by hand, an INSERT of a user); each kind has its sign; and
the balance is exactly the sum of the entries however many writers add them at once.
"""

import threading
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Sum

from accounts.models import CreditKind, CreditLedgerEntry, User
from accounts.services.credits import credits_add
from accounts.tests.factories import UserFactory
from core.constraints import violated_constraint

pytestmark = pytest.mark.django_db


def balance(user: User) -> Decimal:
    return User.objects.values_list("credit_balance", flat=True).get(pk=user.pk)


def ledger_sum(user: User) -> Decimal:
    return CreditLedgerEntry.objects.filter(user=user).aggregate(total=Sum("amount"))["total"] or Decimal(0)


def entries(user: User) -> list[tuple]:
    return sorted(
        CreditLedgerEntry.objects.filter(user=user).values_list("entry_id", "amount", "kind", "note")
    )


def sql(statement: str, params: list | None = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])
        return cursor.rowcount


def refused(statement_or_call, params: list | None = None) -> IntegrityError:
    """Run a write that the database must refuse, in a savepoint; the IntegrityError it raised."""
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        if callable(statement_or_call):
            statement_or_call()
        else:
            sql(statement_or_call, params)
    return caught.value


# --- append-only -----------------------------------------------------------------------------------------


def test_an_entry_cannot_be_changed_by_the_orm_or_by_sql():
    user = UserFactory(credits="10.0000")
    entry = CreditLedgerEntry.objects.get(user=user)
    before = entries(user)

    def save_changed():
        entry.amount = Decimal("1000.0000")
        entry.save()

    errors = [
        refused(save_changed),
        refused(lambda: CreditLedgerEntry.objects.filter(pk=entry.pk).update(note="edited")),
        refused("UPDATE credit_ledger SET amount = 1000 WHERE entry_id = %s", [entry.pk]),
        refused("UPDATE credit_ledger SET note = note WHERE user_id = %s", [user.pk]),
    ]

    assert all("append-only" in str(error) for error in errors)
    assert entries(user) == before
    assert balance(user) == Decimal("10.0000")


def test_an_entry_cannot_be_deleted_by_the_orm_or_by_sql_while_its_user_exists():
    user = UserFactory(credits="10.0000")
    credits_add(user=user, amount=Decimal("-2.5000"), kind=CreditKind.ADJUSTMENT, note="correction")
    entry = CreditLedgerEntry.objects.filter(user=user, kind=CreditKind.ADJUSTMENT).get()
    before = entries(user)

    errors = [
        refused(entry.delete),
        refused(lambda: CreditLedgerEntry.objects.filter(user=user).delete()),
        refused("DELETE FROM credit_ledger WHERE entry_id = %s", [entry.pk]),
        refused("DELETE FROM credit_ledger WHERE user_id = %s", [user.pk]),
    ]

    assert all("append-only" in str(error) for error in errors)
    assert entries(user) == before
    assert balance(user) == Decimal("7.5000") == ledger_sum(user)


def test_deleting_a_user_by_sql_removes_their_entries_and_no_one_elses():
    user, other = UserFactory(credits="3.0000"), UserFactory(credits="4.0000")
    credits_add(user=user, amount=Decimal("1.0000"), kind=CreditKind.TOP_UP)
    kept = entries(other)

    assert sql("DELETE FROM users WHERE user_id = %s", [user.pk]) == 1

    assert not CreditLedgerEntry.objects.filter(user_id=user.pk).exists()
    assert entries(other) == kept
    assert balance(other) == Decimal("4.0000")


def test_deleting_a_user_by_the_orm_removes_their_entries_and_no_one_elses():
    user, other = UserFactory(credits="3.0000"), UserFactory(credits="4.0000")
    credits_add(user=user, amount=Decimal("-1.0000"), kind=CreditKind.ADJUSTMENT)
    user_id = user.pk
    kept = entries(other)

    user.delete()

    assert not User.objects.filter(pk=user_id).exists()
    assert not CreditLedgerEntry.objects.filter(user_id=user_id).exists()
    assert entries(other) == kept


# --- never below zero ------------------------------------------------------------------------------------


def test_an_entry_that_would_take_the_balance_below_zero_is_refused_and_nothing_changes():
    user = UserFactory(credits="1.0000")
    before = entries(user)

    with pytest.raises(ValidationError) as by_service:
        credits_add(user=user, amount=Decimal("-1.0001"), kind=CreditKind.ADJUSTMENT)
    by_orm = refused(
        lambda: CreditLedgerEntry.objects.create(user=user, amount=Decimal("-1.0001"), kind=CreditKind.CHARGE)
    )
    by_sql = refused(
        "INSERT INTO credit_ledger (user_id, amount, kind) VALUES (%s, -5, 'reservation')", [user.pk]
    )

    assert by_service.value.code == "negative_balance"
    assert violated_constraint(by_orm) == violated_constraint(by_sql) == "users_credit_balance_non_negative"
    assert entries(user) == before
    assert balance(user) == Decimal("1.0000")
    # Down to exactly zero is allowed.
    credits_add(user=user, amount=Decimal("-1.0000"), kind=CreditKind.ADJUSTMENT)
    assert balance(user) == Decimal("0.0000") == ledger_sum(user)


# --- only the ledger moves the balance -------------------------------------------------------------------


def test_a_stale_save_of_a_user_keeps_the_balance_the_ledger_left():
    user = UserFactory(credits="2.0000")
    stale = User.objects.get(pk=user.pk)
    credits_add(user=user, amount=Decimal("3.0000"), kind=CreditKind.GRANT, note="staff grant")

    stale.first_name = "Renamed"
    stale.save()

    fresh = User.objects.get(pk=user.pk)
    assert fresh.first_name == "Renamed"
    assert fresh.credit_balance == Decimal("5.0000") == ledger_sum(user)
    assert stale.credit_balance == Decimal("2.0000")  # what it was loaded with; the database kept its own


def test_the_balance_cannot_be_set_by_hand():
    user = UserFactory(credits="2.0000")

    User.objects.filter(pk=user.pk).update(credit_balance=Decimal("999.0000"))
    sql("UPDATE users SET credit_balance = credit_balance + 50 WHERE user_id = %s", [user.pk])
    user.credit_balance = Decimal("0.0000")
    user.save(update_fields=["credit_balance"])

    assert balance(user) == Decimal("2.0000") == ledger_sum(user)


def test_a_user_inserted_by_sql_with_a_balance_starts_at_zero():
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO users (username, email, password_hash, status, email_verified, credit_balance)
               VALUES ('rich', 'rich@example.com', '!', 'active', true, 100) RETURNING user_id, credit_balance"""
        )
        user_id, returned = cursor.fetchone()

    assert returned == Decimal("0.0000")
    assert User.objects.get(pk=user_id).credit_balance == Decimal("0.0000")
    assert not CreditLedgerEntry.objects.filter(user_id=user_id).exists()


def test_a_user_created_by_the_orm_with_a_balance_starts_at_zero():
    user = User.objects.create(username="rich2", email="rich2@example.com", credit_balance=Decimal("100"))

    assert balance(user) == Decimal("0.0000")


# --- each kind's sign ------------------------------------------------------------------------------------

SIGNS = {
    CreditKind.GRANT: {"+"},
    CreditKind.TOP_UP: {"+"},
    CreditKind.RELEASE: {"+"},
    CreditKind.RESERVATION: {"-"},
    CreditKind.CHARGE: {"-"},
    CreditKind.ADJUSTMENT: {"+", "-"},
}
AMOUNTS = {"+": Decimal("1.5000"), "-": Decimal("-1.5000"), "0": Decimal("0")}


@pytest.mark.parametrize("kind", list(SIGNS))
@pytest.mark.parametrize("sign", list(AMOUNTS))
def test_each_kind_takes_only_its_sign(kind, sign):
    user = UserFactory(credits="10.0000")
    statement = "INSERT INTO credit_ledger (user_id, amount, kind) VALUES (%s, %s, %s)"

    if sign in SIGNS[kind]:
        sql(statement, [user.pk, AMOUNTS[sign], kind])
        assert balance(user) == Decimal("10.0000") + AMOUNTS[sign]
    else:
        error = refused(statement, [user.pk, AMOUNTS[sign], kind])
        assert violated_constraint(error) == "credit_ledger_amount_sign"
        assert balance(user) == Decimal("10.0000")
    assert balance(user) == ledger_sum(user)


def test_an_unknown_kind_is_refused():
    user = UserFactory(credits="10.0000")

    error = refused("INSERT INTO credit_ledger (user_id, amount, kind) VALUES (%s, 1, 'gift')", [user.pk])

    # A kind outside the list breaks both checks; PostgreSQL names the first it tried.
    assert violated_constraint(error) in {"credit_ledger_kind_valid", "credit_ledger_amount_sign"}
    assert balance(user) == Decimal("10.0000")


def test_the_service_writes_only_manual_kinds_with_their_signs():
    user = UserFactory(credits="10.0000")

    with pytest.raises(ValidationError) as gateway_kind:
        credits_add(user=user, amount=Decimal("-1"), kind=CreditKind.CHARGE)
    with pytest.raises(ValidationError) as negative_grant:
        credits_add(user=user, amount=Decimal("-1"), kind=CreditKind.GRANT)
    with pytest.raises(ValidationError) as zero_adjustment:
        credits_add(user=user, amount=Decimal("0"), kind=CreditKind.ADJUSTMENT)

    assert (gateway_kind.value.code, negative_grant.value.code, zero_adjustment.value.code) == (
        "kind",
        "sign",
        "sign",
    )
    assert balance(user) == Decimal("10.0000") == ledger_sum(user)


# --- concurrent writers ----------------------------------------------------------------------------------

WRITERS = 16
WRITES_EACH = 10


def run_at_once(count: int, work) -> list[BaseException]:
    """`work(index)` in `count` threads, each on its own connection, released together; what they raised."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []
    lock = threading.Lock()

    def thread_main(index: int) -> None:
        try:
            barrier.wait(timeout=60)
            work(index)
        except BaseException as exc:  # reported in the test's own thread
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=thread_main, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_grants_and_adjustments_sum_exactly():
    user = UserFactory(credits="100.0000")

    def amount(index: int, write: int) -> Decimal:
        if (index + write) % 3 == 0:
            return Decimal("-0.7777")
        return Decimal("1.2345") + Decimal(index) / 10_000

    def work(index: int) -> None:
        for write in range(WRITES_EACH):
            value = amount(index, write)
            kind = CreditKind.ADJUSTMENT if value < 0 or write % 2 else CreditKind.GRANT
            credits_add(user=user, amount=value, kind=kind, note=f"{index}-{write}")

    errors = run_at_once(WRITERS, work)

    expected = Decimal("100.0000") + sum(
        amount(index, write) for index in range(WRITERS) for write in range(WRITES_EACH)
    )
    assert errors == []
    assert CreditLedgerEntry.objects.filter(user=user).count() == 1 + WRITERS * WRITES_EACH
    assert balance(user) == expected == ledger_sum(user)


@pytest.mark.django_db(transaction=True)
def test_concurrent_withdrawals_stop_exactly_at_zero():
    """A balance of 1.0000 and 24 writers taking 0.1000 each at once: exactly 10 are written."""
    user = UserFactory(credits="1.0000")
    written: list[int] = []

    def work(index: int) -> None:
        credits_add(user=user, amount=Decimal("-0.1000"), kind=CreditKind.ADJUSTMENT)
        written.append(index)

    errors = run_at_once(24, work)

    assert len(written) == 10
    assert len(errors) == 14
    assert all(isinstance(error, ValidationError) and error.code == "negative_balance" for error in errors)
    assert balance(user) == Decimal("0.0000") == ledger_sum(user)
    assert CreditLedgerEntry.objects.filter(user=user, kind=CreditKind.ADJUSTMENT).count() == 10


@pytest.mark.django_db(transaction=True)
def test_a_stale_save_racing_with_grants_loses_none_of_them():
    """Writers granting while others save stale copies of the user: the balance is the ledger's sum."""
    user = UserFactory(credits="1.0000")

    def work(index: int) -> None:
        for write in range(WRITES_EACH):
            if index % 2:
                credits_add(user=user, amount=Decimal("0.0101"), kind=CreditKind.GRANT)
            else:
                stale = User.objects.get(pk=user.pk)
                stale.bio = f"{index}-{write}"
                stale.save()

    errors = run_at_once(8, work)

    assert errors == []
    assert balance(user) == Decimal("1.0000") + 4 * WRITES_EACH * Decimal("0.0101") == ledger_sum(user)


def test_a_session_that_sets_the_ledgers_flag_itself_still_cannot_set_a_balance():
    user = UserFactory(credits="1.0000")
    sql("SELECT set_config('amp.credit_ledger', 'on', true)")
    sql("UPDATE users SET credit_balance = 500 WHERE user_id = %s", [user.pk])
    assert balance(user) == Decimal("1.0000") == ledger_sum(user)


def hold(user: User, history_id, amount: str = "0.0100") -> None:
    CreditLedgerEntry.objects.create(
        user=user, amount=f"-{amount}", kind="reservation", history_id=history_id
    )


def release_stale() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT credit_release_stale(now() - interval '1 day', now() + interval '1 second')")
        return cursor.fetchone()[0]


def settle(user: User, history_id, *, cost: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT credit_settle(%s, NULL, %s, 0.0100, %s, NULL, NULL)", [user.pk, history_id, Decimal(cost)]
        )


def test_a_stale_hold_is_released_once_and_a_late_answer_is_charged_only_while_the_balance_covers_it():
    user = UserFactory(credits="0.0100")
    late, lost = uuid.uuid4(), uuid.uuid4()
    hold(user, late)
    assert balance(user) == Decimal("0.0000")
    assert release_stale() == 1
    assert release_stale() == 0  # once
    assert balance(user) == Decimal("0.0100")

    settle(
        user, late, cost="0.0100"
    )  # the call answered after its hold was released: charged, no 2nd release
    assert balance(user) == Decimal("0.0000") == ledger_sum(user)
    assert CreditLedgerEntry.objects.filter(history_id=late, kind="release").count() == 1

    credits_add(user=user, amount=Decimal("0.0100"), kind="grant")
    hold(user, lost)
    release_stale()
    credits_add(user=user, amount=Decimal("-0.0100"), kind="adjustment")  # the balance is spent meanwhile
    settle(user, lost, cost="0.0100")  # too late and not covered: not charged, never below zero
    assert balance(user) == Decimal("0.0000") == ledger_sum(user)
    assert CreditLedgerEntry.objects.filter(history_id=lost, kind="charge").count() == 0

    settle(user, late, cost="0.0100")  # settling again changes nothing
    assert CreditLedgerEntry.objects.filter(history_id=late).count() == 3
