"""The credit ledger in the admin: staff add grants, top-ups and adjustments (who and why kept); the balance
moves with them; an entry is never changed or deleted; nobody but staff gets in."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.models import CreditKind, CreditLedgerEntry
from accounts.services import credits_add
from accounts.tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:accounts_creditledgerentry_add")
LIST_URL = reverse("admin:accounts_creditledgerentry_changelist")


def entry_post(user, *, kind="grant", amount="2.5000", note="Goodwill after the outage of 3 Dec") -> dict:
    return {"user": str(user.pk), "kind": kind, "amount": amount, "note": note, "_save": "Save"}


def balance_of(user) -> Decimal:
    user.refresh_from_db(fields=["credit_balance"])
    return user.credit_balance


def form_errors(response) -> dict:
    return response.context["adminform"].form.errors


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def carol(db):
    """A verified user with exactly $1.0000 of credits."""
    return UserFactory(username="carol", email="carol@example.com", credits="1")


@pytest.fixture
def clerk(db):
    """Staff, not superuser, who may add and view ledger entries (and nothing else)."""
    clerk = StaffFactory(username="clerk", email="clerk@example.com", is_superuser=False)
    clerk.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="accounts",
            codename__in=["add_creditledgerentry", "view_creditledgerentry"],
        )
    )
    return clerk


# Adding entries -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind, amount, expected",
    [("grant", "2.5000", "3.5000"), ("top_up", "0.0001", "1.0001"), ("adjustment", "-0.2500", "0.7500")],
)
def test_staff_add_an_entry_and_the_balance_moves_with_their_name_and_note(
    staff_client, staff, carol, kind, amount, expected
):
    response = staff_client.post(ADD_URL, entry_post(carol, kind=kind, amount=amount))

    assert response.status_code == 302
    assert response["Location"] == LIST_URL
    entry = CreditLedgerEntry.objects.exclude(note="Welcome grant").get(user=carol)
    assert entry.kind == kind
    assert entry.amount == Decimal(amount)
    assert entry.created_by_id == staff.pk
    assert entry.note == "Goodwill after the outage of 3 Dec"
    assert balance_of(carol) == Decimal(expected)
    assert CreditLedgerEntry.objects.filter(user=carol).count() == 2  # the welcome grant and this one


def test_the_list_shows_who_added_an_entry(staff_client, carol):
    staff_client.post(ADD_URL, entry_post(carol, note="Conference voucher"))

    html = staff_client.get(LIST_URL).content.decode()

    assert "Conference voucher" in html
    # The "by" column names the staff member (not their id); the welcome grant was nobody's.
    assert '<td class="field-created_by_name">staff</td>' in html
    assert '<td class="field-created_by_name">—</td>' in html


def test_a_staff_member_with_the_add_permission_only_adds_as_themselves(client, clerk, carol):
    client.force_login(clerk)

    response = client.post(ADD_URL, entry_post(carol, kind="top_up", amount="4"))

    assert response.status_code == 302
    assert CreditLedgerEntry.objects.get(kind="top_up").created_by_id == clerk.pk
    assert balance_of(carol) == Decimal("5.0000")


def test_the_form_offers_only_the_kinds_people_write(staff_client):
    form = staff_client.get(ADD_URL).context["adminform"].form

    assert [value for value, _ in form.fields["kind"].choices] == ["grant", "top_up", "adjustment"]
    assert "created_by_id" not in form.fields


@pytest.mark.parametrize("kind", ["reservation", "charge", "release"])
def test_the_gateways_kinds_cannot_be_posted(staff_client, carol, kind):
    amount = "0.5000" if kind == "release" else "-0.5000"

    response = staff_client.post(ADD_URL, entry_post(carol, kind=kind, amount=amount))

    assert response.status_code == 200
    assert "kind" in form_errors(response)
    assert balance_of(carol) == Decimal("1.0000")


def test_a_negative_adjustment_beyond_the_balance_is_refused_beside_the_amount(staff_client, carol):
    response = staff_client.post(ADD_URL, entry_post(carol, kind="adjustment", amount="-1.0001"))

    assert response.status_code == 200
    assert form_errors(response)["amount"] == [
        "The balance is $1.0000: an adjustment cannot take it below zero."
    ]
    assert balance_of(carol) == Decimal("1.0000")
    assert CreditLedgerEntry.objects.filter(user=carol).count() == 1


def test_an_adjustment_may_take_the_balance_to_exactly_zero(staff_client, carol):
    response = staff_client.post(ADD_URL, entry_post(carol, kind="adjustment", amount="-1.0000"))

    assert response.status_code == 302
    assert balance_of(carol) == Decimal("0.0000")


def test_the_balance_checked_is_the_current_one_not_the_one_at_sign_up(staff_client, carol):
    credits_add(user=carol, amount=Decimal("2"), kind=CreditKind.TOP_UP, note="card")

    response = staff_client.post(ADD_URL, entry_post(carol, kind="adjustment", amount="-3.0001"))

    assert form_errors(response)["amount"] == [
        "The balance is $3.0000: an adjustment cannot take it below zero."
    ]
    assert balance_of(carol) == Decimal("3.0000")


@pytest.mark.parametrize(
    "kind, amount, message",
    [
        ("grant", "0", "Grants and top-ups add credits: enter an amount above zero."),
        ("grant", "-5", "Grants and top-ups add credits: enter an amount above zero."),
        ("top_up", "0", "Grants and top-ups add credits: enter an amount above zero."),
        ("top_up", "-0.0001", "Grants and top-ups add credits: enter an amount above zero."),
        ("adjustment", "0", "An adjustment of zero changes nothing."),
    ],
)
def test_an_entry_that_moves_nothing_or_the_wrong_way_is_refused(staff_client, carol, kind, amount, message):
    response = staff_client.post(ADD_URL, entry_post(carol, kind=kind, amount=amount))

    assert response.status_code == 200
    assert form_errors(response)["amount"] == [message]
    assert balance_of(carol) == Decimal("1.0000")
    assert CreditLedgerEntry.objects.filter(user=carol).count() == 1


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"note": ""}, "note"),
        ({"note": "   "}, "note"),
        ({"amount": "1.00001"}, "amount"),
        ({"amount": "ten"}, "amount"),
        ({"user": "00000000-0000-0000-0000-000000000000"}, "user"),
    ],
)
def test_an_entry_needs_a_reason_a_user_and_an_amount_in_cents_of_a_cent(staff_client, carol, changes, field):
    response = staff_client.post(ADD_URL, {**entry_post(carol), **changes})

    assert response.status_code == 200
    assert field in form_errors(response)
    assert CreditLedgerEntry.objects.filter(user=carol).count() == 1


# Never changed, never deleted -----------------------------------------------------------------------------


@pytest.fixture
def granted(carol, staff):
    return credits_add(
        user=carol, amount=Decimal("2"), kind=CreditKind.GRANT, note="Beta tester", created_by=staff
    )


def change_url(entry) -> str:
    return reverse("admin:accounts_creditledgerentry_change", args=[entry.pk])


def delete_url(entry) -> str:
    return reverse("admin:accounts_creditledgerentry_delete", args=[entry.pk])


@pytest.mark.parametrize("who", ["superuser", "clerk"])
def test_an_entry_can_be_read_but_not_changed(client, staff, clerk, carol, granted, who):
    client.force_login(staff if who == "superuser" else clerk)

    page = client.get(change_url(granted))
    response = client.post(change_url(granted), {**entry_post(carol, amount="200"), "_save": "Save"})

    # The page is the read-only view Django gives to who may view but not change: no form to send.
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert 'name="_save"' not in page.content.decode()
    assert response.status_code == 403
    granted.refresh_from_db()
    assert (granted.amount, granted.note) == (Decimal("2.0000"), "Beta tester")
    assert balance_of(carol) == Decimal("3.0000")


@pytest.mark.parametrize("who", ["superuser", "clerk"])
def test_an_entry_cannot_be_deleted_alone_or_in_bulk(client, staff, clerk, carol, granted, who):
    client.force_login(staff if who == "superuser" else clerk)

    assert client.get(delete_url(granted)).status_code == 403
    assert client.post(delete_url(granted), {"post": "yes"}).status_code == 403
    bulk = client.post(
        LIST_URL, {"action": "delete_selected", "_selected_action": [str(granted.pk)], "post": "yes"}
    )

    assert bulk.status_code in (200, 302)  # Django answers an action it does not offer with the list again
    assert CreditLedgerEntry.objects.filter(pk=granted.pk).exists()
    assert balance_of(carol) == Decimal("3.0000")
    # Without the delete permission the list offers no action at all, so no action form either.
    assert client.get(LIST_URL).context["action_form"] is None


# Who gets in ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [ADD_URL, LIST_URL])
def test_anonymous_visitors_and_users_who_are_not_staff_are_sent_to_the_staff_sign_in(client, carol, url):
    anonymous = client.get(url)
    client.force_login(carol)
    signed_in = client.get(url)
    posted = client.post(ADD_URL, entry_post(carol, amount="1000"))

    for response in (anonymous, signed_in, posted):
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/?next=")
    assert balance_of(carol) == Decimal("1.0000")


def test_staff_without_the_ledger_permissions_are_refused(client, carol):
    bare = StaffFactory(username="intern", email="intern@example.com", is_superuser=False)
    client.force_login(bare)

    assert client.get(ADD_URL).status_code == 403
    assert client.post(ADD_URL, entry_post(carol, amount="1000")).status_code == 403
    assert client.get(LIST_URL).status_code == 403
    assert balance_of(carol) == Decimal("1.0000")


# Query budget ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rows",
    [
        1,
        50,
    ],
)
def test_the_list_runs_a_fixed_number_of_queries(
    staff_client, staff, carol, rows, django_assert_max_num_queries
):
    for n in range(rows):
        credits_add(user=carol, amount=Decimal("0.01"), kind=CreditKind.GRANT, note=f"n{n}", created_by=staff)

    with django_assert_max_num_queries(12):
        assert staff_client.get(LIST_URL).status_code == 200
