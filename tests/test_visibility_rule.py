"""One rule says who may see or call a model (catalog/models.py), and every page and API applies it.

For every model status (a deprecated one without a sunset, before it and after it) × is_public × developer
status × the developer's account status, the rule as
DESIGN.md words it is written out below once more, as the specification; the test checks that the queryset
methods and the predicates of a loaded row say the same, then that the catalog, home, the developer's
profile, the model page, the review form, the playground and the API agree with it, for an anonymous
visitor and for a verified user calling with a personal key. One demo upstream (the root conftest's
module-scoped `upstream`) answers every combination's calls.
"""

import itertools
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import keys
from accounts.models import DeveloperStatus, UserStatus
from accounts.tests.factories import DeveloperFactory, UserApiKeyFactory
from activity.models import UserHistory
from activity.tests.helpers import invoke
from catalog.models import AIModel, ModelStatus
from catalog.tests.factories import AIModelFactory

API_NAME = "probe"
PAGE = f"/models/{API_NAME}/"
CARD_LINK = f'href="{PAGE}"'
REVIEW_FORM = f'action="/models/{API_NAME}/reviews/new/"'
PLAYGROUND_FORM = f'action="/playground/{API_NAME}/"'

# A deprecation with notice, before and after its sunset (catalog 0012): "deprecated" alone has none.
SUNSET_AHEAD = "deprecated+sunset_ahead"
SUNSET_PAST = "deprecated+sunset_past"
SUNSETS = {SUNSET_AHEAD: timedelta(days=10), SUNSET_PAST: -timedelta(minutes=1)}

COMBINATIONS = list(
    itertools.product(
        [*ModelStatus.values, SUNSET_AHEAD, SUNSET_PAST],
        (True, False),
        DeveloperStatus.values,
        (UserStatus.ACTIVE, UserStatus.SUSPENDED),
    )
)


def combination_id(combination) -> str:
    status, is_public, developer_status, account_status = combination
    visibility = "public" if is_public else "private"
    return f"{status}-{visibility}-developer_{developer_status}-account_{account_status}"


@dataclass(frozen=True)
class Expected:
    developer_serves: bool
    listed: bool  # its page is open to everyone, and it takes reviews
    in_service: bool  # calls to it are forwarded
    in_catalog: bool  # the catalog, home, profiles and the API's list show it


def expected_for(status: str, is_public: bool, developer_status: str, account_status: str) -> Expected:
    """The specification: listed models are public, active or deprecated, of an active developer with an
    active account; served ones are active, of such a developer; the catalog shows models both."""
    developer_serves = developer_status == DeveloperStatus.ACTIVE and account_status == UserStatus.ACTIVE
    deprecated = status in (ModelStatus.DEPRECATED, SUNSET_AHEAD, SUNSET_PAST)
    listed = is_public and (status == ModelStatus.ACTIVE or deprecated) and developer_serves
    in_service = status in (ModelStatus.ACTIVE, SUNSET_AHEAD) and developer_serves
    return Expected(developer_serves, listed, in_service, in_catalog=listed and in_service)


@dataclass
class Scene:
    model: AIModel
    model_key: str
    personal_key: str
    expected: Expected


@pytest.fixture(params=COMBINATIONS, ids=[combination_id(c) for c in COMBINATIONS])
def scene(request, upstream, alice):
    status, is_public, developer_status, account_status = request.param
    developer = DeveloperFactory(
        username="owner", status=developer_status, user__username="owner-login", user__status=account_status
    )
    model_key = keys.generate_model_key()
    model = AIModelFactory(
        developer=developer,
        api_name=API_NAME,
        display_name="Probe",
        status=ModelStatus.DEPRECATED if status in SUNSETS else status,
        sunset_at=timezone.now() + SUNSETS[status] if status in SUNSETS else None,
        is_public=is_public,
        endpoint_url=f"{upstream.url}/echo",
        key=model_key,
    )
    personal_key = keys.generate_personal_key()
    UserApiKeyFactory(user=alice, key=personal_key)
    return Scene(model, model_key, personal_key, expected_for(*request.param))


