"""Upstreams at non-public addresses are not called unless UPSTREAM_PRIVATE_NETWORKS is on.

A developer's endpoint URL must not reach the platform's own network. The address is checked on the socket
the client connected, so a name that resolves to a private address is refused too, before a byte is sent.
"""

import socket

import pytest

from activity.gateway import upstream
from activity.gateway.errors import GatewayError
from activity.models import ApiUsageLog, DeveloperMonthlyUsage, UserHistory
from activity.tests.helpers import invoke, refused_url
from catalog.tests.factories import AIModelFactory

RECEIVED: list[str] = []


def noted(handler, payload):
    RECEIVED.append(handler.path)
    return 200, b'{"response": "noted"}'


UPSTREAM_ROUTES = {"/noted": noted}


@pytest.fixture
def server(request):
    """The demo upstream with nothing noted yet (in this module `upstream` names the gateway's client)."""
    RECEIVED.clear()
    return request.getfixturevalue("upstream")


@pytest.fixture(autouse=True)
def _fresh_pool(monkeypatch):
    """No connection pooled by another test (a pooled connection was checked when it was made)."""
    monkeypatch.setattr(upstream, "_pool", None)


@pytest.fixture
def private_refused(settings):
    settings.UPSTREAM_PRIVATE_NETWORKS = False


def forward(url: str) -> str:
    return upstream.call_upstream(endpoint_url=url, model_name="demo", prompt="hi", parameters={}).text


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_an_upstream_at_a_private_address_is_refused_before_anything_is_sent(server, private_refused, host):
    with pytest.raises(GatewayError) as caught:
        forward(f"http://{host}:{server.server_address[1]}/noted")

    assert caught.value.code == "upstream_unreachable"
    assert caught.value.status == 502
    assert caught.value.message == upstream.PRIVATE_ADDRESS_MESSAGE
    assert RECEIVED == []


def test_an_open_and_a_closed_private_port_get_the_same_answer(server, private_refused):
    """The name is checked before connecting, so the answer says nothing about the internal network."""
    answers = []
    for url in (f"{server.url}/noted", refused_url("/noted")):
        with pytest.raises(GatewayError) as caught:
            forward(url)
        answers.append(caught.value.as_json())

    assert answers[0] == answers[1]
    assert answers[0]["error"]["message"] == upstream.PRIVATE_ADDRESS_MESSAGE


def test_the_connection_goes_to_the_address_that_was_checked_not_a_second_lookup(
    server, private_refused, monkeypatch
):
    """DNS rebinding: a name public when checked and private a moment later. The host is resolved once
    and the connection made to the checked address, so the second answer is never asked for."""
    real = socket.getaddrinfo
    lookups, connects = [], []

    def rebinding(host, port, *args, **kwargs):
        lookups.append(host)
        if len(lookups) == 1:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("8.8.8.8", port))]
        return real("127.0.0.1", port, *args, **kwargs)

    def no_network(address, *args, **kwargs):
        connects.append(address)
        raise OSError("no route to the internet from the test")

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    monkeypatch.setattr(upstream, "create_connection", no_network)

    with pytest.raises(GatewayError) as caught:
        forward(f"http://rebinding.example:{server.server_address[1]}/noted")

    assert caught.value.code == "upstream_unreachable"
    assert lookups == ["rebinding.example"]
    assert connects == [("8.8.8.8", server.server_address[1])]
    assert RECEIVED == []


def test_an_https_upstream_at_a_private_address_is_refused_before_tls(server, private_refused):
    with pytest.raises(GatewayError) as caught:
        forward(f"https://127.0.0.1:{server.server_address[1]}/noted")

    assert caught.value.message == upstream.PRIVATE_ADDRESS_MESSAGE
    assert RECEIVED == []


def test_a_host_name_idna_cannot_encode_is_unreachable_not_an_error(private_refused):
    with pytest.raises(GatewayError) as caught:
        forward(f"http://{'a' * 64}.example/noted")

    assert caught.value.code == "upstream_unreachable"


def test_with_private_networks_allowed_the_same_upstream_answers(server, settings):
    settings.UPSTREAM_PRIVATE_NETWORKS = True

    assert forward(f"{server.url}/noted") == "noted"
    assert RECEIVED == ["/noted"]


def test_a_refused_call_is_answered_502_logged_and_counted_like_an_unreachable_upstream(
    client, server, private_refused, dana, alice_key
):
    model = AIModelFactory(developer=dana, api_name="inside", endpoint_url=f"{server.url}/echo")

    response = invoke(client, "inside", {"prompt": "hi"}, alice_key)

    assert response.status_code == 502
    assert response.json()["error"] == {
        "code": "upstream_unreachable",
        "message": upstream.PRIVATE_ADDRESS_MESSAGE,
    }
    assert ApiUsageLog.objects.get(model=model).response_code == 502
    assert DeveloperMonthlyUsage.objects.get(developer=dana).calls == 1
    assert UserHistory.objects.get(model=model).status == "failed"
