"""A report written while staff hide the same review: it is either resolved with the review or refused,
never left open on a hidden review. Two real connections, one thread each."""

import threading

import pytest
from django.db import connection, transaction

from accounts.tests.factories import DeveloperFactory, StaffFactory, UserFactory
from catalog.tests.factories import AIModelFactory
from reviews import services
from reviews.models import ModelReview, ReportReason, ReportResolution, ReviewReport
from reviews.tests.factories import ModelReviewFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def scene():
    model = AIModelFactory(developer=DeveloperFactory())
    review = ModelReviewFactory(model=model, user=UserFactory())
    return {"review": review, "reporter": UserFactory(), "staff": StaffFactory()}


def in_thread(work) -> tuple[threading.Thread, list]:
    outcome: list = []

    def run():
        try:
            outcome.append(work())
        except Exception as error:  # noqa: BLE001 - the test reads what happened
            outcome.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def backend_waits_for_a_lock(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return row is not None and row[0] == "Lock"


def wait_until_blocked(pid_box: list) -> None:
    for _ in range(500):
        if pid_box and backend_waits_for_a_lock(pid_box[0]):
            return
        threading.Event().wait(0.01)
    raise AssertionError("the second writer never waited for the first")


def test_a_report_written_before_the_hide_commits_is_resolved_by_it(scene):
    review, reporter, staff = scene["review"], scene["reporter"], scene["staff"]
    report_written, hide_started = threading.Event(), threading.Event()
    hide_pid: list = []

    def report():
        with transaction.atomic():
            created = services.review_report_create(user=reporter, review=review, reason=ReportReason.SPAM)
            report_written.set()
            hide_started.wait(5)
            wait_until_blocked(hide_pid)  # the hide queues on the review row this transaction holds
        return created

    def hide():
        report_written.wait(5)
        hide_pid.append(connection.cursor().connection.info.backend_pid)
        hide_started.set()
        return services.reviews_hide(review_ids=[review.pk], staff=staff)

    reporting, reported = in_thread(report)
    hiding, hidden = in_thread(hide)
    reporting.join(10)
    hiding.join(10)

    assert hidden == [1]
    report_row = ReviewReport.objects.get(pk=reported[0].pk)
    assert (report_row.resolution, report_row.resolved_by_id) == (ReportResolution.HIDDEN, staff.pk)
    assert ModelReview.objects.get(pk=review.pk).is_hidden


def test_a_report_that_comes_while_the_hide_is_uncommitted_waits_and_is_refused(scene):
    review, reporter, staff = scene["review"], scene["reporter"], scene["staff"]
    hidden_uncommitted, report_pid = threading.Event(), []

    def hide():
        with transaction.atomic():
            changed = services.reviews_hide(review_ids=[review.pk], staff=staff)
            hidden_uncommitted.set()
            wait_until_blocked(report_pid)  # the report queues on the review row this transaction holds
        return changed

    def report():
        hidden_uncommitted.wait(5)
        report_pid.append(connection.cursor().connection.info.backend_pid)
        return services.review_report_create(user=reporter, review=review, reason=ReportReason.SPAM)

    hiding, hidden = in_thread(hide)
    reporting, reported = in_thread(report)
    hiding.join(10)
    reporting.join(10)

    assert hidden == [1]
    assert isinstance(reported[0], services.ReviewError)
    assert str(reported[0]) == "This review is no longer shown."
    assert not ReviewReport.objects.exists()
