"""The playground per kind: the form follows what the model takes, and the panel shows what it gives (images,
audio, vectors with a similarity, labels as bars), with and without htmx, against the demo models."""

import html
import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from activity.models import CallMedia, UserHistory
from activity.tests.factories import UserHistoryFactory
from activity.tests.test_call_media import png, wav
from activity.tests.test_playground_panel import render_panel
from activity.views.playground import FLASH_KEY
from activity.views.playground_kinds import RESULTS_KEPT, RESULTS_KEY, cosine
from catalog.tests.factories import AIModelFactory
from demo.models_media import drawing, embeddings, labels, speech

HTMX = {"HTTP_HX_REQUEST": "true"}
MEDIA_URL = re.compile(r"/me/history/([0-9a-f-]{36})/media/([0-9a-f-]{36})/")


pytestmark = pytest.mark.usefixtures("call_media_root")


def make(dana, upstream, category: str, path: str, api_name: str):
    return AIModelFactory(
        developer=dana,
        api_name=api_name,
        display_name=api_name.title(),
        category=category,
        endpoint_url=f"{upstream.url}{path}",
        price_per_request=Decimal("0.0100"),
    )


@pytest.fixture
def summarizer(dana, upstream):
    return make(dana, upstream, "summarization", "/summarize", "summarizer")


def post(client, model, data=None, **extra):
    return client.post(f"/playground/{model.api_name}/", {"session": "", **(data or {})}, **extra)


def follow(client, response) -> str:
    assert response.status_code == 302
    return client.get(response["Location"]).content.decode()


