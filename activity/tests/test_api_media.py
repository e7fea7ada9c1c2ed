"""Images, audio, embeddings and labels through the API, with OpenAI's official client where OpenAI has a shape,
against the demo models (demo/models_media) over real HTTP: embeddings, image generation, transcription,
speech, chat with an image part, and /invoke's inputs and outputs; then every refusal: the wrong kind, a file
too large, a file that lies about its type, a remote URL. Refusals count nothing and cost nothing."""

import io
import json
import math
import wave
from base64 import b64decode, b64encode
from decimal import Decimal

import pytest
from PIL import Image

from activity.media import call_media_storage, media_for_history
from activity.models import ApiUsageLog, DeveloperMonthlyUsage, UserHistory
from activity.tests.helpers import chat, invoke
from catalog.tests.factories import AIModelFactory
from demo.models_media.drawing import render
from demo.models_media.speech import synthesize

pytestmark = pytest.mark.django_db(transaction=True)

PRICE = Decimal("0.0100")


@pytest.fixture
def media_models(dana, upstream):
    """One model per kind of call, each at the demo route for its category."""

    def make(api_name: str, category: str, path: str):
        return AIModelFactory(
            developer=dana,
            api_name=api_name,
            category=category,
            endpoint_url=f"{upstream.url}{path}",
            price_per_request=PRICE,
        )

    return {
        "embed": make("embed", "embeddings", "/v1/embeddings"),
        "embed-plain": make("embed-plain", "embeddings", "/embed"),
        "draw": make("draw", "image_generation", "/v1/images/generations"),
        "draw-plain": make("draw-plain", "image_generation", "/draw"),
        "speak": make("speak", "text_to_speech", "/v1/audio/speech"),
        "hear": make("hear", "speech_to_text", "/v1/audio/transcriptions"),
        "look": make("look", "multimodal", "/caption"),
        "label": make("label", "classification", "/classify"),
        "chatty": make("chatty", "text_generation", "/chat/completions"),
    }


def png(prompt: str = "two red circles and a blue square", size: int = 256) -> bytes:
    data, _ = render(prompt, (size, size))
    return data


def cosine(a, b) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True)) / math.sqrt(
        sum(x * x for x in a) * sum(y * y for y in b)
    )


def forwarded_calls(developer) -> int:
    usage = DeveloperMonthlyUsage.objects.filter(developer=developer).first()
    return usage.calls if usage else 0


# The official client ------------------------------------------------------------------------------------


def test_embeddings_with_the_openai_client_give_unit_vectors_that_know_similar_texts(
    openai_client, media_models, alice, alice_key
):
    client = openai_client(alice_key)
    texts = ["a cat sat on the mat", "the cat sat on a mat", "stock prices fell sharply"]

    answer = client.embeddings.create(model="embed", input=texts, dimensions=64)

    vectors = [item.embedding for item in answer.data]
    assert [len(vector) for vector in vectors] == [64, 64, 64]
    assert all(abs(math.sqrt(sum(x * x for x in vector)) - 1) < 1e-3 for vector in vectors)
    assert cosine(vectors[0], vectors[1]) > cosine(vectors[0], vectors[2]) + 0.3
    entry = UserHistory.objects.get(user=alice)
    assert entry.cost_incurred == PRICE and entry.response.startswith("[vector of 64 dimensions")


def test_embeddings_of_a_plain_upstream_come_through_the_same_endpoint(
    openai_client, media_models, alice_key
):
    client = openai_client(alice_key)
    one = client.embeddings.create(model="embed-plain", input="hello there", dimensions=32)
    two = client.embeddings.create(model="embed-plain", input=["hello there", "stock prices"], dimensions=32)

    assert len(one.data) == 1 and len(one.data[0].embedding) == 32
    assert [item.index for item in two.data] == [0, 1]
    assert two.data[0].embedding == pytest.approx(one.data[0].embedding, abs=1e-6)


