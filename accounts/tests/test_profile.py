from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from activity.tests.factories import UserHistoryFactory
from catalog.tests.factories import AIModelFactory
from reviews.tests.factories import ModelReviewFactory

pytestmark = pytest.mark.django_db

URL = reverse("me:profile")


def test_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next={URL}"


def test_it_shows_the_profile_with_one_heading(client, alice):
    alice.city, alice.country, alice.bio = "Lyon", "France", "Line one\nLine two"
    alice.save()
    client.force_login(alice)
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert "alice@example.com" in html
    assert "Lyon, France" in html
    assert "Line one<br>Line two" in html
    assert 'href="/me/history/"' in html
    assert 'href="/me/keys/"' in html
    assert "Confirm your email address" not in html


def test_it_summarises_the_users_activity_from_the_database_view(client, alice, model, bob):
    other_model = AIModelFactory()
    now = timezone.now()
    last = now - timedelta(hours=1)
    for cost, latency, when, used in [
        ("0.2500", 100, now - timedelta(hours=3), model),
        ("0.5000", 200, now - timedelta(hours=2), model),
        ("1.0000", 600, last, other_model),
    ]:
        UserHistoryFactory(
            user=alice,
            model=used,
            cost_incurred=Decimal(cost),
            response_time_ms=latency,
            request_timestamp=when,
        )
    UserHistoryFactory(user=bob, model=model, cost_incurred=Decimal("9.0000"), request_timestamp=now)
    ModelReviewFactory(user=alice, model=model)
    client.force_login(alice)

    response = client.get(URL)
    summary = response.context["summary"]
    assert summary.total_interactions == 3
    assert summary.distinct_models == 2
    assert summary.total_cost == Decimal("1.7500")
    assert summary.avg_response_time_ms == Decimal("300.00")
    assert summary.last_activity_at == last
    assert summary.reviews_written == 1
    html = response.content.decode()
    assert "$1.7500" in html
    assert "300 ms" in html


def test_a_user_with_no_activity_sees_zeros(client, alice):
    client.force_login(alice)
    response = client.get(URL)
    assert response.context["summary"].total_interactions == 0
    assert "Nothing yet" in response.content.decode()


def test_a_pending_user_sees_the_banner_with_a_resend_button(client, pat):
    client.force_login(pat)
    html = client.get(URL).content.decode()
    assert "Confirm your email address" in html
    assert f'action="{reverse("accounts:resend_verification")}"' in html
    assert "Email not confirmed" in html


def test_staff_see_their_own_account(client, staff, alice, model):
    UserHistoryFactory(user=alice, model=model, prompt="alice's secret prompt")
    client.force_login(staff)
    response = client.get(URL)
    assert response.context["summary"].total_interactions == 0
    assert "alice's secret prompt" not in response.content.decode()


def test_another_users_history_never_shows(client, alice, bob, model):
    UserHistoryFactory(user=bob, model=model, prompt="bob asks about tides")
    client.force_login(alice)
    assert "bob asks about tides" not in client.get(URL).content.decode()


@pytest.mark.parametrize("rows", [1, 50])
def test_it_runs_a_fixed_number_of_queries(client, alice, model, rows, django_assert_max_num_queries):
    start = timezone.now() - timedelta(days=1)
    models = [model, AIModelFactory(), AIModelFactory()]
    for n in range(rows):
        UserHistoryFactory(user=alice, model=models[n % 3], request_timestamp=start + timedelta(minutes=n))
        if n < 3:
            ModelReviewFactory(user=alice, model=models[n])
    client.force_login(alice)
    with django_assert_max_num_queries(5):
        response = client.get(URL)
    assert response.status_code == 200
    assert len(response.context["recent"]) == min(rows, 5)
