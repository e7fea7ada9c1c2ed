"""The monthly quota under parallel callers: exactly api_quota calls are forwarded, through a live server."""

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from accounts import keys
from accounts.tests.factories import UserApiKeyFactory
from activity.models import ApiUsageLog, DeveloperMonthlyUsage, UserHistory
from catalog.tests.factories import AIModelFactory

QUOTA = 20
CALLS = 60


@pytest.mark.django_db(transaction=True)
def test_exactly_the_quota_passes_when_sixty_calls_arrive_at_once(live_server, upstream, dana, alice):
    dana.api_quota = QUOTA
    dana.save()
    model = AIModelFactory(developer=dana, api_name="echo", endpoint_url=f"{upstream.url}/echo")
    plain = keys.generate_personal_key()
    UserApiKeyFactory(user=alice, key=plain)
    url = f"{live_server.url}/api/v1/models/echo/invoke"
    # The test server accepts only a few connections at a time (listen backlog 10), so each caller opens
    # its keep-alive connection first, one after another; then all sixty calls go at the same moment.
    clients = [httpx.Client(timeout=60) for _ in range(CALLS)]
    for client in clients:
        assert client.get(f"{live_server.url}/api/v1/warm-up").status_code == 404
    start = threading.Barrier(CALLS)

    def call(number: int) -> httpx.Response:
        start.wait()
        return clients[number].post(
            url, json={"prompt": f"call {number}"}, headers={"Authorization": f"Bearer {plain}"}
        )

    try:
        with ThreadPoolExecutor(max_workers=CALLS) as pool:
            responses = list(pool.map(call, range(CALLS)))
    finally:
        for client in clients:
            client.close()

    statuses = sorted(response.status_code for response in responses)
    assert statuses.count(200) == QUOTA
    assert statuses.count(429) == CALLS - QUOTA
    assert all(r.json()["error"]["code"] == "quota_exceeded" for r in responses if r.status_code == 429)
    assert all(r.headers["Retry-After"] for r in responses if r.status_code == 429)
    remaining = sorted(int(r.headers["X-RateLimit-Remaining"]) for r in responses if r.status_code == 200)
    assert remaining == list(range(QUOTA))  # each forwarded call saw its own place in the count
    assert DeveloperMonthlyUsage.objects.get(developer=dana).calls == QUOTA
    assert ApiUsageLog.objects.filter(model=model).count() == CALLS
    assert ApiUsageLog.objects.filter(model=model, response_code=200).count() == QUOTA
    assert UserHistory.objects.filter(model=model).count() == QUOTA
    model.refresh_from_db()
    assert model.total_requests == QUOTA
    assert model.total_users == 1
