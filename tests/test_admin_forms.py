"""Admin forms: real password hashing for users, keys issued by the service for models, and every rule the
database enforces shown as a message beside the form, never as a server error."""

import re

from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts import keys
from accounts.models import User
from accounts.tests.factories import DeveloperFactory, UserFactory
from activity.models import ApiUsageLog, UserHistory
from activity.tests.factories import ApiUsageLogFactory, UserHistoryFactory
from catalog.models import AIModel
from reviews.models import ModelReview
from reviews.tests.factories import ModelReviewFactory
from tests.conftest import sql

NEW_PASSWORD = "Plaid-Walrus-42-Orbit"
NO_REPLY = {
    "reply-TOTAL_FORMS": 0,
    "reply-INITIAL_FORMS": 0,
    "reply-MIN_NUM_FORMS": 0,
    "reply-MAX_NUM_FORMS": 1,
}
NO_MODELS = {
    "models-TOTAL_FORMS": 0,
    "models-INITIAL_FORMS": 0,
    "models-MIN_NUM_FORMS": 0,
    "models-MAX_NUM_FORMS": 0,
}


def messages_of(client, response) -> list[str]:
    return [str(message) for message in client.get(response["Location"]).context["messages"]]


def listing(developer, **changes) -> dict:
    data = {
        "developer": developer.pk,
        "display_name": "Brief Writer",
        "model_name": "brief-writer-v1",
        "api_name": "brief-writer",
        "description": "Writes briefs.",
        "category": "summarization",
        "tags": "summary,briefs",
        "status": "under_review",
        "is_public": "on",
        "endpoint_url": "https://upstream.example.com/summarize",
        "price_per_request": "0.0050",
    }
    return data | changes


# --- users --------------------------------------------------------------------------------------------


def test_adding_a_user_hashes_the_password(staff_client):
    response = staff_client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "newcomer",
            "email": "newcomer@example.com",
            "usable_password": "true",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "status": "active",
            "email_verified": "on",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(username="newcomer")
    assert NEW_PASSWORD not in user.password
    assert user.check_password(NEW_PASSWORD)
    assert (user.status, user.email_verified, user.is_active) == ("active", True, True)


def test_mismatched_passwords_are_refused_beside_the_form(staff_client):
    response = staff_client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "newcomer",
            "email": "newcomer@example.com",
            "usable_password": "true",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD + "x",
            "status": "active",
        },
    )

    assert response.status_code == 200
    assert "password2" in response.context["adminform"].form.errors
    assert not User.objects.filter(username="newcomer").exists()


def test_the_user_change_page_edits_status_not_is_active_and_links_to_the_password_form(staff_client, alice):
    response = staff_client.get(reverse("admin:accounts_user_change", args=[alice.pk]))

    form = response.context["adminform"].form
    assert "status" in form.fields
    assert not {"is_active", "date_joined", "password_hash"} & set(form.fields)
    assert 'href="../password/"' in response.content.decode()


def test_staff_can_set_a_new_password_through_the_password_form(staff_client, alice):
    response = staff_client.post(
        reverse("admin:auth_user_password_change", args=[alice.pk]),
        {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)


def test_an_email_taken_in_another_case_is_refused_beside_the_form(staff_client, alice):
    response = staff_client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "copycat",
            "email": "ALICE@example.com",
            "usable_password": "true",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "status": "active",
        },
    )

    assert response.status_code == 200
    assert "A user with that email address already exists." in response.content.decode()


# --- models -------------------------------------------------------------------------------------------


def test_adding_a_model_issues_a_key_shown_once_and_stores_only_its_hash(staff_client, dana):
    response = staff_client.post(reverse("admin:catalog_aimodel_add"), listing(dana))

    assert response.status_code == 302
    model = AIModel.objects.get(api_name="brief-writer")
    (message,) = [m for m in messages_of(staff_client, response) if "API key" in m]
    key = re.search(r"amp_mk_\w+", message).group()
    assert keys.has_valid_checksum(key)
    assert (model.api_key, model.api_key_prefix) == (keys.hash_key(key), key[:12])
    assert (
        key not in staff_client.get(reverse("admin:catalog_aimodel_change", args=[model.pk])).content.decode()
    )
    dana.refresh_from_db()
    assert dana.total_models_created == 1


def test_the_model_form_has_no_key_input(rf, staff, model):
    request = rf.get("/")
    request.user = staff
    model_admin = admin.site._registry[AIModel]

    for obj in (None, model):
        assert not {"api_key", "api_key_prefix"} & set(model_admin.get_form(request, obj).base_fields)


