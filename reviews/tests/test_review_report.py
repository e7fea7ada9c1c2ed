"""Users report reviews to the moderators: the form, its refusals and the database's own rules."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from reviews import services
from reviews.models import ModelReview, ReportReason, ReportResolution, ReviewReport
from reviews.tests.factories import ModelReviewFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bobs_review(model, bob):
    return ModelReviewFactory(model=model, user=bob, review_title="Bob thinks it is great")


def url(review) -> str:
    return reverse("reviews:report", args=[review.model.api_name, review.pk])


def page_url(review) -> str:
    return reverse("catalog:model_reviews", args=[review.model.api_name])


def test_a_verified_user_reports_someone_elses_review_with_a_reason_and_details(
    alice_client, alice, bobs_review
):
    form = alice_client.get(url(bobs_review))
    assert form.status_code == 200
    assert "Bob thinks it is great" in form.content.decode()

    response = alice_client.post(url(bobs_review), {"reason": "spam", "details": "Links to a shop."})

    assert response.status_code == 302
    assert response["Location"] == f"/models/{bobs_review.model.api_name}/reviews/#review-{bobs_review.pk}"
    report = ReviewReport.objects.get()
    assert (report.review, report.user, report.reason, report.details) == (
        bobs_review,
        alice,
        ReportReason.SPAM,
        "Links to a shop.",
    )
    assert (report.resolved_at, report.resolution, report.resolved_by) == (None, None, None)
    shown = alice_client.get(response["Location"])
    assert "Thank you: the moderators will look at your report." in shown.content.decode()


def test_the_model_page_offers_the_report_link_and_then_says_reported(alice_client, alice, bobs_review):
    before = alice_client.get(page_url(bobs_review)).content.decode()
    assert f'href="{url(bobs_review)}?next=' in before

    services.review_report_create(user=alice, review=bobs_review, reason=ReportReason.OFFENSIVE)
    after = alice_client.get(page_url(bobs_review)).content.decode()

    assert f'href="{url(bobs_review)}?next=' not in after
    assert '<span class="muted review-reported">Reported</span>' in after


def test_the_report_leads_back_to_the_page_it_came_from_and_nowhere_else(alice_client, bobs_review):
    filtered = f"{page_url(bobs_review)}?reviews=verified&review_page=1"
    form = alice_client.get(url(bobs_review), {"next": filtered}).content.decode()

    kept = alice_client.post(url(bobs_review), {"reason": "spam", "next": filtered})
    ReviewReport.objects.all().delete()
    elsewhere = alice_client.post(url(bobs_review), {"reason": "spam", "next": "https://evil.example.com/"})

    assert kept["Location"] == f"{filtered}#review-{bobs_review.pk}"
    assert elsewhere["Location"] == f"{page_url(bobs_review)}#review-{bobs_review.pk}"
    assert (
        '<input type="hidden" name="next" value="/models/dana-summarizer/reviews/?reviews=verified&amp;review_page=1">'
        in form
    )


def test_details_are_optional(alice_client, bobs_review):
    response = alice_client.post(url(bobs_review), {"reason": "not_this_model"})

    assert response.status_code == 302
    assert ReviewReport.objects.get().details == ""


def test_a_report_without_a_reason_comes_back_with_an_error_and_the_details_kept(alice_client, bobs_review):
    response = alice_client.post(url(bobs_review), {"details": "It is an ad for another site."})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose why you are reporting this review." in html
    assert "It is an ad for another site." in html
    assert not ReviewReport.objects.exists()


def test_an_unknown_reason_is_refused_with_a_message(alice_client, bobs_review):
    response = alice_client.post(url(bobs_review), {"reason": "boring"})

    assert "Choose one of the reasons listed." in response.content.decode()
    assert not ReviewReport.objects.exists()


def test_too_long_details_are_refused_and_kept(alice_client, bobs_review):
    response = alice_client.post(url(bobs_review), {"reason": "other", "details": "x" * 2001})

    assert "Keep the details under 2000 characters." in response.content.decode()
    assert not ReviewReport.objects.exists()


def test_reporting_twice_says_you_already_did(alice_client, alice, bobs_review):
    alice_client.post(url(bobs_review), {"reason": "spam"})

    again = alice_client.post(url(bobs_review), {"reason": "offensive", "details": "And rude."})
    form = alice_client.get(url(bobs_review))

    assert again.status_code == 200
    assert services.ALREADY_REPORTED in again.content.decode()
    assert "And rude." in again.content.decode()
    assert "You have already reported this review" in form.content.decode()
    assert 'name="reason"' not in form.content.decode()
    assert ReviewReport.objects.count() == 1


def test_the_database_holds_one_open_report_per_user_and_review(alice, bobs_review):
    ReviewReport.objects.create(review=bobs_review, user=alice, reason=ReportReason.SPAM)

    with (
        pytest.raises(IntegrityError, match="review_reports_one_open_per_user"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "INSERT INTO review_reports (review_id, user_id, reason) VALUES (%s, %s, 'other')",
            [bobs_review.pk, alice.pk],
        )


def test_after_a_dismissal_the_same_user_may_report_again(alice, bobs_review, staff):
    first = services.review_report_create(user=alice, review=bobs_review, reason=ReportReason.SPAM)
    services.review_reports_dismiss(report_ids=[first.pk], staff=staff)

    second = services.review_report_create(user=alice, review=bobs_review, reason=ReportReason.OFFENSIVE)

    assert ReviewReport.objects.open().get() == second


def test_nobody_reports_their_own_review(client, bob, bobs_review):
    client.force_login(bob)

    form = client.get(url(bobs_review))
    post = client.post(url(bobs_review), {"reason": "spam"})

    assert services.OWN_REVIEW_REPORT in form.content.decode()
    assert 'name="reason"' not in form.content.decode()
    assert post.status_code == 403
    assert not ReviewReport.objects.exists()
    page = client.get(page_url(bobs_review)).content.decode()
    assert f'href="{url(bobs_review)}?next=' not in page


def test_the_database_refuses_a_report_by_the_reviews_author_however_it_is_written(bob, bobs_review):
    with (
        pytest.raises(IntegrityError, match="cannot be reported by its author"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "INSERT INTO review_reports (review_id, user_id, reason) VALUES (%s, %s, 'spam')",
            [bobs_review.pk, bob.pk],
        )
    assert not ReviewReport.objects.exists()


def test_an_anonymous_visitor_is_sent_to_sign_in(client, bobs_review):
    get = client.get(url(bobs_review))
    post = client.post(url(bobs_review), {"reason": "spam"})

    for response in (get, post):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    assert not ReviewReport.objects.exists()
    page = client.get(page_url(bobs_review)).content.decode()
    assert f'href="{url(bobs_review)}?next=' in page  # the link is there; it leads to the sign-in


def test_a_user_with_an_unverified_address_is_told_to_verify_first(client, pat, bobs_review):
    client.force_login(pat)

    form = client.get(url(bobs_review))
    post = client.post(url(bobs_review), {"reason": "spam"})

    assert "Verify your email address to report reviews" in form.content.decode()
    assert post.status_code == 403
    assert not ReviewReport.objects.exists()


def test_someone_elses_hidden_review_is_not_found(alice_client, bobs_review):
    ModelReview.objects.filter(pk=bobs_review.pk).update(is_hidden=True)

    assert alice_client.get(url(bobs_review)).status_code == 404
    assert alice_client.post(url(bobs_review), {"reason": "spam"}).status_code == 404
    assert not ReviewReport.objects.exists()


def test_a_review_of_another_model_is_not_found_under_this_one(alice_client, bobs_review, eve):
    from catalog.tests.factories import AIModelFactory

    other = AIModelFactory(developer=eve)
    wrong = reverse("reviews:report", args=[other.api_name, bobs_review.pk])

    assert alice_client.get(wrong).status_code == 404


def test_the_service_refuses_a_review_hidden_meanwhile(alice, bobs_review):
    ModelReview.objects.filter(pk=bobs_review.pk).update(is_hidden=True)

    with pytest.raises(services.ReviewError, match="no longer shown"):
        services.review_report_create(user=alice, review=bobs_review, reason=ReportReason.SPAM)


def test_the_service_locks_the_review_row_before_writing_the_report(
    alice, bobs_review, django_assert_num_queries
):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        services.review_report_create(user=alice, review=bobs_review, reason=ReportReason.SPAM)

    statements = [q["sql"] for q in queries.captured_queries]
    lock = next(i for i, sql in enumerate(statements) if "FOR NO KEY UPDATE" in sql)
    insert = next(i for i, sql in enumerate(statements) if sql.startswith('INSERT INTO "review_reports"'))
    assert lock < insert


def test_a_resolved_report_always_says_how(alice, bobs_review):
    report = ReviewReport.objects.create(review=bobs_review, user=alice, reason=ReportReason.SPAM)

    with pytest.raises(IntegrityError, match="review_reports_resolution_when_resolved"), transaction.atomic():
        ReviewReport.objects.filter(pk=report.pk).update(resolution=ReportResolution.DISMISSED)
    with (
        pytest.raises(IntegrityError, match="review_reports_resolution_valid"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE review_reports SET resolved_at = now(), resolution = 'deleted' WHERE report_id = %s",
            [report.pk],
        )
    with pytest.raises(IntegrityError, match="review_reports_reason_valid"), transaction.atomic():
        ReviewReport.objects.filter(pk=report.pk).update(reason="boring")


def test_deleting_the_review_or_the_reporter_by_sql_removes_their_reports(alice, bobs_review, model, pat):
    ReviewReport.objects.create(review=bobs_review, user=alice, reason=ReportReason.SPAM)
    pats_review = ModelReviewFactory(model=model, user=pat)
    ReviewReport.objects.create(review=pats_review, user=alice, reason=ReportReason.SPAM)

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM model_reviews WHERE review_id = %s", [bobs_review.pk])
        assert list(ReviewReport.objects.values_list("review_id", flat=True)) == [pats_review.pk]
        cursor.execute("DELETE FROM users WHERE user_id = %s", [alice.pk])

    assert not ReviewReport.objects.exists()


def test_every_key_of_the_reports_cascades_in_the_database(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT confdeltype FROM pg_constraint WHERE contype = 'f' AND conrelid = 'review_reports'::regclass"
        )
        actions = [row[0] for row in cursor.fetchall()]

    assert actions == ["c", "c", "c"]
