"""/dashboard/logs/: the developer's usage logs, filtered, in keyset pages, and exported as CSV."""

import csv
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import DeveloperFactory
from activity.models import ApiUsageLog
from activity.tests.factories import ApiUsageLogFactory
from catalog.models import AIModel
from catalog.tests.factories import AIModelFactory
from dashboard.usage_logs import Cursor, LogFilters, log_page

pytestmark = pytest.mark.django_db
URL = reverse("dashboard:logs")
EXPORT_URL = reverse("dashboard:logs_export")
NOW = timezone.now().replace(microsecond=0)


def add_logs(model: AIModel, count: int, *, start: dt.datetime = NOW, step=dt.timedelta(minutes=1), **fields):
    """`count` logs one `step` apart, the newest at `start`."""
    return ApiUsageLog.objects.bulk_create(
        ApiUsageLog(model=model, response_code=200, created_at=start - step * i, **fields)
        for i in range(count)
    )


def log_ids(response) -> list:
    return [row.log_id for row in response.context["page"].rows]


def test_it_lists_the_developers_logs_newest_first_and_no_one_elses(signed_in, model, eve):
    ApiUsageLogFactory(model=model, created_at=NOW - dt.timedelta(hours=2), api_key_used="amp_mk_older")
    ApiUsageLogFactory(model=model, created_at=NOW, api_key_used="amp_mk_newer")
    ApiUsageLogFactory(model=AIModelFactory(developer=eve), api_key_used="amp_mk_eve00")
    response = signed_in.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert [row.api_key_used for row in response.context["page"].rows] == ["amp_mk_newer", "amp_mk_older"]
    assert "amp_mk_eve00" not in html


def test_it_filters_by_model_status_class_and_date_range(signed_in, dana, model):
    other = AIModelFactory(developer=dana, api_name="dana-other")
    ok = ApiUsageLogFactory(model=model, response_code=200, created_at=NOW - dt.timedelta(days=3))
    refused = ApiUsageLogFactory(model=model, response_code=429, created_at=NOW - dt.timedelta(days=2))
    failed = ApiUsageLogFactory(model=other, response_code=502, created_at=NOW - dt.timedelta(days=1))
    assert set(log_ids(signed_in.get(URL))) == {ok.pk, refused.pk, failed.pk}
    assert set(log_ids(signed_in.get(URL, {"model": "dana-other"}))) == {failed.pk}
    assert set(log_ids(signed_in.get(URL, {"status": "4xx"}))) == {refused.pk}
    assert set(log_ids(signed_in.get(URL, {"status": "5xx"}))) == {failed.pk}
    assert set(log_ids(signed_in.get(URL, {"status": "2xx", "model": "dana-summarizer"}))) == {ok.pk}
    day = (NOW - dt.timedelta(days=2)).astimezone(dt.UTC).date()
    assert set(log_ids(signed_in.get(URL, {"date_from": day, "date_to": day}))) == {refused.pk}
    assert set(log_ids(signed_in.get(URL, {"date_from": day}))) == {refused.pk, failed.pk}


def test_it_reports_a_reversed_date_range_beside_the_field(signed_in, model):
    response = signed_in.get(URL, {"date_from": "2025-05-10", "date_to": "2025-05-01"})
    assert response.status_code == 200
    assert response.context["form"].errors["date_to"] == ["The end date is before the start date."]


def test_the_last_representable_date_is_a_valid_end_of_range(signed_in, model):
    add_logs(model, 2)

    response = signed_in.get(URL, {"date_from": "2000-01-01", "date_to": "9999-12-31"})
    export = signed_in.get(EXPORT_URL, {"date_to": "9999-12-31"})

    assert response.status_code == 200
    assert len(log_ids(response)) == 2
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert len(rows) == 3


def test_it_answers_404_for_a_model_filter_that_is_not_the_developers(signed_in, eve):
    AIModelFactory(developer=eve, api_name="eve-model")
    assert signed_in.get(URL, {"model": "eve-model"}).status_code == 404


def test_it_pages_by_50_with_older_and_newer_links_and_no_page_count(signed_in, dana, model):
    other = AIModelFactory(developer=dana)
    add_logs(model, 70)
    add_logs(other, 50, start=NOW - dt.timedelta(seconds=30))
    expected = list(
        ApiUsageLog.objects.for_developer(dana)
        .order_by("-created_at", "-log_id")
        .values_list("log_id", flat=True)
    )

    with CaptureQueriesContext(connection) as queries:
        first = signed_in.get(URL)
    # No count of the logs (the session's user comes with its capped count of unread notifications).
    assert not [
        q for q in queries.captured_queries if "COUNT(" in q["sql"].upper() and "api_usage_logs" in q["sql"]
    ]
    assert log_ids(first) == expected[:50]
    page = first.context["page"]
    assert page.newer is None and page.older is not None
    html = first.content.decode()
    assert "Older" in html and "Newer" not in html

    second = signed_in.get(URL, {"before": page.older.encode()})
    assert log_ids(second) == expected[50:100]
    third = signed_in.get(URL, {"before": second.context["page"].older.encode()})
    assert log_ids(third) == expected[100:]
    assert third.context["page"].older is None

    back = signed_in.get(URL, {"after": third.context["page"].newer.encode()})
    assert log_ids(back) == expected[50:100]
    back_again = signed_in.get(URL, {"after": back.context["page"].newer.encode()})
    assert log_ids(back_again) == expected[:50]
    assert back_again.context["page"].newer is None