def test_an_endpoint_that_is_not_http_is_refused_beside_the_form(staff_client, dana):
    response = staff_client.post(
        reverse("admin:catalog_aimodel_add"), listing(dana, endpoint_url="ftp://files.example.com/model")
    )

    assert response.status_code == 200
    assert "The endpoint URL must start with http:// or https://." in response.content.decode()
    assert not AIModel.objects.filter(api_name="brief-writer").exists()


def test_a_taken_api_name_is_refused_beside_the_form(staff_client, dana, model):
    response = staff_client.post(reverse("admin:catalog_aimodel_add"), listing(dana, api_name=model.api_name))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["api_name"] == [
        "That API name is taken. Choose another."
    ]


def test_a_rule_only_the_database_knows_is_shown_as_a_message_not_a_server_error(staff_client, dana, model):
    sql("SET CONSTRAINTS ALL IMMEDIATE")
    sql("ALTER TABLE models ADD CONSTRAINT models_no_forbidden_names CHECK (display_name <> 'Forbidden')")
    change = reverse("admin:catalog_aimodel_change", args=[model.pk])

    response = staff_client.post(change, listing(dana, display_name="Forbidden", api_name=model.api_name))

    assert response.status_code == 302
    assert response["Location"] == change
    assert messages_of(staff_client, response) == [
        "Not saved. The change breaks the database rule “models_no_forbidden_names”."
    ]
    model.refresh_from_db()
    assert model.display_name == "Dana Summarizer"


# --- developers and reviews ---------------------------------------------------------------------------


def test_years_of_experience_out_of_range_are_refused_beside_the_form(staff_client):
    developer = DeveloperFactory()
    data = {
        "username": developer.username,
        "email": developer.email,
        "status": "active",
        "years_experience": 81,
        "api_quota": 1000,
        "expertise_areas": "nlp",
    } | NO_MODELS

    response = staff_client.post(reverse("admin:accounts_developer_change", args=[developer.pk]), data)

    assert response.status_code == 200
    assert "Years of experience must be between 0 and 80." in response.content.decode()


def review(model, user, **changes) -> dict:
    return (
        {
            "model": model.pk,
            "user": user.pk,
            "rating": 4,
            "review_title": "Solid",
            "review_text": "Works well.",
        }
        | NO_REPLY
        | changes
    )


def test_a_rating_out_of_range_is_refused_beside_the_form(staff_client, model, alice):
    response = staff_client.post(reverse("admin:reviews_modelreview_add"), review(model, alice, rating=6))

    assert response.status_code == 200
    assert "A rating is a whole number from 1 to 5." in response.content.decode()
    assert not ModelReview.objects.exists()


def test_a_second_review_by_the_same_user_is_refused_beside_the_form(staff_client, model, alice):
    ModelReviewFactory(model=model, user=alice)

    response = staff_client.post(reverse("admin:reviews_modelreview_add"), review(model, alice))

    assert response.status_code == 200
    assert "You have already reviewed this model." in response.content.decode()
    assert ModelReview.objects.count() == 1


def test_a_reply_typed_by_staff_speaks_for_the_models_developer(staff_client, model, alice, dana):
    existing = ModelReviewFactory(model=model, user=alice)
    data = review(model, alice) | {
        "reply-TOTAL_FORMS": 1,
        "reply-0-reply_text": "Thanks!",
        "reply-0-review": existing.pk,
    }

    response = staff_client.post(reverse("admin:reviews_modelreview_change", args=[existing.pk]), data)

    assert response.status_code == 302
    existing.refresh_from_db()
    assert (existing.reply.reply_text, existing.reply.developer) == ("Thanks!", dana)


# --- deleting -----------------------------------------------------------------------------------------


def test_deleting_a_model_takes_its_logs_and_history_with_it(staff_client, model, alice):
    ApiUsageLogFactory(model=model)
    UserHistoryFactory(model=model, user=alice)
    delete = reverse("admin:catalog_aimodel_delete", args=[model.pk])

    page = staff_client.get(delete)
    assert page.status_code == 200
    assert not page.context["perms_lacking"]

    assert staff_client.post(delete, {"post": "yes"}).status_code == 302
    assert not AIModel.objects.filter(pk=model.pk).exists()
    assert not ApiUsageLog.objects.exists() and not UserHistory.objects.exists()


def test_only_a_superuser_may_delete_history(client, staff, alice, model):
    row = UserHistoryFactory(model=model, user=alice)
    moderator = UserFactory(is_staff=True)
    moderator.user_permissions.set(Permission.objects.all())
    delete = reverse("admin:activity_userhistory_delete", args=[row.pk])

    client.force_login(moderator)
    assert client.get(delete).status_code == 403

    client.force_login(staff)
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not UserHistory.objects.exists()
