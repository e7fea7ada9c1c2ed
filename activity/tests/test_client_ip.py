from django.test import RequestFactory

from core.addresses import client_address


def request_from(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post("/api/v1/models/x/invoke", **extra)


def test_it_reads_the_peer_address_when_no_proxy_is_trusted(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request_from("10.0.0.5", "203.0.113.9")) == "10.0.0.5"


def test_it_reads_the_address_the_trusted_proxy_added(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request_from("10.0.0.5", "198.51.100.1, 203.0.113.9")) == "203.0.113.9"


def test_a_forged_leftmost_entry_is_never_read(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(request_from("10.0.0.5", "1.2.3.4, 203.0.113.9, 10.0.0.4")) == "203.0.113.9"


def test_it_uses_the_peer_when_the_header_is_missing_and_no_address_when_it_is_garbage(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request_from("10.0.0.5")) == "10.0.0.5"
    assert client_address(request_from("10.0.0.5", "not-an-ip")) is None
