import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from PIL import Image

from accounts.models import User, UserApiKey
from accounts.tests.factories import UserApiKeyFactory
from activity.models import UserHistory
from activity.tests.factories import UserHistoryFactory
from reviews.models import ModelReview
from reviews.tests.factories import ModelReviewFactory

pytestmark = pytest.mark.django_db

URL = reverse("me:delete_account")


def test_visitors_are_sent_to_sign_in(client):
    assert client.post(URL).url.startswith(reverse("accounts:login"))


def test_the_confirmation_page_asks_for_the_password_and_deletes_nothing(client, alice):
    client.force_login(alice)
    response = client.get(URL)
    html = response.content.decode()
    assert html.count("<h1") == 1
    assert 'for="id_password"' in html
    assert User.objects.filter(pk=alice.pk).exists()


def test_a_wrong_password_is_refused_beside_the_field(client, alice):
    client.force_login(alice)
    response = client.post(URL, {"password": "not-it"})
    assert response.status_code == 200
    assert response.context["form"].errors["password"] == ["That is not your password."]
    assert User.objects.filter(pk=alice.pk).exists()


def test_the_right_password_deletes_the_account_and_signs_out(client, alice, bob, model, password):
    UserHistoryFactory(user=alice, model=model)
    UserApiKeyFactory(user=alice)
    ModelReviewFactory(user=alice, model=model)
    UserHistoryFactory(user=bob, model=model)
    client.force_login(alice)

    response = client.post(URL, {"password": password})

    assert response.status_code == 302
    assert response.url == "/"
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(pk=alice.pk).exists()
    assert not UserHistory.objects.filter(user_id=alice.pk).exists()
    assert not UserApiKey.objects.filter(user_id=alice.pk).exists()
    assert not ModelReview.objects.filter(user_id=alice.pk).exists()
    assert UserHistory.objects.filter(user=bob).count() == 1
    assert client.get(reverse("me:profile")).status_code == 302


def test_the_database_removes_the_dependent_rows_in_one_statement(client, alice, model, password):
    UserHistoryFactory.create_batch(3, user=alice, model=model)
    client.force_login(alice)
    statements = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        client.post(URL, {"password": password})

    deletes = [sql for sql in statements if sql.lstrip().upper().startswith("DELETE")]
    assert [sql for sql in deletes if '"users"' in sql]
    assert not [sql for sql in deletes if "user_history" in sql]
    assert not UserHistory.objects.filter(user_id=alice.pk).exists()


def test_a_pending_user_can_delete_their_account(client, pat, password):
    client.force_login(pat)
    client.post(URL, {"password": password})
    assert not User.objects.filter(pk=pat.pk).exists()


def test_a_developer_is_warned_that_their_models_go_too(client, dana):
    client.force_login(dana.user)
    assert "every model you listed" in client.get(URL).content.decode()


def test_the_profile_picture_file_is_removed(
    client, alice, password, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, format="PNG")
    client.force_login(alice)
    client.post(
        reverse("me:profile_edit"), {"profile_picture": SimpleUploadedFile("a.png", buffer.getvalue())}
    )
    alice.refresh_from_db()
    stored = tmp_path / alice.profile_picture.name
    assert stored.exists()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {"password": password})

    assert not User.objects.filter(pk=alice.pk).exists()
    assert not stored.exists()
