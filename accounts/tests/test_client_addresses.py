"""Sign-in lockout keys on the real client address behind TRUSTED_PROXY_COUNT proxies, per account and
address both: behind the proxy every request comes from the proxy's own address, so a lockout keyed on
REMOTE_ADDR would lock an account for everyone."""

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.urls import reverse

from core.addresses import client_address, client_network

URL = reverse("accounts:login")
PROXY = "10.0.0.9"  # REMOTE_ADDR of every request that comes through the proxy


@pytest.fixture(autouse=True)
def _behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


def attempt(client, username, password, forwarded, remote=PROXY):
    return client.post(
        URL, {"username": username, "password": password}, REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded
    )


def request_from(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post(URL, **extra)


def test_the_address_is_the_entry_one_proxy_added(settings):
    assert client_address(request_from(PROXY, "203.0.113.9")) == "203.0.113.9"


def test_a_prefix_the_client_wrote_is_never_read(settings):
    # The client sent "X-Forwarded-For: 1.2.3.4"; the proxy appended the address it saw.
    assert client_address(request_from(PROXY, "1.2.3.4, 203.0.113.9")) == "203.0.113.9"


def test_behind_two_proxies_the_address_is_the_second_from_the_right(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(request_from(PROXY, "1.2.3.4, 203.0.113.9, 10.0.0.4")) == "203.0.113.9"


def test_with_no_trusted_proxy_the_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request_from("198.51.100.7", "203.0.113.9")) == "198.51.100.7"


def test_axes_records_the_forwarded_address_not_the_proxy(client, alice):
    attempt(client, "alice", "wrong-password", "1.2.3.4, 203.0.113.9")
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.9"]


def test_forty_addresses_behind_the_proxy_lock_none_of_the_others_out(client, alice, password):
    statuses = [
        attempt(client, "alice", "wrong-password", f"203.0.113.{n}").status_code for n in range(1, 41)
    ]
    assert statuses.count(429) == 0, statuses
    assert statuses == [200] * 40
    # The owner, from an address of their own, signs in.
    response = attempt(client, "alice", password, "198.51.100.7")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_five_failures_lock_that_address_out_of_that_account_only(client, alice, bob, password):
    statuses = [attempt(client, "alice", "wrong-password", "203.0.113.5").status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    assert attempt(client, "alice", password, "203.0.113.5").status_code == 429
    # A prefix the attacker writes does not get them a fresh counter.
    assert attempt(client, "alice", password, "1.2.3.4, 203.0.113.5").status_code == 429
    # Another account from that address, and that account from another address, are untouched.
    assert attempt(client, "bob", password, "203.0.113.5").status_code == 302
    client.logout()
    assert attempt(client, "alice", password, "198.51.100.7").status_code == 302


def test_an_ipv6_client_is_counted_by_its_64(settings):
    assert client_network(request_from(PROXY, "2001:db8:1:2:aaaa::1")) == "2001:db8:1:2::"
    assert client_network(request_from(PROXY, "203.0.113.9")) == "203.0.113.9"
    assert client_address(request_from(PROXY, "2001:db8:1:2:aaaa::1")) == "2001:db8:1:2:aaaa::1"


def test_rotating_addresses_inside_one_ipv6_64_gets_no_fresh_counters(client, alice, password):
    statuses = [
        attempt(client, "alice", "wrong-password", f"2001:db8:1:2::{n:x}").status_code for n in range(1, 6)
    ]
    assert statuses == [200, 200, 200, 200, 429]
    assert attempt(client, "alice", password, "2001:db8:1:3::1").status_code == 302


def test_failures_spread_over_many_addresses_never_lock_the_owner_out(client, alice, password):
    """No account-wide lock (README, "Deploying for real"): fifty failures from ten addresses lock those
    ten addresses out of the account, and the owner from their own address still signs in."""
    for n in range(1, 11):
        statuses = [
            attempt(client, "alice", "wrong-password", f"203.0.113.{n}").status_code for _ in range(5)
        ]
        assert statuses[-1] == 429
    assert attempt(client, "alice", password, "203.0.113.1").status_code == 429
    response = attempt(client, "alice", password, "198.51.100.7")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_staff_see_each_failure_with_its_client_address_in_the_admin(client, alice, staff):
    attempt(client, "alice", "wrong-password", "1.2.3.4, 203.0.113.9")
    client.force_login(staff)
    html = client.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert "203.0.113.9" in html and "alice" in html
    assert "1.2.3.4" not in html
