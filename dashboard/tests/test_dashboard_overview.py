"""/dashboard/: who may see it, its headline figures, quota, charts and per-model table, and its cost."""

import datetime as dt
import math
import re
from decimal import Decimal

import pytest
from django import forms
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import DeveloperStatus
from accounts.tests.factories import DeveloperFactory
from activity.models import ApiUsageLog, DeveloperMonthlyUsage
from activity.tests.factories import ApiUsageLogFactory, UserHistoryFactory
from catalog.forms import ChartRangeForm
from catalog.models import AIModel, ModelStatus
from catalog.tests.factories import AIModelFactory
from dashboard.selectors import ModelPeriodFigures, first_of_next_month
from dashboard.views.overview import per_model_rows
from reviews.tests.factories import ModelReviewFactory

pytestmark = pytest.mark.django_db
URL = reverse("dashboard:overview")


def days_ago(days: int, hour: int = 12) -> dt.datetime:
    today = timezone.now().astimezone(dt.UTC).replace(hour=hour, minute=0, second=0, microsecond=0)
    return today - dt.timedelta(days=days)


def bucket_upper(ms: int) -> float:
    bucket = min(63, math.floor(math.log(ms + 1) / math.log(1.2)))
    return round(1.2 ** (bucket + 1) - 1, 1)


def chart(response, chart_id):
    return next(c for c in response.context["charts"] if c.chart_id == chart_id)


def test_it_sends_anonymous_visitors_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_it_invites_a_plain_user_to_apply_instead(client, alice):
    client.force_login(alice)
    response = client.get(URL)
    assert response.status_code == 403
    assert "You are not a developer yet" in response.content.decode()
    assert reverse("apply:apply") in response.content.decode()


@pytest.mark.parametrize(
    ("status", "text"),
    [
        (DeveloperStatus.PENDING_APPROVAL, "waiting for approval"),
        (DeveloperStatus.SUSPENDED, "suspended"),
        (DeveloperStatus.INACTIVE, "inactive"),
    ],
)
def test_it_explains_why_a_developer_who_is_not_active_cannot_use_it(client, dana, model, status, text):
    dana.status = status
    dana.save()
    client.force_login(dana.user)
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 403
    assert text in html
    assert html.count("<h1") == 1
    assert "Calls per day" not in html
    assert not AIModel.objects.served().filter(pk=model.pk).exists()


def test_it_shows_the_headline_figures_of_the_developer_dashboard_stats_view(client, dana, model, alice, bob):
    AIModelFactory(developer=dana, status=ModelStatus.UNDER_REVIEW)
    ApiUsageLogFactory.create_batch(3, model=model)
    ApiUsageLogFactory(model=model, response_code=401)
    UserHistoryFactory(model=model, user=alice, cost_incurred=Decimal("1.5000"))
    UserHistoryFactory(model=model, user=bob, cost_incurred=Decimal("2.2500"))
    ModelReviewFactory(model=model, user=alice, rating=5)
    ModelReviewFactory(model=model, user=bob, rating=4)
    client.force_login(dana.user)
    response = client.get(URL)
    assert response.status_code == 200
    stats = response.context["stats"]
    assert (stats.total_models, stats.active_models, stats.total_requests, stats.total_users) == (2, 1, 3, 2)
    assert stats.average_rating == Decimal("4.50")
    assert stats.total_revenue == Decimal("3.7500")
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert "4.5 / 5" in html
    assert "$3.75" in html


def test_it_shows_this_months_forwarded_calls_against_the_quota_and_when_it_resets(client, dana):
    dana.api_quota = 10_000
    dana.save()
    month = timezone.now().astimezone(dt.UTC).date().replace(day=1)
    DeveloperMonthlyUsage.objects.create(developer=dana, month=month, calls=1234)
    DeveloperMonthlyUsage.objects.create(
        developer=dana, month=(month - dt.timedelta(days=1)).replace(day=1), calls=9000
    )
    client.force_login(dana.user)
    response = client.get(URL)
    quota = response.context["quota"]
    assert (quota.used, quota.quota, quota.remaining, quota.percent) == (1234, 10_000, 8766, 12)
    assert quota.resets_on == first_of_next_month(month)
    html = response.content.decode()
    assert "Forwarded calls: 1,234 of 10,000 (12%)" in html
    assert f"{quota.resets_on.day} {quota.resets_on:%B %Y}" in html
    assert '<meter id="quota-meter"' in html


def test_first_of_next_month_rolls_over_the_year():
    assert first_of_next_month(dt.date(2025, 12, 15)) == dt.date(2026, 1, 1)
    assert first_of_next_month(dt.date(2025, 1, 31)) == dt.date(2025, 2, 1)