def test_images_with_the_openai_client_come_back_as_png_and_in_the_history(
    openai_client, media_models, alice, alice_key
):
    answer = openai_client(alice_key).images.generate(
        model="draw", prompt="a red circle", size="256x256", n=2
    )

    assert len(answer.data) == 2
    image = Image.open(io.BytesIO(b64decode(answer.data[0].b64_json)))
    assert image.format == "PNG" and image.size == (256, 256)
    entry = UserHistory.objects.get(user=alice)
    assert "[image 256×256 PNG" in entry.response
    kept = media_for_history([entry.pk])[entry.pk]
    assert [(media.direction, media.kind, media.mime) for media in kept] == [
        ("output", "image", "image/png")
    ] * 2
    with call_media_storage().open(kept[0].path) as stored:
        assert stored.read() == b64decode(answer.data[0].b64_json)


def test_speech_and_its_transcription_with_the_openai_client(openai_client, media_models, alice_key):
    client = openai_client(alice_key)
    spoken = client.audio.speech.create(
        model="speak", voice="alloy", input="hello world", response_format="wav"
    )
    audio = spoken.read()
    with wave.open(io.BytesIO(audio)) as reader:
        assert reader.getnframes() > 0

    heard = client.audio.transcriptions.create(model="hear", file=("hello.wav", audio, "audio/wav"))

    assert heard.text.strip().lower() == "hello world"
    log = ApiUsageLog.objects.filter(model=media_models["hear"]).get()
    assert log.response_code == 200 and log.request_size > len(audio)  # the whole multipart upload, in bytes


def test_chat_with_an_image_part_with_the_openai_client(openai_client, media_models, alice, alice_key):
    uri = "data:image/png;base64," + b64encode(png()).decode()

    answer = openai_client(alice_key).chat.completions.create(
        model="look",
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "How many circles?"},
                    {"type": "image_url", "image_url": {"url": uri}},
                ],
            }
        ],
    )

    text = answer.choices[0].message.content.lower()
    assert "2" in text or "two" in text
    entry = UserHistory.objects.get(user=alice)
    assert entry.prompt.startswith("How many circles?") and "[image 256×256 PNG" in entry.prompt
    kept = media_for_history([entry.pk])[entry.pk]
    assert [(media.direction, media.kind, media.size_bytes) for media in kept] == [
        ("input", "image", len(png()))
    ]


# /invoke's inputs and outputs ---------------------------------------------------------------------------


def test_invoke_sends_inputs_and_answers_outputs(client, media_models, alice_key):
    response = invoke(
        client,
        "look",
        {
            "prompt": "What colours?",
            "inputs": [{"type": "image", "mime": "image/png", "data": b64encode(png()).decode()}],
        },
        alice_key,
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert "red" in body["response"].lower() and body["outputs"][0]["type"] == "text"


def test_invoke_answers_labels_and_images_as_outputs(client, media_models, alice_key):
    labels = invoke(client, "label", {"prompt": "I love this, it is great"}, alice_key).json()
    drawn = invoke(
        client, "draw-plain", {"prompt": "a blue star", "parameters": {"size": "128x128"}}, alice_key
    ).json()

    scores = next(item for item in labels["outputs"] if item["type"] == "labels")["labels"]
    assert scores[0]["label"] == "positive" and scores == sorted(scores, key=lambda item: -item["score"])
    image = next(item for item in drawn["outputs"] if item["type"] == "image")
    assert image["mime"] == "image/png" and Image.open(io.BytesIO(b64decode(image["data"]))).size == (
        128,
        128,
    )


def test_an_image_model_called_through_invoke_speaks_its_upstreams_shape(client, media_models, alice_key):
    body = invoke(client, "draw", {"prompt": "a green square"}, alice_key).json()

    assert [item["type"] for item in body["outputs"]] == ["image"]


# Refusals: nothing counts, nothing is charged -----------------------------------------------------------


def refused(response, status: int, code: str) -> str:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["error"]["code"] == code
    return body["error"]["message"]


def post_json(client, path: str, body: dict, key: str):
    return client.post(
        path, data=json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}"
    )


