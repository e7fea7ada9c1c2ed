"""A user sees the images and audio of a call on its history entry, under the site's CSP, then deletes it."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from activity.media import MediaItem, keep_media
from activity.models import CallMedia
from activity.tests.factories import UserHistoryFactory
from activity.tests.test_call_media import png, wav

pytestmark = pytest.mark.browser


@pytest.fixture
def media_root(settings, tmp_path) -> Path:
    root = tmp_path / "call-media"
    settings.STORAGES = {
        **settings.STORAGES,
        "call_media": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root


def test_a_user_sees_sent_and_answered_media_on_the_entry_and_deletes_them_with_it(
    page, live_server, screenshot, alice, password, model, media_root
):
    entry = UserHistoryFactory(user=alice, model=model, prompt="Make this picture blue", response="Done.")
    keep_media(
        history_id=entry.pk,
        user_id=alice.pk,
        items=[
            MediaItem("input", "image", "image/png", png(120, 80, (220, 40, 40))),
            MediaItem("output", "image", "image/png", png(160, 100, (40, 40, 220))),
            MediaItem("output", "audio", "audio/wav", wav(8000)),
        ],
    )
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None,
    )

    page.goto("/me/history/")
    page.get_by_label("Username or email").fill("alice@example.com")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    row = page.locator(".history-table tbody tr", has_text="Make this picture blue")
    expect(row.locator(".history-media")).to_have_text("Audio · Image")

    row.get_by_role("link", name="Make this picture blue").click()
    sent = page.get_by_role("img", name="Image you sent")
    answer = page.get_by_role("img", name="Image in the answer, 1 of 2")
    expect(sent).to_be_visible()
    expect(answer).to_be_visible()
    expect(sent).to_have_js_property("complete", True)
    expect(answer).to_have_js_property("complete", True)
    assert sent.evaluate("image => [image.naturalWidth, image.naturalHeight]") == [120, 80]
    assert answer.evaluate("image => [image.naturalWidth, image.naturalHeight]") == [160, 100]
    audio = page.locator("audio")
    audio.evaluate("audio => audio.load()")
    page.wait_for_function("() => document.querySelector('audio').readyState >= 1")
    assert audio.evaluate("audio => audio.duration") == pytest.approx(1.0, abs=0.01)
    expect(page.get_by_role("link", name="Download")).to_have_count(3)
    screenshot("history-call-media")
    assert blocked == []

    page.get_by_role("link", name="Delete this entry…").click()
    page.get_by_role("button", name="Delete entry").click()
    expect(page.get_by_text("The entry is deleted from your history.")).to_be_visible()
    assert not CallMedia.objects.exists()
    assert [path for path in media_root.rglob("*") if path.is_file()] == []
