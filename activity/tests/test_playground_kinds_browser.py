"""The playground per kind in a browser, at a laptop's width and a phone's: caption an uploaded image, generate
an image and find it in the history, speak a text and play it, compare two texts' embeddings, and see labels
as bars; no Content-Security-Policy violation on the way (the preview of a chosen image is a blob: URL).

Screenshots go to test-output/screenshots/playground-<kind>-<width>.png."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from activity.models import CallMedia, UserHistory
from demo.models_media import drawing, embeddings, labels, speech

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("call_media_root")]

TEST_OUTPUT = Path(__file__).resolve().parents[2] / "test-output"
WIDTHS = [1366, 390]


@pytest.fixture(params=WIDTHS, ids=lambda width: f"{width}px")
def width(request) -> int:
    return request.param


@pytest.fixture
def tab(browser, live_server, width, alice, password):
    """A signed-in tab at `width`, collecting CSP violations reported on the console."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.blocked = []
    page.on(
        "console",
        lambda message: (
            page.blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto("/accounts/login/?next=/me/history/")
    page.get_by_label("Username or email").fill("alice@example.com")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile("/me/history/"))
    yield page
    context.close()


def shoot(page, name: str, width: int) -> None:
    """The playground panel (or the whole page where there is none)."""
    folder = TEST_OUTPUT / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    path = str(folder / f"playground-{name}-{width}.png")
    panel = page.locator("#playground")
    if panel.count():
        panel.screenshot(path=path, caret="initial")
    else:
        page.screenshot(path=path, full_page=True, caret="initial")


def fits(page, width: int) -> None:
    """Nothing wider than the screen: no sideways scrolling on a phone."""
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width


def test_an_uploaded_image_is_previewed_sent_and_captioned(tab, width, looker, tmp_path):
    picture = tmp_path / "circles.png"
    picture.write_bytes(drawing.render("two red circles on a blue background", (256, 256))[0])
    tab.goto("/models/looker/#playground")

    tab.get_by_label("Image or audio").set_input_files(str(picture))
    preview = tab.get_by_role("img", name="Preview of the chosen image")
    expect(preview).to_be_visible()
    expect(preview).to_have_attribute("src", re.compile(r"^blob:"))
    tab.wait_for_function("() => document.querySelector('.playground-preview img').naturalWidth === 256")
    tab.get_by_label("Prompt").fill("What do you see?")
    tab.get_by_role("button", name="Run").click()

    panel = tab.locator("#playground")
    expect(panel.locator(".playground-response")).to_contain_text("2 red circles")
    sent = panel.get_by_role("img", name="Image you sent")
    expect(sent).to_be_visible()
    expect(sent).to_have_js_property("complete", True)
    assert sent.evaluate("image => image.naturalWidth") == 256
    expect(tab.get_by_role("img", name="Preview of the chosen image")).to_be_hidden()  # a fresh form
    fits(tab, width)
    shoot(tab, "caption", width)
    assert tab.blocked == []


def test_a_generated_image_is_shown_and_found_in_the_history(tab, width, painter):
    tab.goto("/models/painter/#playground")
    expect(tab.locator("form.playground-form")).not_to_have_attribute("data-stream-url", re.compile(".*"))

    tab.get_by_label("Prompt").fill("three yellow stars at night")
    tab.get_by_role("button", name="Run").click()

    image = tab.locator("#playground").get_by_role("img", name="Image in the answer")
    expect(image).to_be_visible()
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("image => image.naturalWidth") == 1024
    fits(tab, width)
    shoot(tab, "image", width)

    row = UserHistory.objects.get()
    tab.goto(f"/me/history/{row.history_id}/")
    kept = tab.get_by_role("img", name="Image in the answer")
    expect(kept).to_have_js_property("complete", True)
    assert kept.evaluate("image => image.naturalWidth") == 1024
    assert CallMedia.objects.get().history_id == row.history_id
    fits(tab, width)
    shoot(tab, "image-history", width)
    assert tab.blocked == []


def test_a_spoken_text_plays(tab, width, speaker):
    tab.goto("/models/speaker/#playground")
    tab.get_by_label("Prompt").fill("hello there")
    with tab.expect_response(re.compile(r"/media/")) as media:
        tab.get_by_role("button", name="Run").click()
        audio = tab.locator("#playground audio[controls]").first
        expect(audio).to_be_visible()
        audio.evaluate("audio => audio.load()")
    assert media.value.status in (200, 206)
    assert media.value.headers["content-type"] == "audio/wav"
    tab.wait_for_function("() => document.querySelector('#playground audio[controls]').readyState >= 1")
    _, seconds = speech.synthesize("hello there")
    assert audio.evaluate("audio => audio.duration") == pytest.approx(seconds, abs=0.02)
    audio.evaluate("audio => { audio.muted = true; return audio.play(); }")
    tab.wait_for_function("() => document.querySelector('#playground audio[controls]').currentTime > 0")
    expect(tab.locator("#playground").get_by_role("link", name="Download")).to_be_visible()
    fits(tab, width)
    shoot(tab, "speech", width)
    assert tab.blocked == []


def test_two_texts_are_compared_and_a_text_is_classified(tab, width, embedder, sorter):
    tab.goto("/models/embedder/#playground")
    tab.get_by_label("Prompt").fill("The cat sat on the mat.")
    tab.get_by_label("Compare with").fill("A cat was sitting on a mat.")
    tab.get_by_role("button", name="Run").click()

    a = embeddings.embed("The cat sat on the mat.")
    b = embeddings.embed("A cat was sitting on a mat.")
    expected = embeddings.cosine(a, b)
    similarity = tab.locator(".playground-similarity")
    expect(similarity).to_have_text(f"Cosine similarity: {expected:.4f}")
    expect(tab.locator(".playground-values").first.locator("li")).to_have_count(8)
    fits(tab, width)
    shoot(tab, "embeddings", width)

    text = "I love this, it is great and wonderful."
    tab.goto("/models/sorter/#playground")
    tab.get_by_label("Prompt").fill(text)
    tab.get_by_role("button", name="Run").click()
    bars = tab.locator(".playground-label")
    ranked = labels.sentiment(text)
    expect(bars).to_have_count(len(ranked))
    for bar, item in zip(bars.all(), ranked, strict=True):
        percent = f"{round(item['score'] * 100)}%"
        expect(bar.locator(".playground-label-name")).to_have_text(item["label"])
        expect(bar.locator(".playground-label-value")).to_have_text(percent)
        expect(bar.get_by_role("meter", name=f"{item['label']}: {percent}")).to_be_visible()
    widths = [bar.locator("meter").bounding_box()["width"] for bar in bars.all()]
    assert min(widths) > 100  # bars, not slivers, at either width
    fits(tab, width)
    shoot(tab, "labels", width)
    assert tab.blocked == []


def test_without_javascript_an_upload_is_captioned_and_a_bad_file_explained(
    browser, live_server, alice, password, looker, tmp_path
):
    picture = tmp_path / "circles.png"
    picture.write_bytes(drawing.render("two red circles on a blue background", (256, 256))[0])
    notes = tmp_path / "notes.png"
    notes.write_bytes(b"not a picture at all")
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto("/accounts/login/?next=/models/looker/")
        page.get_by_label("Username or email").fill("alice@example.com")
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("button", name="Record")).to_be_hidden()  # recording needs JavaScript

        page.get_by_label("Image or audio").set_input_files(str(picture))
        page.get_by_role("button", name="Run").click()
        expect(page).to_have_url(re.compile(r"/models/looker/\?exchange=[0-9a-f-]+#playground$"))
        expect(page.locator(".playground-response")).to_contain_text("2 red circles")
        expect(page.get_by_role("img", name="Image you sent")).to_have_js_property("complete", True)

        page.get_by_label("Image or audio").set_input_files(str(notes))
        page.get_by_label("Prompt").fill("And this one?")
        page.get_by_role("button", name="Run").click()
        panel = page.locator("#playground")
        expect(panel).to_contain_text("That file cannot be used.")
        expect(panel).to_contain_text("notes.png: the bytes are not an image Pillow can read.")
        expect(panel).to_contain_text("choose it again")
        expect(page.get_by_label("Prompt")).to_have_value("And this one?")
        shoot(page, "caption-no-javascript", 1280)
    finally:
        context.close()


