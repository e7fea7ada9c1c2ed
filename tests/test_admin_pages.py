"""Every admin page renders for staff, stays out of reach of everyone else, and lists rows in fixed queries."""

from datetime import date

import pytest
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Developer, User, UserApiKey
from accounts.tests.factories import DeveloperFactory, UserApiKeyFactory, UserFactory
from activity.models import (
    ApiUsageLog,
    DeveloperMonthlyUsage,
    ModelDailyStats,
    ModelUser,
    UserActivitySummary,
    UserHistory,
)
from activity.tests.factories import ApiUsageLogFactory, UserHistoryFactory
from catalog.models import AIModel, DeveloperDashboardStats, PublicModel
from catalog.tests.factories import AIModelFactory
from reviews.models import ModelReview, ReviewReply, ReviewVote
from reviews.tests.factories import ModelReviewFactory, ReviewReplyFactory, ReviewVoteFactory

OUR_MODELS = [
    User,
    Developer,
    UserApiKey,
    AIModel,
    PublicModel,
    DeveloperDashboardStats,
    UserHistory,
    ApiUsageLog,
    ModelUser,
    DeveloperMonthlyUsage,
    ModelDailyStats,
    UserActivitySummary,
    ModelReview,
    ReviewVote,
    ReviewReply,
]
COUNTERS = {
    "total_requests",
    "total_users",
    "average_rating",
    "rating_count",
    "rating_sum",
    "helpful_votes",
    "total_models_created",
    "api_key",
    "api_key_prefix",
    "key_hash",
    "key_prefix",
    "created_at",
    "updated_at",
}


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def registered():
    return sorted(admin.site._registry, key=lambda model: model._meta.label)


def test_every_model_of_the_platform_is_registered():
    assert set(OUR_MODELS) <= set(admin.site._registry)


@pytest.mark.parametrize("kind", registered(), ids=lambda kind: kind._meta.label)
def test_every_changelist_and_change_page_renders_for_staff(staff_client, every_kind_of_row, kind):
    Group.objects.create(name="Moderators")

    assert staff_client.get(url(kind, "changelist")).status_code == 200
    assert staff_client.get(url(kind, "changelist"), {"q": "alice"}).status_code == 200
    obj = kind._default_manager.first()
    if kind in OUR_MODELS:
        assert obj is not None, "the dataset has a row of every kind"
    if obj is not None:
        assert staff_client.get(url(kind, "change", quote(obj.pk))).status_code == 200


@pytest.mark.parametrize("kind", OUR_MODELS, ids=lambda kind: kind._meta.label)
def test_add_pages_render_where_adding_is_allowed(staff_client, kind):
    response = staff_client.get(url(kind, "add"))

    allowed = admin.site._registry[kind].has_add_permission(response.wsgi_request)
    assert response.status_code == (200 if allowed else 403)


@pytest.mark.parametrize("kind", OUR_MODELS, ids=lambda kind: kind._meta.label)
def test_counters_keys_and_timestamps_are_never_form_inputs(rf, staff, every_kind_of_row, kind):
    request = rf.get("/")
    request.user = staff
    model_admin = admin.site._registry[kind]
    obj = kind._default_manager.first()

    if model_admin.has_add_permission(request):
        assert set(model_admin.get_form(request, None).base_fields) & COUNTERS == set()
    if model_admin.has_change_permission(request, obj):
        assert set(model_admin.get_form(request, obj).base_fields) & COUNTERS == set()
    else:
        assert not model_admin.has_add_permission(request), "a read-only admin takes no input at all"


def test_logs_history_and_rollups_cannot_be_added_or_edited(staff_client, every_kind_of_row):
    log = ApiUsageLog.objects.first()

    assert staff_client.get(url(ApiUsageLog, "add")).status_code == 403
    response = staff_client.post(url(ApiUsageLog, "change", log.pk), {"response_code": 200})
    assert response.status_code == 403
    assert staff_client.post(url(ApiUsageLog, "delete", log.pk), {"post": "yes"}).status_code == 403
    for model in (UserHistory, ModelUser, ModelDailyStats, DeveloperMonthlyUsage):
        obj = model.objects.first()
        assert staff_client.post(url(model, "change", obj.pk), {}).status_code == 403


def test_a_non_staff_user_is_sent_to_the_admin_sign_in(client, alice):
    client.force_login(alice)

    for target in ("/admin/", url(AIModel, "changelist"), url(User, "changelist")):
        response = client.get(target)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_an_anonymous_visitor_is_sent_to_the_admin_sign_in(client, db):
    response = client.get(url(ModelReview, "changelist"))

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


# --- query budgets: a changelist runs the same queries for 1 row and for 50 ---------------------------


def a_history_row():
    UserHistoryFactory()


def a_model_user():
    UserHistoryFactory()


def a_rollup():
    ApiUsageLogFactory(developer=DeveloperFactory(), user=UserFactory())


def a_monthly_usage():
    DeveloperMonthlyUsage.objects.create(developer=DeveloperFactory(), month=date(2026, 5, 1))


def a_reply():
    ReviewReplyFactory()


ROW_MAKERS = {
    User: UserFactory,
    Developer: DeveloperFactory,
    UserApiKey: UserApiKeyFactory,
    AIModel: AIModelFactory,
    PublicModel: AIModelFactory,
    DeveloperDashboardStats: DeveloperFactory,
    UserHistory: a_history_row,
    ApiUsageLog: a_rollup,
    ModelUser: a_model_user,
    DeveloperMonthlyUsage: a_monthly_usage,
    ModelDailyStats: a_rollup,
    UserActivitySummary: UserFactory,
    ModelReview: lambda: ReviewReplyFactory() if ModelReview.objects.count() % 2 else ModelReviewFactory(),
    ReviewVote: ReviewVoteFactory,
    ReviewReply: a_reply,
}


@pytest.mark.parametrize("kind", OUR_MODELS, ids=lambda kind: kind._meta.label)
def test_a_changelist_runs_as_many_queries_for_fifty_rows_as_for_one(
    staff_client, django_assert_max_num_queries, kind
):
    make_row = ROW_MAKERS[kind]
    changelist = url(kind, "changelist")
    while kind._default_manager.count() < 1:
        make_row()
    with CaptureQueriesContext(connection) as one_row:
        assert staff_client.get(changelist).status_code == 200

    while kind._default_manager.count() < 50:
        make_row()
    with django_assert_max_num_queries(len(one_row)):
        response = staff_client.get(changelist)
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 50