def test_the_page_links_keep_the_filters(signed_in, model):
    add_logs(model, 60)
    html = signed_in.get(URL, {"status": "2xx"}).content.decode()
    assert "?status=2xx&amp;before=" in html


def test_a_malformed_cursor_shows_the_newest_page(signed_in, model):
    add_logs(model, 3)
    response = signed_in.get(URL, {"before": "not-a-cursor"})
    assert response.status_code == 200
    assert len(log_ids(response)) == 3


def test_rows_with_the_same_timestamp_are_neither_lost_nor_repeated(dana, model):
    add_logs(model, 7, step=dt.timedelta(0))
    seen, before = [], None
    while True:
        page = log_page(developer=dana, models=[model], filters=LogFilters(), before=before, size=3)
        seen += [row.log_id for row in page.rows]
        if page.older is None:
            break
        before = page.older
    assert sorted(seen) == sorted(ApiUsageLog.objects.values_list("log_id", flat=True))
    assert len(seen) == 7


def test_pages_of_all_models_walk_every_row_across_years_once(dana, model):
    """A page of all models is read in the month around its cursor first (_union_page): rows spread over
    years, some within the window and some far outside it, all come out once, newest first, both ways."""
    other = AIModelFactory(developer=dana, api_name="dana-other")
    for days in (0, 20, 45, 200, 800):
        add_logs(model, 2, start=NOW - dt.timedelta(days=days))
        add_logs(other, 1, start=NOW - dt.timedelta(days=days, hours=1))
    expected = list(ApiUsageLog.objects.order_by("-created_at", "-log_id").values_list("log_id", flat=True))
    seen, before, pages = [], None, []
    while True:
        page = log_page(developer=dana, models=[model, other], filters=LogFilters(), before=before, size=4)
        seen += [row.log_id for row in page.rows]
        pages.append(page)
        if page.older is None:
            break
        before = page.older
    assert seen == expected
    back = log_page(
        developer=dana, models=[model, other], filters=LogFilters(), after=pages[-1].newer, size=4
    )
    assert len(expected) == 15 and [row.log_id for row in back.rows] == expected[8:12]


def test_cursors_survive_encoding():
    cursor = Cursor(
        created_at=NOW.astimezone(dt.UTC).replace(microsecond=123456),
        log_id=ApiUsageLogFactory.build().log_id,
    )
    assert Cursor.decode(cursor.encode()) == cursor


@pytest.mark.parametrize(("models", "rows"), [(1, 1), (1, 50), (3, 1), (20, 50)])
def test_the_page_runs_a_fixed_number_of_queries(client, models, rows, django_assert_max_num_queries):
    developer = DeveloperFactory()
    for model in AIModelFactory.create_batch(models, developer=developer):
        add_logs(model, rows)
    client.force_login(developer.user)
    with django_assert_max_num_queries(5):
        response = client.get(URL)
    assert len(response.context["page"].rows) == min(50, models * rows)


def test_one_models_page_walks_the_model_and_time_index(dana, model):
    add_logs(model, 5)
    page_query = ApiUsageLog.objects.filter(model=model).order_by("-created_at", "-log_id")[:51]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        plan = page_query.explain()
        # api_usage_logs is partitioned by month (activity migration 0017): each partition has its own
        # copy of the index, attached to the partitioned table's.
        cursor.execute(
            "SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = 'api_usage_logs_model_ts_idx'::regclass"
        )
        indexes = {"api_usage_logs_model_ts_idx"} | {name for (name,) in cursor.fetchall()}
    assert any(index in plan for index in indexes), plan
    assert "Seq Scan" not in plan


def test_the_csv_export_streams_the_filtered_rows(signed_in, dana, model, eve):
    other = AIModelFactory(developer=dana, api_name="dana-other")
    ApiUsageLogFactory(model=model, response_code=200, created_at=NOW - dt.timedelta(minutes=2))
    ApiUsageLogFactory(
        model=model, response_code=503, processing_time_ms=900, created_at=NOW - dt.timedelta(minutes=1)
    )
    ApiUsageLogFactory(model=other, response_code=500)
    ApiUsageLogFactory(model=AIModelFactory(developer=eve), response_code=500)
    response = signed_in.get(EXPORT_URL, {"status": "5xx", "model": "dana-summarizer"})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="usage-logs-')
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["created_at", "model", "request_method", "response_code"]
    assert len(rows) == 2
    assert rows[1][1:5] == ["dana-summarizer", "POST", "503", "900"]


def test_the_csv_export_without_filters_holds_every_row_of_every_own_model(signed_in, dana, model):
    add_logs(model, 120)
    add_logs(AIModelFactory(developer=dana), 5)
    response = signed_in.get(EXPORT_URL)
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 1 + 125


def test_a_developer_with_very_many_models_gets_the_same_page_from_one_ordered_query(dana, monkeypatch):
    models = AIModelFactory.create_batch(3, developer=dana)
    for offset, model in enumerate(models):
        add_logs(model, 4, start=NOW - dt.timedelta(seconds=offset))
    union = log_page(developer=dana, models=models, filters=LogFilters(), size=5)
    monkeypatch.setattr("dashboard.usage_logs.MAX_UNION_MODELS", 2)
    single = log_page(developer=dana, models=models, filters=LogFilters(), size=5)
    assert [r.log_id for r in single.rows] == [r.log_id for r in union.rows]
    assert single.older == union.older