def test_the_querysets_and_the_predicates_of_a_loaded_row_agree_with_the_rule(scene):
    loaded = AIModel.objects.select_related("developer__user").get(pk=scene.model.pk)
    expected = scene.expected

    assert loaded.developer_serves is expected.developer_serves
    assert (loaded.is_listed, AIModel.objects.listed().contains(loaded)) == (expected.listed,) * 2
    assert (loaded.is_in_service, AIModel.objects.served().contains(loaded)) == (expected.in_service,) * 2
    assert (loaded.is_in_catalog, AIModel.objects.public().contains(loaded)) == (expected.in_catalog,) * 2
    # The trigger-kept column is the database's copy of is_in_service, but for the clock: past its sunset a
    # model keeps the flag, and the reads compare the sunset with now().
    past_sunset = loaded.sunset_at is not None and not loaded.sunset_ahead
    assert loaded.is_served is (expected.in_service or (past_sunset and expected.developer_serves))


def observe(client, scene: Scene, user) -> dict:
    """What each page and the API make of the model: for an anonymous visitor, then for `user` signed in
    and calling with their personal key, then for the model's own key."""
    seen = {}
    seen["catalog lists it"] = CARD_LINK in client.get("/models/").content.decode()
    seen["home lists it"] = CARD_LINK in client.get("/").content.decode()
    profile = client.get("/developers/owner/")
    seen["developer profile"] = profile.status_code
    seen["developer profile lists it"] = CARD_LINK in profile.content.decode()
    seen["API lists it"] = API_NAME in [
        row["api_name"] for row in client.get("/api/v1/models").json()["results"]
    ]
    page = client.get(PAGE)
    seen["model page, anonymous"] = page.status_code
    seen["forms for the anonymous"] = any(
        form in page.content.decode() for form in (REVIEW_FORM, PLAYGROUND_FORM)
    )

    client.force_login(user)
    page = client.get(PAGE)
    seen["model page, signed in"] = page.status_code
    # The review form lives on the Reviews tab; a signed-in user's bare model page opens the Playground.
    seen["review form on the page"] = REVIEW_FORM in client.get(f"{PAGE}reviews/").content.decode()
    seen["playground form on the page"] = PLAYGROUND_FORM in page.content.decode()
    seen["review form page"] = client.get(f"{PAGE}reviews/new/").status_code
    run = client.post(f"/playground/{API_NAME}/", {"prompt": "hello", "session": ""}, HTTP_HX_REQUEST="true")
    seen["playground run"] = run.status_code
    seen["playground answered"] = UserHistory.objects.filter(user=user, model=scene.model).exists()
    client.logout()

    seen["invoke, personal key"] = invoke(
        client, API_NAME, {"prompt": "hello"}, scene.personal_key
    ).status_code
    seen["invoke, model key"] = invoke(client, API_NAME, {"prompt": "hello"}, scene.model_key).status_code
    return seen


def expected_observations(scene: Scene) -> dict:
    expected = scene.expected
    listed_page = 200 if expected.listed else 404
    if not expected.developer_serves:
        model_key_code = 403  # the key's developer may not call at all
    elif expected.in_service:
        model_key_code = 200  # a model key calls its own model, public or not
    else:
        model_key_code = 410 if scene.model.is_deprecated else 404
    return {
        "catalog lists it": expected.in_catalog,
        "home lists it": expected.in_catalog,
        "developer profile": 200 if expected.developer_serves else 404,
        "developer profile lists it": expected.in_catalog,
        "API lists it": expected.in_catalog,
        "model page, anonymous": listed_page,
        "forms for the anonymous": False,
        "model page, signed in": listed_page,
        "review form on the page": expected.listed,
        "review form page": listed_page,
        "playground form on the page": expected.in_catalog,
        # A deprecated model's panel answers 200 with the refusal; an unlisted one is unknown.
        "playground run": listed_page,
        "playground answered": expected.in_catalog,
        "invoke, personal key": 200 if expected.in_catalog else 410 if expected.listed else 404,
        "invoke, model key": model_key_code,
    }


def test_every_page_and_the_api_apply_the_rule(client, scene, alice):
    assert observe(client, scene, alice) == expected_observations(scene)