def upload(name: str, data: bytes, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def drawn(prompt: str, size=(256, 256)) -> bytes:
    return drawing.render(prompt, size)[0]


def form_of(page: str) -> str:
    return re.search(r'<form method="post".*?</form>', page, re.S).group(0)


# The form follows what the model takes and gives.


def test_a_model_that_takes_images_and_audio_gets_a_multipart_form_with_a_file_input_and_the_prompt(
    alice, looker
):
    form = form_of(render_panel(alice, looker))

    assert 'enctype="multipart/form-data"' in form
    assert 'type="file" name="file" id="id_file" accept="image/*,audio/*"' in form
    assert '<label for="id_file">Image or audio</label>' in form
    assert '<label for="id_prompt">Prompt</label>' in form
    assert "data-stream-url=" in form  # it gives text: its answer streams
    assert '<img alt="Preview of the chosen image" hidden>' in form
    assert "playground-record" in form and "Compare with" not in form


def test_a_speech_to_text_model_takes_a_file_and_no_prompt(alice, listener):
    form = form_of(render_panel(alice, listener))

    assert 'accept="audio/*"' in form and '<label for="id_file">Audio</label>' in form
    assert 'name="prompt"' not in form
    assert "data-stream-url=" not in form  # a transcription endpoint answers in one piece


@pytest.mark.parametrize("fixture", ["painter", "speaker", "embedder", "sorter"])
def test_models_that_do_not_give_text_are_not_offered_streaming_nor_a_file(request, alice, fixture):
    form = form_of(render_panel(alice, request.getfixturevalue(fixture)))

    assert "data-stream-url=" not in form
    assert 'type="file"' not in form and "multipart" not in form
    assert 'name="prompt"' in form
    assert "Settings" not in form  # temperature and length are for text answers


def test_an_embeddings_model_asks_for_a_second_text_to_compare_with(alice, embedder, summarizer):
    assert '<label for="id_compare">Compare with</label>' in render_panel(alice, embedder)
    assert "Compare with" not in render_panel(alice, summarizer)


# Each kind of answer, shown.


def test_a_generated_image_is_shown_from_the_history_after_the_no_javascript_redirect(
    alice_client, alice, painter
):
    response = post(alice_client, painter, {"prompt": "three green stars at night"})

    row = UserHistory.objects.get()
    assert response["Location"] == f"/models/painter/?exchange={row.history_id}#playground"
    page = follow(alice_client, response)
    image = CallMedia.objects.get(history_id=row.history_id, direction="output")
    url = f"/me/history/{row.history_id}/media/{image.media_id}/"
    assert f'<img src="{url}" width="1024" height="1024" alt="Image in the answer"' in page
    assert f'href="{url}" download=' in page
    served = alice_client.get(url)
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == drawing.render("three green stars at night", (1024, 1024))[0]
    assert "playground-response" not in page  # the history's summary line gives way to the image


def test_with_htmx_the_panel_shows_the_generated_image_in_place(alice_client, painter):
    response = post(alice_client, painter, {"prompt": "a red square"}, **HTMX)

    assert response.status_code == 200
    media = CallMedia.objects.get()
    assert f'<img src="/me/history/{media.history_id}/media/{media.media_id}/"' in response.content.decode()


def test_another_user_cannot_load_the_image_of_a_turn(alice_client, client, bob, painter):
    post(alice_client, painter, {"prompt": "a red square"})
    media = CallMedia.objects.get()
    client.force_login(bob)

    assert client.get(f"/me/history/{media.history_id}/media/{media.media_id}/").status_code == 404


def test_an_uploaded_image_is_captioned_and_shown_as_sent(alice_client, alice, looker):
    picture = drawn("two red circles on a blue background")

    response = post(
        alice_client, looker, {"prompt": "", "file": upload("circles.png", picture, "image/png")}, **HTMX
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "2 red circles" in page
    sent = CallMedia.objects.get(direction="input")
    assert sent.mime == "image/png" and sent.width == 256
    assert f'<img src="/me/history/{sent.history_id}/media/{sent.media_id}/"' in page
    assert 'alt="Image you sent"' in page
    row = UserHistory.objects.get()
    assert re.fullmatch(r"\[image 256×256 PNG, \d+ (KB|bytes)\]", row.prompt)


def test_a_question_about_an_image_goes_with_it(alice_client, looker):
    picture = drawn("two red circles on a blue background")

    response = post(
        alice_client,
        looker,
        {"prompt": "How many circles are there?", "file": upload("c.png", picture, "image/png")},
    )

    page = follow(alice_client, response)
    assert "How many circles are there?" in page
    assert "2" in html.unescape(page.split("playground-response", 1)[1][:400])


def test_speech_is_played_with_a_player_and_a_download_link(alice_client, speaker):
    page = follow(alice_client, post(alice_client, speaker, {"prompt": "hello world"}))

    audio = CallMedia.objects.get(direction="output")
    url = f"/me/history/{audio.history_id}/media/{audio.media_id}/"
    assert f'<audio controls preload="none" src="{url}">' in page
    assert f'href="{url}" download="' in page
    served = alice_client.get(url)
    assert served["Content-Type"] == "audio/wav"
    assert b"".join(served.streaming_content) == speech.synthesize("hello world")[0]


def test_an_uploaded_recording_is_transcribed(alice_client, listener):
    spoken = speech.synthesize("good morning")[0]

    page = follow(alice_client, post(alice_client, listener, {"file": upload("a.wav", spoken, "audio/wav")}))

    assert "good morning" in page
    assert CallMedia.objects.get().direction == "input"


def test_a_speech_to_text_model_without_a_file_asks_for_one(alice_client, listener):
    response = post(alice_client, listener, {}, **HTMX)

    assert "Choose a file for the model (audio/*)." in response.content.decode()
    assert not UserHistory.objects.exists()


def test_two_texts_are_embedded_in_one_call_and_their_similarity_shown(alice_client, embedder):
    first, second = "The cat sat on the mat.", "A cat was sitting on a mat."

    page = follow(alice_client, post(alice_client, embedder, {"prompt": first, "compare": second}))

    a, b = embeddings.embed(first), embeddings.embed(second)
    assert f"Cosine similarity: <strong>{cosine(tuple(a), tuple(b)):.4f}</strong>" in page
    assert f"vector of <strong>{len(a)}</strong> dimensions" in page
    shown = re.findall(r"<li><code>(-?[0-9.]+)</code></li>", page)
    assert shown == [f"{value:.4f}" for value in a[:8]] + [f"{value:.4f}" for value in b[:8]]
    assert "1 means the two texts point the same way" in page
    row = UserHistory.objects.get()
    assert row.prompt == f"{first}\n\nCompared with:\n{second}"
    assert row.cost_incurred == Decimal("0.0100")  # one call


def test_one_text_shows_its_vector_without_a_similarity(alice_client, embedder):
    response = post(alice_client, embedder, {"prompt": "Just one."}, **HTMX)

    page = response.content.decode()
    assert f"A vector of <strong>{len(embeddings.embed('Just one.'))}</strong> dimensions" in page
    assert "Cosine similarity" not in page


def test_labels_are_drawn_as_bars_with_their_percentages(alice_client, sorter):
    text = "I love this, it is great and wonderful."

    page = follow(alice_client, post(alice_client, sorter, {"prompt": text}))

    expected = labels.sentiment(text)
    found = re.findall(
        r'<span class="playground-label-name">([^<]+)</span>\s*<meter min="0" max="1" value="([0-9.]+)"'
        r' aria-label="[^"]+">(\d+)%</meter>\s*<span class="playground-label-value">(\d+)%</span>',
        page,
    )
    assert [(label, float(value), int(percent)) for label, value, percent, _ in found] == [
        (item["label"], item["score"], round(item["score"] * 100)) for item in expected
    ]


def test_figures_of_older_turns_fall_back_to_the_history_summary(alice_client, alice, sorter):
    post(alice_client, sorter, {"prompt": "great"})
    row = UserHistory.objects.get()
    session = alice_client.session
    session[RESULTS_KEY] = {}
    session.save()

    page = alice_client.get(f"/models/sorter/?exchange={row.history_id}").content.decode()

    assert "playground-label-name" not in page
    assert "[labels: positive" in page


def test_the_session_keeps_the_figures_of_the_last_turns_only(alice_client, embedder):
    for number in range(RESULTS_KEPT + 2):
        post(alice_client, embedder, {"prompt": f"text {number}"})

    assert len(alice_client.session[RESULTS_KEY]) == RESULTS_KEPT


# Bad files get the API's messages; what was typed is kept.


def test_a_text_file_sent_as_an_image_is_refused_and_the_prompt_kept(alice_client, looker):
    response = post(
        alice_client,
        looker,
        {"prompt": "What is this?", "file": upload("notes.png", b"just some text", "image/png")},
    )

    flash = alice_client.session[FLASH_KEY]
    assert flash["error"]["title"] == "That file cannot be used."
    assert "notes.png: the bytes are not an image Pillow can read." in flash["error"]["message"]
    page = follow(alice_client, response)
    assert "That file cannot be used." in page
    assert "What is this?</textarea>" in page
    assert "Browsers do not keep a chosen file after a page is sent: choose it again." in page
    assert not UserHistory.objects.exists() and not CallMedia.objects.exists()


def test_a_file_that_says_it_is_text_is_refused_with_htmx(alice_client, looker):
    response = post(
        alice_client, looker, {"prompt": "Hi", "file": upload("a.txt", b"plain", "text/plain")}, **HTMX
    )

    page = html.unescape(response.content.decode())
    assert "expected image, but the file says it is text/plain." in page
    assert "choose it again" in page
    assert ">\nHi</textarea>" in page


def test_an_image_sent_to_a_text_only_model_is_unsupported(alice_client, summarizer):
    response = post(
        alice_client,
        summarizer,
        {"prompt": "Summarise this.", "file": upload("p.png", png(), "image/png")},
        **HTMX,
    )

    page = response.content.decode()
    assert "Not supported by this model." in page
    assert "summarizer takes text; this call sends images." in page
    assert not UserHistory.objects.exists()


def test_a_file_too_large_is_refused_before_it_is_read(alice_client, looker, settings):
    settings.GATEWAY_MAX_FILE_BYTES = 100

    response = post(
        alice_client, looker, {"prompt": "x", "file": upload("big.wav", wav(), "audio/wav")}, **HTMX
    )

    page = response.content.decode()
    assert "File too large." in page
    assert "the limit is 100 bytes" in page


def test_a_picture_too_large_in_pixels_is_refused(alice_client, looker, settings):
    settings.GATEWAY_MAX_IMAGE_PIXELS = 100
    out = io.BytesIO()
    Image.new("RGB", (20, 20)).save(out, format="PNG")

    response = post(alice_client, looker, {"file": upload("big.png", out.getvalue(), "image/png")}, **HTMX)

    assert "the image is 20×20 pixels; the limit is 100 pixels." in response.content.decode()


# Streaming is for text answers.


def test_the_stream_view_answers_a_model_that_gives_images_with_the_panel(alice_client, painter):
    response = alice_client.post("/playground/painter/stream", {"prompt": "a blue circle", "session": ""})

    assert response["Content-Type"].startswith("text/html")
    media = CallMedia.objects.get()
    assert f"/me/history/{media.history_id}/media/{media.media_id}/" in response.content.decode()


def test_a_file_goes_with_a_streamed_turn(alice_client, looker):
    picture = drawn("two red circles on a blue background")

    response = alice_client.post(
        "/playground/looker/stream",
        {"prompt": "", "session": "", "file": upload("c.png", picture, "image/png")},
    )

    assert response["Content-Type"].startswith("text/event-stream")
    body = b"".join(response.streaming_content).decode()
    assert "red" in body and "circles" in body
    assert CallMedia.objects.get().direction == "input"


# The panel's queries: one for the files of all the turns shown.


@pytest.mark.parametrize("turns", [1, 20])
def test_the_panel_reads_the_files_of_its_turns_in_one_query(
    alice, painter, turns, django_assert_num_queries
):
    from activity.media import MediaItem, keep_media

    for _ in range(turns):
        row = UserHistoryFactory(user=alice, model=painter, session_id="sess_pictures")
        keep_media(
            history_id=row.pk,
            user_id=alice.pk,
            items=[MediaItem("output", "image", "image/png", png())],
        )

    with django_assert_num_queries(4):  # sessions, the conversation, its files (and the sessions' counts)
        html_text = render_panel(alice, painter, "?session=sess_pictures")

    assert len(MEDIA_URL.findall(html_text)) == 3 * turns  # the image, its link and its download link


def test_a_chat_upstream_gets_the_image_as_a_content_part_of_the_last_turn(alice_client, dana, upstream):
    make(dana, upstream, "multimodal", "/chat/completions", "chatlooker")
    picture = drawn("two red circles on a blue background")

    page = follow(
        alice_client,
        alice_client.post(
            "/playground/chatlooker/",
            {"prompt": "Describe it.", "session": "", "file": upload("c.png", picture, "image/png")},
        ),
    )

    assert "2 red circles" in page
    assert CallMedia.objects.get().direction == "input"