def test_it_charts_calls_errors_latency_and_revenue_per_day_from_the_rollups(client, dana, model, alice):
    for _ in range(10):
        ApiUsageLogFactory(model=model, processing_time_ms=100, created_at=days_ago(2))
        ApiUsageLogFactory(model=model, processing_time_ms=1000, created_at=days_ago(2))
    ApiUsageLogFactory(model=model, response_code=429, created_at=days_ago(0))
    ApiUsageLogFactory(model=model, response_code=502, created_at=days_ago(0))
    UserHistoryFactory(
        model=model, user=alice, cost_incurred=Decimal("0.2500"), request_timestamp=days_ago(2)
    )
    client.force_login(dana.user)
    response = client.get(URL, {"days": 7})
    assert response.status_code == 200

    calls = chart(response, "chart-calls")
    assert len(calls.days) == 7
    assert calls.days[-1] == timezone.now().astimezone(dt.UTC).date()
    assert list(calls.series[0].values) == [0, 0, 0, 0, 20, 0, 1]  # the 429 was refused, not forwarded
    errors = chart(response, "chart-errors")
    assert [list(s.values) for s in errors.series] == [[0, 0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0, 1]]
    latency = chart(response, "chart-latency")
    p50, p95 = (list(s.values) for s in latency.series)
    assert p50[4] == bucket_upper(100)
    assert p95[4] == bucket_upper(1000)
    assert p50[:4] == [None] * 4
    revenue = chart(response, "chart-revenue")
    assert revenue.series[0].values[4] == Decimal("0.2500")

    html = response.content.decode()
    assert html.count('role="img"') == 4
    assert '<title id="chart-calls-title">Calls per day</title>' in html
    assert "The numbers" in html
    assert (
        "21 calls forwarded to your upstreams, 1 of them failed there; 1 refused before forwarding "
        "(bad requests, keys, credits, limits, quota); $0.25 revenue in this period."
    ) in html


@pytest.mark.parametrize(("days", "expected"), [("7", 7), ("30", 30), ("90", 90), ("13", 30), ("x", 30)])
def test_it_charts_the_chosen_period_and_falls_back_to_30_days(client, dana, model, days, expected):
    client.force_login(dana.user)
    response = client.get(URL, {"days": days})
    assert response.status_code == 200
    assert response.context["days_count"] == expected
    assert len(chart(response, "chart-calls").days) == expected


def test_it_charts_one_model_when_asked_and_keeps_the_table_for_all(client, dana, model):
    other = AIModelFactory(developer=dana, api_name="dana-other")
    ApiUsageLogFactory.create_batch(2, model=model)
    ApiUsageLogFactory.create_batch(5, model=other)
    client.force_login(dana.user)
    response = client.get(URL, {"model": "dana-other", "days": 7})
    assert response.context["selected"] == other
    assert chart(response, "chart-calls").series[0].values[-1] == 5
    table = {row.model.api_name: row.calls for row in response.context["table"]}
    assert table == {"dana-summarizer": 2, "dana-other": 5}


def test_it_answers_404_for_a_model_that_is_not_the_developers(client, dana, eve):
    AIModelFactory(developer=eve, api_name="eve-model")
    client.force_login(dana.user)
    assert client.get(URL, {"model": "eve-model"}).status_code == 404


def test_the_per_model_table_sums_the_period(client, dana, model):
    ApiUsageLogFactory(model=model, processing_time_ms=100, created_at=days_ago(1))
    ApiUsageLogFactory(model=model, processing_time_ms=300, response_code=502, created_at=days_ago(1))
    ApiUsageLogFactory(model=model, processing_time_ms=2, response_code=401, created_at=days_ago(1))
    ApiUsageLogFactory(model=model, created_at=days_ago(40))
    client.force_login(dana.user)
    row = client.get(URL, {"days": 30}).context["table"][0]
    assert (row.calls, row.errors, row.error_rate, row.mean_ms, row.refused) == (2, 1, 50.0, 200.0, 1)


def test_it_shows_an_invitation_when_the_developer_has_no_model(client, eve):
    client.force_login(eve.user)
    response = client.get(URL)
    assert response.status_code == 200
    assert "List your first model" in response.content.decode()


def _fill(developer, models: int, days: int):
    created = [AIModelFactory(developer=developer) for i in range(models)]
    ApiUsageLog.objects.bulk_create(
        ApiUsageLog(
            model=m, response_code=200 if d % 5 else 502, processing_time_ms=50 + d, created_at=days_ago(d)
        )
        for m in created
        for d in range(days)
    )


