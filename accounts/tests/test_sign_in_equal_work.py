"""Every failed sign-in does the same work, whatever the account's state: exactly one password hash. A
suspended account's failed sign-in used to hash twice (the form checked the password again to explain the
suspension), twice as slow as any other, so suspension could be read from timing.

The work is counted, not timed: the hasher is the suite's real MD5 hasher with a counter on encode(),
through which every hash, verification and dummy hash of an absent user goes."""

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.urls import reverse

from accounts.forms import blocked_message
from accounts.models import UserStatus
from accounts.tests.factories import PASSWORD, UserFactory

URL = reverse("accounts:login")


class CountingMD5PasswordHasher(MD5PasswordHasher):
    """The MD5 hasher (same algorithm name, so it verifies the factories' hashes), counting its hashes."""

    hashes = 0

    def encode(self, password, salt):
        type(self).hashes += 1
        return super().encode(password, salt)


@pytest.fixture(autouse=True)
def _counting_hasher(settings):
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingMD5PasswordHasher"]


def hashes_for(client, username, password) -> tuple[int, str]:
    before = CountingMD5PasswordHasher.hashes
    response = client.post(URL, {"username": username, "password": password})
    assert response.status_code == 200  # a failed sign-in: the form again
    return CountingMD5PasswordHasher.hashes - before, response.content.decode()


@pytest.fixture
def accounts(db):
    """Accounts in every state, made while the counting hasher is in place."""
    return {
        "active": UserFactory(username="active1"),
        "pending": UserFactory(
            username="pending1", status=UserStatus.PENDING_VERIFICATION, email_verified=False
        ),
        "suspended": UserFactory(username="suspended1", status=UserStatus.SUSPENDED),
        "inactive": UserFactory(username="inactive1", status=UserStatus.INACTIVE),
        "unusable": UserFactory(username="unusable1", password=None),
    }


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("nobody", "wrong-password"),
        ("active1", "wrong-password"),
        ("ACTIVE1", "wrong-password"),
        ("pending1", "wrong-password"),
        ("suspended1", "wrong-password"),
        ("suspended1", PASSWORD),
        ("inactive1", "wrong-password"),
        ("inactive1", PASSWORD),
        ("unusable1", "wrong-password"),
    ],
)
def test_every_failed_sign_in_hashes_exactly_once(client, accounts, username, password):
    assert hashes_for(client, username, password)[0] == 1


def test_the_suspension_is_still_explained_to_whoever_knows_the_password(client, accounts):
    _, with_password = hashes_for(client, "suspended1", PASSWORD)
    _, without = hashes_for(client, "suspended1", "wrong-password")
    explanation = blocked_message(UserStatus.SUSPENDED)
    assert explanation in with_password
    assert explanation not in without


def test_a_successful_sign_in_hashes_once_too(client, accounts):
    before = CountingMD5PasswordHasher.hashes
    assert client.post(URL, {"username": "active1", "password": PASSWORD}).status_code == 302
    assert CountingMD5PasswordHasher.hashes - before == 1
