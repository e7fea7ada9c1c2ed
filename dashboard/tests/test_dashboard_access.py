"""Only the owning, active developer reaches a listing: everyone else gets 404 and no row changes."""

import pytest
from django.urls import reverse

from accounts.models import DeveloperStatus, UserStatus
from accounts.tests.factories import DeveloperFactory
from activity.models import ApiUsageLog
from activity.tests.factories import ApiUsageLogFactory
from catalog.models import AIModel, ModelStatus
from catalog.tests.factories import AIModelFactory
from reviews.models import ModelReview
from reviews.tests.factories import ModelReviewFactory

pytestmark = pytest.mark.django_db

EDIT_DATA = {
    "model_name": "hijacked",
    "display_name": "Hijacked",
    "description": "",
    "category": "other",
    "tags": "x",
    "endpoint_url": "https://evil.example.com/",
    "price_per_request": "9.0000",
    "is_public": "on",
}


def object_requests(api_name: str):
    """Every page and action on one listing: (method, url, data)."""
    url = lambda name: reverse(f"dashboard:{name}", args=[api_name])  # noqa: E731
    return [
        ("get", url("model_detail"), None),
        ("get", url("model_edit"), None),
        ("post", url("model_edit"), EDIT_DATA),
        ("post", url("model_deactivate"), {}),
        ("post", url("model_reactivate"), {}),
        ("get", url("model_deprecate"), None),
        ("post", url("model_deprecate"), {"sunset_date": "2099-01-01"}),
        ("post", url("model_undeprecate"), {}),
        ("get", url("model_delete"), None),
        ("post", url("model_delete"), {"confirm_api_name": api_name}),
        ("get", url("model_key_rotate"), None),
        ("post", url("model_key_rotate"), {"confirm": "on"}),
    ]


LIST_REQUESTS = [
    ("get", reverse("dashboard:models"), None),
    ("get", reverse("dashboard:model_create"), None),
    (
        "post",
        reverse("dashboard:model_create"),
        {**EDIT_DATA, "api_name": "planted", "display_name": "Planted"},
    ),
    ("get", reverse("dashboard:api_name_check") + "?api_name=dana-summarizer", None),
    ("get", reverse("dashboard:logs"), None),
    ("get", reverse("dashboard:logs_export"), None),
    ("get", reverse("dashboard:reviews"), None),
]


@pytest.fixture
def owned(dana, alice):
    """dana's models in every status, each with a review and a log row."""
    models = [
        AIModelFactory(developer=dana, api_name=f"dana-{status.replace('_', '-')}", status=status)
        for status in ModelStatus.values
    ]
    for model in models:
        ModelReviewFactory(model=model, user=alice)
        ApiUsageLogFactory(model=model)
    return models


def snapshot():
    rows = sorted(AIModel.objects.values(), key=lambda row: str(row["model_id"]))
    for row in rows:
        row.pop("search_vector", None)
    return rows, ModelReview.objects.count(), ApiUsageLog.objects.count()


def sign_in_as(client, request, who):
    """Sign the client in as the persona named `who` (None: stay anonymous)."""
    if who is None:
        return
    if who == "dana_suspended":
        dana = request.getfixturevalue("dana")
        dana.status = DeveloperStatus.SUSPENDED
        dana.save()
        user = dana.user
    elif who == "dana_pending":
        dana = request.getfixturevalue("dana")
        dana.status = DeveloperStatus.PENDING_APPROVAL
        dana.save()
        user = dana.user
    elif who == "dana_account_pending":
        dana = request.getfixturevalue("dana")
        dana.user.status = UserStatus.PENDING_VERIFICATION
        dana.user.save()
        user = dana.user
    elif who == "eve":
        user = request.getfixturevalue("eve").user
    else:
        user = request.getfixturevalue(who)
    client.force_login(user)


OUTSIDERS = ["eve", "alice", "staff", None, "dana_suspended", "dana_pending", "dana_account_pending"]


@pytest.mark.parametrize("who", OUTSIDERS)
def test_every_listing_page_and_action_answers_404_to_anyone_but_the_active_owner(
    client, request, owned, who
):
    sign_in_as(client, request, who)
    before = snapshot()
    for model in owned:
        for method, url, data in object_requests(model.api_name):
            response = (
                getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
            )
            assert response.status_code == 404, (who, method, url)
    assert snapshot() == before


@pytest.mark.parametrize(
    "who", ["alice", "staff", None, "dana_suspended", "dana_pending", "dana_account_pending"]
)
def test_dashboard_lists_answer_404_to_anyone_who_is_not_an_active_developer(client, request, owned, who):
    sign_in_as(client, request, who)
    before = snapshot()
    for method, url, data in LIST_REQUESTS:
        response = getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
        assert response.status_code == 404, (who, method, url)
    assert snapshot() == before


def test_an_unknown_model_answers_404_like_someone_elses(client, dana):
    client.force_login(dana.user)
    for method, url, data in object_requests("no-such-model"):
        response = getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
        assert response.status_code == 404


def test_the_owner_reaches_every_page_of_each_of_their_models(client, dana, owned):
    client.force_login(dana.user)
    for model in owned:
        for method, url, _ in object_requests(model.api_name):
            if method != "get":
                continue
            response = client.get(url)
            if url.endswith("/deprecate/") and model.status != "active":
                # Only an active model has a deprecation form: the others go back to their page, told why.
                assert response.status_code == 302, url
                assert response.url == reverse("dashboard:model_detail", args=[model.api_name])
            else:
                assert response.status_code == 200, url


def test_another_developers_model_with_the_same_shape_is_still_404(client, eve, dana):
    theirs = AIModelFactory(developer=DeveloperFactory(), api_name="theirs")
    client.force_login(dana.user)
    assert client.get(reverse("dashboard:model_detail", args=[theirs.api_name])).status_code == 404