@pytest.fixture
def microphone_browser(browser):
    """Chromium again, with a fake microphone that needs no permission prompt."""
    from conftest import CHROMIUM

    fake = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
        ],
    )
    yield fake
    fake.close()


def test_a_recording_becomes_the_file_sent_for_transcription(
    microphone_browser, live_server, alice, password, listener
):
    context = microphone_browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto("/accounts/login/?next=/models/listener/")
        page.get_by_label("Username or email").fill("alice@example.com")
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()

        page.get_by_role("button", name="Record").click()
        expect(page.get_by_role("button", name="Stop recording")).to_be_visible()
        page.wait_for_timeout(800)
        page.get_by_role("button", name="Stop recording").click()
        expect(page.locator(".playground-record-status")).to_contain_text("it is sent with the form")
        assert page.get_by_label("Audio").evaluate("input => input.files[0].name") == "recording.webm"
        expect(page.locator(".playground-preview audio")).to_be_visible()
        page.get_by_role("button", name="Run").click()

        expect(page.locator(".playground-response")).to_contain_text("No speech the demo model can read")
        sent = CallMedia.objects.get()
        assert (sent.direction, sent.mime) == ("input", "audio/webm")
        expect(page.locator(".playground-prompt audio")).to_be_visible()
        shoot(page, "recording", 390)
    finally:
        context.close()
