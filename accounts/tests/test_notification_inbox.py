"""/me/notifications/: the inbox, its links, "Mark all read", the header's badge, and the settings page."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Notification, NotificationKind, User
from accounts.notifications import Message, notify
from accounts.tests.factories import NotificationFactory

INBOX = reverse("me:notifications")
SETTINGS = reverse("me:notification_settings")
MARK_ALL = reverse("me:notifications_mark_read")

pytestmark = pytest.mark.django_db


def notices(user, count: int, *, kind=NotificationKind.REVIEW_REPLY, read=False) -> list[Notification]:
    """`count` notifications for `user`, a minute apart, the last one newest."""
    start = timezone.now() - timedelta(days=1)
    rows = []
    for number in range(count):
        row = NotificationFactory(
            user=user,
            kind=kind,
            payload={"title": f"Notice {number}", "url": "/models/"},
            read_at=timezone.now() if read else None,
        )
        Notification.objects.filter(pk=row.pk).update(created_at=start + timedelta(minutes=number))
        rows.append(row)
    return rows


def open_url(notification: Notification) -> str:
    return reverse("me:notification_open", args=[notification.pk])


# --- The inbox ------------------------------------------------------------------------------------------
def test_it_asks_visitors_to_sign_in(client):
    for url in (INBOX, SETTINGS):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_it_lists_the_users_own_notifications_newest_first_with_unread_ones_marked_in_words(
    alice_client, alice, bob
):
    old, new = notices(alice, 2)
    Notification.objects.filter(pk=old.pk).update(read_at=timezone.now())
    notices(bob, 1)

    response = alice_client.get(INBOX)

    assert [row.pk for row in response.context["page_obj"]] == [new.pk, old.pk]
    html = response.content.decode()
    assert html.index("Notice 1") < html.index("Notice 0")
    unread_row = html[html.index('class="inbox-item is-unread"') : html.index("Notice 1")]
    assert ">New<" in unread_row  # a word, not only a colour
    assert html.count(">New<") == 1
    assert "1 unread" in html
    assert open_url(new) in html and open_url(old) in html


def test_it_pages_twenty_five_at_a_time(alice_client, alice):
    notices(alice, 30)

    first = alice_client.get(INBOX)
    second = alice_client.get(INBOX, {"page": 2})

    assert [n.title for n in first.context["page_obj"]][:2] == ["Notice 29", "Notice 28"]
    assert len(first.context["page_obj"]) == 25
    assert [n.title for n in second.context["page_obj"]] == [f"Notice {n}" for n in range(4, -1, -1)]
    assert 'aria-label="Notification pages"' in first.content.decode()


def test_it_filters_by_kind(alice_client, alice):
    notices(alice, 2, kind=NotificationKind.REVIEW_REPLY)
    decided = notices(alice, 1, kind=NotificationKind.MODEL_DECIDED)

    response = alice_client.get(INBOX, {"kind": "model_decided"})

    assert [row.pk for row in response.context["page_obj"]] == [decided[0].pk]
    assert "Show all" in response.content.decode()


def test_an_unknown_kind_is_refused_in_words_and_everything_is_shown(alice_client, alice):
    notices(alice, 2)

    response = alice_client.get(INBOX, {"kind": "gossip"})

    assert response.status_code == 200
    assert len(response.context["page_obj"]) == 2
    assert "“gossip” is not a kind of notification" in response.content.decode()


def test_an_empty_inbox_says_what_will_show_up_there(alice_client):
    html = alice_client.get(INBOX).content.decode()

    assert "No notifications yet." in html
    assert "a developer's reply to your review" in html
    assert SETTINGS in html
    assert "Mark all read" not in html


def test_an_empty_filter_says_so(alice_client, alice):
    notices(alice, 1)

    html = alice_client.get(INBOX, {"kind": "new_review"}).content.decode()

    assert "No notifications of this kind: “Someone reviews my model”." in html


# --- Opening one ----------------------------------------------------------------------------------------
def test_opening_one_marks_it_read_and_goes_to_its_page(alice_client, alice):
    notification = NotificationFactory(
        user=alice, payload={"title": "Reply", "url": "/models/echo/#review-1"}
    )
    other = NotificationFactory(user=alice)

    response = alice_client.get(open_url(notification))

    assert response.status_code == 302
    assert response["Location"] == "/models/echo/#review-1"
    notification.refresh_from_db()
    other.refresh_from_db()
    assert notification.read_at is not None
    assert other.read_at is None


@pytest.mark.parametrize(
    "url",
    ["https://evil.example/", "//evil.example/path", "/\\evil.example/", "javascript:alert(1)", "models/"],
)
def test_a_link_off_the_site_is_not_followed(alice_client, alice, url):
    notification = NotificationFactory(user=alice, payload={"title": "Odd", "url": url})

    response = alice_client.get(open_url(notification), follow=True)

    assert response.redirect_chain == [(INBOX, 302)]
    assert "does not lead to a page of this site" in response.content.decode()
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_another_users_notification_is_not_found_and_stays_unread(alice_client, bob):
    theirs = NotificationFactory(user=bob)

    assert alice_client.get(open_url(theirs)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


# --- Mark all read --------------------------------------------------------------------------------------
def test_mark_all_read_marks_only_the_users_rows(alice_client, alice, bob):
    notices(alice, 3)
    theirs = notices(bob, 1)

    response = alice_client.post(MARK_ALL, follow=True)

    assert response.redirect_chain == [(INBOX, 302)]
    assert "Marked 3 notifications read." in response.content.decode()
    assert not Notification.objects.filter(user=alice, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=theirs[0].pk).read_at is None
    again = alice_client.post(MARK_ALL, follow=True)
    assert "Everything was read already." in again.content.decode()


def test_mark_all_read_takes_a_post_with_its_csrf_token(alice):
    notices(alice, 1)
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    assert client.get(MARK_ALL).status_code == 405
    assert client.post(MARK_ALL).status_code == 403
    assert Notification.objects.filter(read_at__isnull=True).count() == 1


# --- The header's badge ---------------------------------------------------------------------------------
def test_the_header_shows_how_many_are_unread(alice_client, alice):
    assert "nav-badge" not in alice_client.get("/models/").content.decode()

    notices(alice, 3)
    notices(alice, 2, read=True)
    html = alice_client.get("/models/").content.decode()

    assert '<span class="nav-badge">3<span class="visually-hidden"> unread</span></span>' in html

    alice_client.post(MARK_ALL)
    assert "nav-badge" not in alice_client.get("/models/").content.decode()


def test_the_badge_stops_counting_at_ninety_nine(alice_client, alice):
    Notification.objects.bulk_create(
        [
            Notification(user=alice, kind="review_reply", payload={"title": "t", "url": "/"})
            for _ in range(120)
        ]
    )

    html = alice_client.get("/models/").content.decode()

    assert '<span class="nav-badge">99+<span class="visually-hidden"> unread</span></span>' in html
    assert "99+ unread" in alice_client.get(INBOX).content.decode()


def test_visitors_get_no_inbox_link(client):
    assert INBOX not in client.get("/models/").content.decode()


def test_the_badge_costs_no_query_of_its_own(alice_client, alice, django_assert_max_num_queries):
    alice_client.get(reverse("me:profile"))  # warm up
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as none_unread:
        alice_client.get(reverse("keys:list"))
    notices(alice, 5)

    with django_assert_max_num_queries(len(none_unread.captured_queries)) as some_unread:
        response = alice_client.get(reverse("keys:list"))

    assert 'class="nav-badge">5<' in response.content.decode()
    user_queries = [q["sql"] for q in some_unread.captured_queries if 'FROM "users"' in q["sql"]]
    assert len(user_queries) == 1 and "notifications" in user_queries[0]


@pytest.mark.parametrize("rows", [1, 50])
def test_the_inbox_runs_a_fixed_number_of_queries(alice_client, alice, rows, django_assert_max_num_queries):
    notices(alice, rows)

    with django_assert_max_num_queries(4):  # the session, the user with its unread count, the count, the page
        response = alice_client.get(INBOX)

    assert response.status_code == 200


# --- Settings -------------------------------------------------------------------------------------------
def test_the_profile_and_the_inbox_link_to_the_settings(alice_client):
    assert SETTINGS in alice_client.get(reverse("me:profile")).content.decode()
    assert INBOX in alice_client.get(reverse("me:profile")).content.decode()
    assert SETTINGS in alice_client.get(INBOX).content.decode()


def test_the_settings_show_every_kind_on_until_switched_off(alice_client, alice):
    alice.notifications_off = ["new_review"]
    alice.notification_mails_off = ["review_reply"]
    alice.save()

    response = alice_client.get(SETTINGS)

    rows = {row["value"]: row for row in response.context["form"].rows()}
    assert set(rows) == set(NotificationKind.values)
    assert (rows["new_review"]["site"], rows["new_review"]["mail"]) == (False, True)
    assert (rows["review_reply"]["site"], rows["review_reply"]["mail"]) == (True, False)
    html = response.content.decode()
    assert 'name="site" value="model_decided" checked' in html
    assert 'name="site" value="new_review">' in html


def test_saving_the_settings_switches_off_the_unticked_kinds(alice_client, alice):
    kept = [kind for kind in NotificationKind.values if kind != "model_deprecated"]
    response = alice_client.post(
        SETTINGS, {"site": kept, "mail": ["developer_decided", "model_decided"]}, follow=True
    )

    assert response.redirect_chain == [(SETTINGS, 302)]
    assert "Your notification settings are saved." in response.content.decode()
    alice.refresh_from_db()
    assert alice.notifications_off == ["model_deprecated"]
    assert alice.notification_mails_off == sorted(["review_reply", "new_review", "model_deprecated"])


def test_nothing_ticked_switches_everything_off(alice_client, alice):
    alice_client.post(SETTINGS, {})

    alice.refresh_from_db()
    assert sorted(alice.notifications_off) == sorted(NotificationKind.values)
    assert sorted(alice.notification_mails_off) == sorted(NotificationKind.values)


def test_an_unknown_kind_is_refused_clearly_and_nothing_is_saved(alice_client, alice):
    response = alice_client.post(SETTINGS, {"site": ["review_reply", "gossip"], "mail": ["review_reply"]})

    assert response.status_code == 400
    html = response.content.decode()
    assert "These settings could not be saved" in html
    assert "“gossip” is not a kind of notification. Choose among the kinds listed." in html
    assert 'name="site" value="review_reply" checked' in html  # what was sent is kept on the page
    assert User.objects.get(pk=alice.pk).notifications_off == []


def test_mails_name_the_settings_page(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            user_id=alice.pk,
            message=Message(
                kind=NotificationKind.REVIEW_REPLY,
                title="Ada replied to your review of Echo",
                url="/models/echo/#review-1",
                mail_template="review_reply",
                mail_context={
                    "user": {"username": "alice"},
                    "model_name": "Echo",
                    "review_title": "Quick",
                    "reply_text": "Thanks!",
                    "review_url": "http://testserver/models/echo/#review-1",
                },
            ),
        )

    (message,) = mail.outbox
    assert message.body.rstrip().endswith(f"Change what we send you: http://127.0.0.1:8000{SETTINGS}")
    assert f'<a href="http://127.0.0.1:8000{SETTINGS}">' in message.alternatives[0][0]