def test_its_query_count_does_not_grow_with_models_or_days(client, django_assert_max_num_queries):
    small, large = DeveloperFactory(), DeveloperFactory()
    _fill(small, models=1, days=7)
    _fill(large, models=20, days=90)
    client.force_login(small.user)
    with CaptureQueriesContext(connection) as baseline:
        assert client.get(URL, {"days": 7}).status_code == 200
    client.force_login(large.user)
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        response = client.get(URL, {"days": 90})
    assert response.status_code == 200
    assert sum(chart(response, "chart-calls").series[0].values) == 20 * 90


def test_it_never_reads_the_raw_logs(client, dana, model):
    ApiUsageLogFactory.create_batch(3, model=model)
    client.force_login(dana.user)
    with CaptureQueriesContext(connection) as queries:
        client.get(URL, {"days": 90})
    assert not [q["sql"] for q in queries.captured_queries if '"api_usage_logs"' in q["sql"]]


# The per-model rows as the overview's template loop wrote them, before they were built in Python.
TEMPLATE_ROWS = """{% load humanize figures %}{% for row in table %}
<tr{% if selected and selected.pk == row.model.pk %} class="is-selected"{% endif %}>
  <th scope="row"><a href="{% url 'dashboard:model_detail' row.model.api_name %}">{{ row.model.display_name }}</a><br><a class="small" href="?days={{ days_count }}&amp;model={{ row.model.api_name }}">charts</a></th>
  <td>{% include "dashboard/_status_badge.html" with status=row.model.status label=row.model.get_status_display %}</td>
  <td>{{ row.calls|intcomma }}</td>
  <td>{{ row.errors|intcomma }}{% if row.error_rate is not None %} <span class="muted">({{ row.error_rate }}%)</span>{% endif %}</td>
  <td>{{ row.refused|intcomma }}</td>
  <td>{% if row.mean_ms is not None %}{{ row.mean_ms }} ms{% else %}–{% endif %}</td>
  <td>{{ row.revenue|money_total }}</td>
  <td>{{ row.model.total_requests|intcomma }}</td>
  <td>{% if row.model.rating_count %}{{ row.model.average_rating|one_decimal }} ({{ row.model.rating_count }}){% else %}–{% endif %}</td>
</tr>
{% endfor %}"""


def compact(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


def test_the_per_model_rows_read_as_the_template_filters_wrote_them():
    def row(status, *, calls, errors, revenue, processing, requests, ratings=0, average="0", name=None):
        model = AIModel(
            display_name=name or f"Model {status}",
            api_name=f"m-{status}".replace("_", "-"),
            status=status,
            total_requests=requests,
            rating_count=ratings,
            average_rating=Decimal(average),
        )
        figures = ModelPeriodFigures(model=model, calls=calls, errors=errors, processing_ms=processing)
        figures.revenue = Decimal(revenue)
        return figures

    table = [
        row(
            ModelStatus.ACTIVE,
            calls=1_234_567,
            errors=1_234,
            revenue="1234.5650",
            processing=98_765_432,
            requests=9_876_543_210,
            ratings=12,
            average="4.50",
            name="Tom & Jerry's <b>model</b>",
        ),
        row(ModelStatus.UNDER_REVIEW, calls=3, errors=1, revenue="0.0050", processing=1000, requests=0),
        row(
            ModelStatus.INACTIVE,
            calls=0,
            errors=0,
            revenue="0",
            processing=0,
            requests=7,
            ratings=1,
            average="3.00",
        ),
        row(ModelStatus.DEPRECATED, calls=8, errors=0, revenue="0.1250", processing=1, requests=1_000),
    ]
    for selected in (None, table[1].model):
        context = {"table": table, "selected": selected, "days_count": 90}
        expected = Template(TEMPLATE_ROWS).render(Context(context))
        actual = str(per_model_rows(table, selected=selected, days_count=90))
        assert compact(actual) == compact(expected)
    assert "<td>$1,234.57</td>" in actual  # rounded half up, as floatformat does
    assert "<td>$0.01</td>" in actual
    assert "Tom &amp; Jerry&#x27;s &lt;b&gt;model&lt;/b&gt;" in actual
    assert actual.count('class="is-selected"') == 1


@pytest.mark.parametrize("data", [None, {"days": "90"}, {"days": "7", "model": "b-and-c"}, {"model": ""}])
def test_the_model_options_are_the_select_widget_markup(data):
    models = [
        AIModel(api_name="a-model", display_name="A model"),
        AIModel(api_name="b-and-c", display_name='B & "C" <model>'),
    ]
    form = ChartRangeForm(data, models=models)
    form.is_valid()
    select = str(form["model"])
    assert compact(select) == compact(
        forms.Select(choices=form.fields["model"].choices).render(
            "model", form["model"].value(), attrs={"id": "id_model"}
        )
    )
