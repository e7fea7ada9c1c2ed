import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from activity.models import HistoryStatus
from activity.tests.factories import UserHistoryFactory

pytestmark = pytest.mark.django_db

URL = reverse("history:export")
T0 = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)


def read_csv(response):
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(text)))


def test_visitors_are_sent_to_sign_in(client):
    assert client.get(URL).url.startswith(reverse("accounts:login"))


def test_it_streams_the_users_history_as_a_csv_attachment(client, alice, bob, model):
    UserHistoryFactory(
        user=alice,
        model=model,
        session_id="s-1",
        prompt="line one\nline two, with a comma",
        response='he said "hi"',
        status=HistoryStatus.COMPLETED,
        response_time_ms=250,
        cost_incurred=Decimal("0.0125"),
        user_rating=4,
        request_timestamp=T0,
    )
    UserHistoryFactory(user=alice, model=model, prompt="later", request_timestamp=T0 + timedelta(hours=1))
    UserHistoryFactory(user=bob, model=model, prompt="bob's secret")
    client.force_login(alice)

    response = client.get(URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"].startswith('attachment; filename="history-')
    rows = read_csv(response)
    assert rows[0] == [
        "requested_at",
        "model",
        "model_name",
        "session_id",
        "status",
        "response_time_ms",
        "cost_incurred",
        "user_rating",
        "prompt",
        "response",
    ]
    assert [row[8] for row in rows[1:]] == ["later", "line one\nline two, with a comma"]
    assert rows[2] == [
        "2025-03-10T12:00:00+00:00",
        "dana-summarizer",
        "Dana Summarizer",
        "s-1",
        "completed",
        "250",
        "0.0125",
        "4",
        "line one\nline two, with a comma",
        'he said "hi"',
    ]


def test_it_applies_the_same_filters_as_the_list(client, alice, model):
    UserHistoryFactory(
        user=alice, model=model, prompt="kept", status=HistoryStatus.FAILED, request_timestamp=T0
    )
    UserHistoryFactory(user=alice, model=model, prompt="dropped", request_timestamp=T0)
    client.force_login(alice)
    rows = read_csv(client.get(URL, {"status": "failed", "q": "kep"}))
    assert [row[8] for row in rows[1:]] == ["kept"]


def test_invalid_filters_export_only_the_header(client, alice, model):
    UserHistoryFactory(user=alice, model=model)
    client.force_login(alice)
    rows = read_csv(client.get(URL, {"date_from": "not-a-date"}))
    assert len(rows) == 1


@pytest.mark.parametrize("dangerous", ['=HYPERLINK("http://evil")', "+1+2", "-2+3", "@SUM(A1)", "\t=1"])
def test_cells_that_a_spreadsheet_would_run_are_neutralised(client, alice, model, dangerous):
    UserHistoryFactory(user=alice, model=model, prompt=dangerous, response=dangerous, session_id=dangerous)
    client.force_login(alice)
    row = read_csv(client.get(URL))[1]
    assert row[3] == row[8] == row[9] == "'" + dangerous


def test_a_pending_user_exports_an_empty_history(client, pat):
    client.force_login(pat)
    rows = read_csv(client.get(URL))
    assert len(rows) == 1
    assert rows[0][0] == "requested_at"
