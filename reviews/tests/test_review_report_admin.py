"""The moderators' queue of reported reviews in the admin: hide the review or dismiss the report."""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import UserFactory
from reviews.models import ModelReview, ReportReason, ReportResolution, ReviewReport
from reviews.tests.factories import ModelReviewFactory

pytestmark = pytest.mark.django_db

QUEUE = "admin:reviews_reviewreport_changelist"


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def reported(model, bob, alice):
    """bob's 1-star review, reported by alice and by a third user; and a 5-star review reported once."""
    review = ModelReviewFactory(
        model=model, user=bob, rating=1, review_title="Buy cheap watches", review_text="Visit my shop today."
    )
    carol = UserFactory(username="carol")
    fair = ModelReviewFactory(model=model, user=carol, rating=5, review_title="Honest praise")
    reports = [
        ReviewReport.objects.create(review=review, user=alice, reason=ReportReason.SPAM, details="An ad."),
        ReviewReport.objects.create(review=review, user=carol, reason=ReportReason.OFF_TOPIC),
        ReviewReport.objects.create(
            review=fair, user=alice, reason=ReportReason.OTHER, details="I disagree."
        ),
    ]
    return {"review": review, "fair": fair, "reports": reports}


def run_action(client, action: str, reports) -> list[str]:
    response = client.post(
        reverse(QUEUE), {"action": action, admin.helpers.ACTION_CHECKBOX_NAME: [str(r.pk) for r in reports]}
    )
    assert response.status_code == 302
    return [str(message) for message in client.get(response["Location"]).context["messages"]]


def test_the_queue_lists_open_reports_with_the_review_its_author_the_reporter_and_the_reason(
    staff_client, reported, staff
):
    from reviews import services

    services.review_reports_dismiss(report_ids=[reported["reports"][2].pk], staff=staff)

    response = staff_client.get(reverse(QUEUE))

    assert response.status_code == 200
    assert {row.pk for row in response.context["cl"].result_list} == {r.pk for r in reported["reports"][:2]}
    html = response.content.decode()
    for text in ("Buy cheap watches: Visit my shop today.", "bob", "alice", "carol", "Spam or advertising"):
        assert text in html
    resolved = staff_client.get(reverse(QUEUE), {"status": "resolved"})
    assert [row.pk for row in resolved.context["cl"].result_list] == [reported["reports"][2].pk]
    everything = staff_client.get(reverse(QUEUE), {"status": "all"})
    assert everything.context["cl"].result_count == 3


def test_a_report_page_shows_the_whole_review_and_takes_no_input(staff_client, reported):
    report = reported["reports"][0]
    response = staff_client.get(reverse("admin:reviews_reviewreport_change", args=[report.pk]))

    assert response.status_code == 200
    assert "Visit my shop today." in response.content.decode()
    assert response.context["adminform"].form.fields == {}
    assert staff_client.get(reverse("admin:reviews_reviewreport_add")).status_code == 403


def test_hiding_a_reported_review_resolves_all_its_open_reports_and_moves_the_rating(
    staff_client, reported, staff, model
):
    model.refresh_from_db()
    assert (model.rating_count, model.average_rating) == (2, Decimal("3.00"))

    messages = run_action(staff_client, "hide_reviews", [reported["reports"][0]])

    assert messages == ["1 review hidden."]
    assert ModelReview.objects.get(pk=reported["review"].pk).is_hidden
    assert not ModelReview.objects.get(pk=reported["fair"].pk).is_hidden
    for report in reported["reports"][:2]:  # carol's report of the same review too
        report.refresh_from_db()
        assert report.resolution == ReportResolution.HIDDEN
        assert report.resolved_at is not None
        assert report.resolved_by == staff
    assert ReviewReport.objects.open().get() == reported["reports"][2]
    model.refresh_from_db()
    assert (model.rating_count, model.average_rating) == (1, Decimal("5.00"))


def test_the_author_of_the_hidden_review_sees_the_moderators_notice_and_others_a_404(
    client, staff_client, reported, bob, alice
):
    run_action(staff_client, "hide_reviews", [reported["reports"][0]])
    review = reported["review"]
    page = reverse("catalog:model_reviews", args=[review.model.api_name])

    client.force_login(bob)
    own = client.get(page).content.decode()
    assert "Moderators have hidden your review" in own
    client.force_login(alice)
    assert "Buy cheap watches" not in client.get(page).content.decode()
    report_url = reverse("reviews:report", args=[review.model.api_name, review.pk])
    assert client.get(report_url).status_code == 404


def test_dismissing_closes_only_the_selected_reports_and_leaves_the_review(staff_client, reported, staff):
    messages = run_action(staff_client, "dismiss_reports", [reported["reports"][0]])

    assert messages == ["1 report dismissed."]
    first, second, _third = (ReviewReport.objects.get(pk=r.pk) for r in reported["reports"])
    assert (first.resolution, first.resolved_by) == (ReportResolution.DISMISSED, staff)
    assert second.is_open
    assert not ModelReview.objects.get(pk=reported["review"].pk).is_hidden

    again = run_action(staff_client, "dismiss_reports", [first])
    assert again == ["No reports changed: they were already resolved."]


def test_hiding_from_the_reviews_own_admin_resolves_its_reports_too(staff_client, reported, staff):
    changelist = reverse("admin:reviews_modelreview_changelist")
    with CaptureQueriesContext(connection) as queries:
        staff_client.post(
            changelist,
            {"action": "hide_reviews", admin.helpers.ACTION_CHECKBOX_NAME: [str(reported["review"].pk)]},
        )

    assert ReviewReport.objects.open().get() == reported["reports"][2]
    assert ReviewReport.objects.filter(resolved_by=staff, resolution="hidden").count() == 2
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('UPDATE "model_reviews"')]
    assert len(updates) == 1


def test_hiding_by_plain_sql_resolves_the_reports_with_nobody_named(reported):
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE model_reviews SET is_hidden = true WHERE review_id = %s", [reported["fair"].pk]
        )

    report = ReviewReport.objects.get(pk=reported["reports"][2].pk)
    assert (report.resolution, report.resolved_by) == (ReportResolution.HIDDEN, None)
    assert report.resolved_at is not None
    assert ReviewReport.objects.open().count() == 2


def test_the_queue_runs_as_many_queries_for_fifty_reports_as_for_one(
    staff_client, model, django_assert_max_num_queries
):
    from reviews.tests.helpers import verified_users

    reporters = verified_users(50, prefix="reporter")
    review = ModelReviewFactory(model=model)
    ReviewReport.objects.create(review=review, user=reporters[0], reason=ReportReason.SPAM)
    with CaptureQueriesContext(connection) as one_row:
        assert staff_client.get(reverse(QUEUE)).status_code == 200

    for reporter in reporters[1:]:
        ReviewReport.objects.create(review=ModelReviewFactory(model=model), user=reporter, reason="spam")
    with django_assert_max_num_queries(len(one_row)):
        response = staff_client.get(reverse(QUEUE))
    assert response.context["cl"].result_count == 50
