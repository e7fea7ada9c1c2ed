"""Staff moderate in the real admin: hide and show a review, suspend a user, deprecate a model.

Each change made in the admin is checked where people meet it: on the model page, in the catalog, and in
the browser session of the user who is suspended.
"""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User, UserStatus
from accounts.tests.factories import PASSWORD, DeveloperFactory, StaffFactory, UserFactory
from catalog.models import AIModel, ModelStatus
from catalog.tests.factories import AIModelFactory
from reviews.models import ModelReview
from reviews.tests.factories import ModelReviewFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def scene(transactional_db):
    StaffFactory(username="root", email="root@example.com")
    dana = DeveloperFactory(username="dana")
    model = AIModelFactory(developer=dana, api_name="dana-summarizer", display_name="Dana Summarizer")
    AIModelFactory(developer=dana, api_name="dana-translator", display_name="Dana Translator")
    praise = ModelReviewFactory(model=model, user=UserFactory(username="bob"), rating=5, review_title="Crisp")
    spam = ModelReviewFactory(
        model=model, user=UserFactory(username="spammer"), rating=1, review_title="Buy cheap tokens here"
    )
    alice = UserFactory(username="alice", email="alice@example.com")
    return {"model": model, "praise": praise, "spam": spam, "alice": alice}


def staff_sign_in(page) -> None:
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login/"))
    page.locator("#id_username").fill("root")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Moderation")).to_be_visible()


def run_admin_action(page, changelist: str, pk, action: str, done: str) -> None:
    page.goto(changelist)
    page.locator(f'input[name="_selected_action"][value="{pk}"]').check()
    page.locator('select[name="action"]').select_option(action)
    page.locator('button[name="index"]').click()
    expect(page.locator(".messagelist")).to_contain_text(done)


def test_staff_hide_a_review_and_the_model_page_drops_it_until_shown_again(
    page, browser, live_server, scene, screenshot
):
    visitor = browser.new_context(base_url=live_server.url).new_page()
    visitor.set_default_timeout(10_000)
    visitor.goto("/models/dana-summarizer/reviews/")
    expect(visitor.locator(".rating-big")).to_have_text("3.0")
    expect(visitor.locator(".review-list")).to_contain_text("Buy cheap tokens here")

    staff_sign_in(page)
    run_admin_action(page, "/admin/reviews/modelreview/", scene["spam"].pk, "hide_reviews", "hidden")
    assert ModelReview.objects.get(pk=scene["spam"].pk).is_hidden

    visitor.reload()
    expect(visitor.locator(".rating-big")).to_have_text("5.0")
    expect(visitor.locator(".review-list")).not_to_contain_text("Buy cheap tokens here")
    expect(visitor.locator(".review-list")).to_contain_text("Crisp")
    expect(visitor.locator("#reviews-title")).to_contain_text("1")
    assert AIModel.objects.get(pk=scene["model"].pk).rating_count == 1

    run_admin_action(page, "/admin/reviews/modelreview/", scene["spam"].pk, "show_reviews", "shown")

    visitor.reload()
    expect(visitor.locator(".rating-big")).to_have_text("3.0")
    expect(visitor.locator(".review-list")).to_contain_text("Buy cheap tokens here")
    page.goto("/models/dana-summarizer/reviews/")
    expect(page.locator(".rating-big")).to_have_text("3.0")
    screenshot("staff_review_shown_again")
    visitor.context.close()


def test_staff_suspend_a_user_whose_open_session_ends_on_its_next_request(
    page, browser, live_server, scene, screenshot
):
    user_context = browser.new_context(base_url=live_server.url)
    alice_page = user_context.new_page()
    alice_page.set_default_timeout(10_000)
    alice_page.goto("/accounts/login/")
    alice_page.get_by_label("Username or email").fill("alice")
    alice_page.get_by_label("Password").fill(PASSWORD)
    alice_page.get_by_role("button", name="Sign in").click()
    alice_page.goto("/me/")
    expect(alice_page.get_by_role("heading", level=1)).to_be_visible()
    expect(alice_page.get_by_role("button", name="Sign out")).to_be_visible()

    staff_sign_in(page)
    run_admin_action(page, "/admin/accounts/user/", scene["alice"].pk, "suspend_users", "suspended")
    assert User.objects.get(pk=scene["alice"].pk).status == UserStatus.SUSPENDED

    alice_page.goto("/me/")
    expect(alice_page).to_have_url(re.compile(r"/accounts/login/\?next=/me/"))
    expect(alice_page.get_by_role("button", name="Sign out")).to_have_count(0)
    expect(alice_page.get_by_role("link", name="Sign in")).to_be_visible()

    alice_page.get_by_label("Username or email").fill("alice")
    alice_page.get_by_label("Password").fill(PASSWORD)
    alice_page.get_by_role("button", name="Sign in").click()
    expect(alice_page.get_by_role("alert")).to_be_visible()
    expect(alice_page.get_by_role("button", name="Sign out")).to_have_count(0)

    page.goto("/admin/accounts/user/?status__exact=suspended")
    expect(page.locator("#result_list")).to_contain_text("alice")
    screenshot("staff_user_suspended")
    user_context.close()


def test_staff_deprecate_a_model_which_leaves_the_catalog_and_is_badged_on_its_page(page, scene, screenshot):
    page.goto("/models/")
    expect(page.locator(".model-grid")).to_contain_text("Dana Summarizer")

    staff_sign_in(page)
    run_admin_action(page, "/admin/catalog/aimodel/", scene["model"].pk, "deprecate_models", "deprecated")
    assert AIModel.objects.get(pk=scene["model"].pk).status == ModelStatus.DEPRECATED

    page.goto("/models/")
    expect(page.locator(".model-grid")).not_to_contain_text("Dana Summarizer")
    expect(page.locator(".model-grid")).to_contain_text("Dana Translator")
    page.goto("/models/?q=summarizer")
    expect(page.locator(".empty-state")).to_be_visible()

    page.goto("/models/dana-summarizer/")
    expect(page.locator("h1 .badge")).to_have_text("Deprecated")
    expect(page.locator(".deprecation-notice")).to_contain_text("This model no longer answers")
    screenshot("staff_model_deprecated")
