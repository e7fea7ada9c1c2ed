"""accounts.services.api_keys: user_api_key_create and user_api_key_revoke."""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from accounts import keys
from accounts.models import UserApiKey
from accounts.services import MAX_ACTIVE_KEYS, user_api_key_create, user_api_key_revoke
from accounts.tests.factories import UserApiKeyFactory


def test_it_returns_a_checksummed_personal_key_and_stores_its_hash(alice):
    api_key, plain = user_api_key_create(user=alice, name="  laptop ")

    assert plain.startswith(keys.PERSONAL_KEY_PREFIX)
    assert keys.has_valid_checksum(plain)
    assert api_key.name == "laptop"
    assert api_key.key_hash == keys.hash_key(plain)
    assert api_key.key_prefix == keys.display_prefix(plain)
    assert api_key.revoked_at is None


def test_each_key_is_new(alice):
    first = user_api_key_create(user=alice, name="a")[1]
    second = user_api_key_create(user=alice, name="b")[1]

    assert first != second


def test_it_refuses_users_who_are_not_verified(pat):
    with pytest.raises(PermissionDenied):
        user_api_key_create(user=pat, name="x")


def test_revoked_keys_do_not_count_towards_the_limit(alice):
    UserApiKeyFactory.create_batch(MAX_ACTIVE_KEYS, user=alice)
    with pytest.raises(ValidationError):
        user_api_key_create(user=alice, name="too many")

    user_api_key_revoke(api_key=UserApiKey.objects.filter(user=alice).first())

    user_api_key_create(user=alice, name="now fits")
    assert UserApiKey.objects.filter(user=alice).active().count() == MAX_ACTIVE_KEYS


def test_revoking_twice_keeps_the_first_time(alice):
    api_key = UserApiKeyFactory(user=alice)
    first = user_api_key_revoke(api_key=api_key).revoked_at

    assert user_api_key_revoke(api_key=api_key).revoked_at == first


@pytest.mark.django_db(transaction=True)
def test_the_limit_holds_when_keys_are_made_at_once(alice):
    UserApiKeyFactory.create_batch(MAX_ACTIVE_KEYS - 1, user=alice)
    start = threading.Barrier(6)

    def make():
        try:
            start.wait()
            user_api_key_create(user=alice, name="racing")
        except ValidationError:
            pass
        finally:
            connection.close()

    threads = [threading.Thread(target=make) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert UserApiKey.objects.filter(user=alice).count() == MAX_ACTIVE_KEYS
