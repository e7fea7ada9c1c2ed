"""The history filter's pieces: its date bounds and its model choices.

Its inputs and selects are drawn by the site's form renderer: core/tests/test_form_renderer.py."""

from datetime import UTC, date, datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from activity.filters import on_or_after, on_or_before
from activity.models import UserHistory
from activity.tests.factories import UserHistoryFactory


def test_the_last_day_as_an_end_keeps_every_row(alice, model):
    row = UserHistoryFactory(
        user=alice, model=model, request_timestamp=datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
    )
    mine = UserHistory.objects.for_user(alice)

    assert list(on_or_before(mine, "request_timestamp", date.max)) == [row]
    assert list(on_or_after(mine, "request_timestamp", date.max)) == [row]
    assert list(on_or_before(mine, "request_timestamp", date(9999, 12, 30))) == []


def test_the_page_reads_its_model_choices_in_one_query_without_a_cursor(client, alice, model):
    UserHistoryFactory(user=alice, model=model)
    client.force_login(alice)

    with CaptureQueriesContext(connection) as captured:
        html = client.get("/me/history/").content.decode()

    choices = [q["sql"] for q in captured.captured_queries if 'FROM "models"' in q["sql"]]
    assert len(choices) == 1
    assert not choices[0].startswith("DECLARE")
    assert '<option value="dana-summarizer">Dana Summarizer</option>' in html