def test_the_wrong_kind_is_refused_before_anything_counts(client, media_models, dana, alice, alice_key):
    before = alice.credit_balance
    text_to_embeddings = post_json(
        client, "/api/v1/embeddings", {"model": "chatty", "input": "hi"}, alice_key
    )
    image_to_text_model = invoke(
        client,
        "chatty",
        {"prompt": "hi", "inputs": [{"type": "image", "data": b64encode(png()).decode()}]},
        alice_key,
    )
    no_audio_to_transcriber = invoke(client, "hear", {"prompt": "what did it say?"}, alice_key)
    stream_of_images = invoke(client, "draw", {"prompt": "x", "stream": True}, alice_key)

    assert "gives text, not vectors" in refused(text_to_embeddings, 400, "unsupported_kind")
    assert "takes text; this call sends images" in refused(image_to_text_model, 400, "unsupported_kind")
    refused(no_audio_to_transcriber, 400, "unsupported_kind")
    refused(stream_of_images, 400, "unsupported_kind")
    assert forwarded_calls(dana) == 0
    alice.refresh_from_db()
    assert alice.credit_balance == before
    assert set(ApiUsageLog.objects.values_list("response_code", flat=True)) == {400}


def test_a_remote_url_is_refused_and_never_fetched(client, media_models, upstream, alice_key):
    body = {
        "model": "look",
        "messages": [
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "What is this?"},
                    {"type": "image_url", "image_url": {"url": f"{upstream.url}/echo"}},
                ],
            }
        ],
    }
    received_before = len(upstream.received)

    message = refused(chat(client, body, alice_key), 400, "remote_url_refused")

    assert "does not fetch URLs" in message
    assert len(upstream.received) == received_before


def test_a_file_that_lies_about_its_type_is_refused(client, media_models, alice_key):
    jpeg = io.BytesIO()
    Image.new("RGB", (32, 32), "red").save(jpeg, format="JPEG")
    lies = invoke(
        client,
        "look",
        {
            "prompt": "x",
            "inputs": [{"type": "image", "mime": "image/png", "data": b64encode(jpeg.getvalue()).decode()}],
        },
        alice_key,
    )
    not_an_image = invoke(
        client,
        "look",
        {"prompt": "x", "inputs": [{"type": "image", "data": b64encode(b"GIF89a nonsense").decode()}]},
        alice_key,
    )
    text_as_audio = invoke(
        client,
        "hear",
        {"inputs": [{"type": "audio", "mime": "audio/wav", "data": b64encode(b"hello").decode()}]},
        alice_key,
    )

    assert "says it is image/png, but its bytes are image/jpeg" in refused(lies, 400, "invalid_media")
    refused(not_an_image, 400, "invalid_media")
    refused(text_as_audio, 400, "invalid_media")


def test_files_too_large_are_refused_before_decoding(client, media_models, alice_key, settings):
    settings.GATEWAY_MAX_FILE_BYTES = 1000
    big = invoke(
        client,
        "look",
        {"prompt": "x", "inputs": [{"type": "image", "data": b64encode(png(size=512)).decode()}]},
        alice_key,
    )
    refused(big, 413, "media_too_large")

    settings.GATEWAY_MAX_FILE_BYTES = 10_000_000
    settings.GATEWAY_MAX_IMAGE_PIXELS = 100 * 100
    many_pixels = invoke(
        client,
        "look",
        {"prompt": "x", "inputs": [{"type": "image", "data": b64encode(png(size=256)).decode()}]},
        alice_key,
    )
    assert "256×256 pixels" in refused(many_pixels, 413, "media_too_large")

    settings.GATEWAY_MAX_AUDIO_SECONDS = 1
    long_audio, _ = synthesize("a sentence long enough to last more than a second", speed=1.0)
    too_long = client.post(
        "/api/v1/audio/transcriptions",
        data={"model": "hear", "file": io.BytesIO(long_audio)},
        HTTP_AUTHORIZATION=f"Bearer {alice_key}",
    )
    refused(too_long, 413, "media_too_large")


def test_speech_in_a_format_the_platform_does_not_make_is_a_400(client, media_models, alice_key):
    response = post_json(
        client,
        "/api/v1/audio/speech",
        {"model": "speak", "input": "hi", "voice": "alloy", "response_format": "mp3"},
        alice_key,
    )

    assert "'wav' or 'pcm'" in refused(response, 400, "invalid_request")


def test_images_as_urls_are_a_400(client, media_models, alice_key):
    response = post_json(
        client,
        "/api/v1/images/generations",
        {"model": "draw", "prompt": "x", "response_format": "url"},
        alice_key,
    )

    assert "b64_json" in refused(response, 400, "invalid_request")
