"""The demo upstream's media models over HTTP: pictures drawn and described, speech said and read back,
embeddings and labels, in the plain protocol and in OpenAI's shapes (through the official client)."""

import base64
import io
import math
import random
import socket
import struct
import wave
import zlib
from array import array

import httpx
import openai
import pytest
from PIL import Image

from demo.models_media import speech

# A sentence with punctuation, two spaces in a row and non-ASCII characters.
SAID = "Hello, world!  Café at 9:30 — ☕ please"


def plain(upstream, path, prompt="", inputs=(), **parameters) -> httpx.Response:
    body = {"prompt": prompt, "parameters": parameters}
    if inputs:
        body["inputs"] = list(inputs)
    return httpx.post(f"{upstream.url}{path}", json=body, timeout=60)


def ok(response: httpx.Response) -> dict:
    assert response.status_code == 200, response.text
    return response.json()


def an_input(kind: str, mime: str, data: bytes) -> dict:
    return {"type": kind, "mime": mime, "data": base64.b64encode(data).decode()}


def client(upstream) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{upstream.url}/v1", api_key="unused", max_retries=0, timeout=60)


def drawn(upstream, prompt, **parameters) -> list[bytes]:
    answer = ok(plain(upstream, "/draw", prompt, **parameters))
    assert {output["type"] for output in answer["outputs"]} == {"image"}
    return [base64.b64decode(output["data"]) for output in answer["outputs"]]


def described(upstream, image: bytes, question: str = "", mime: str = "image/png") -> str:
    return ok(plain(upstream, "/caption", question, [an_input("image", mime, image)]))["response"]


def said(upstream, text: str, **parameters) -> bytes:
    answer = ok(plain(upstream, "/speak", text, **parameters))
    (output,) = answer["outputs"]
    assert output["type"] == "audio" and output["mime"] == "audio/wav"
    return base64.b64decode(output["data"])


def heard(upstream, audio: bytes) -> str:
    return ok(plain(upstream, "/transcribe", inputs=[an_input("audio", "audio/wav", audio)]))["response"]


def wav_file(samples, rate: int, channels: int = 1, width: int = 2) -> bytes:
    """PCM WAV of float samples (-1..1), each repeated on every channel."""
    frames = bytearray()
    for value in samples:
        level = max(-1.0, min(1.0, value))
        if width == 1:
            one = bytes([round(level * 127) + 128])
        else:
            one = round(level * ((1 << (8 * width - 1)) - 1)).to_bytes(width, "little", signed=True)
        frames += one * channels
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(width)
        out.setframerate(rate)
        out.writeframes(bytes(frames))
    return buffer.getvalue()


def samples_of(data: bytes) -> tuple[list[float], int]:
    with wave.open(io.BytesIO(data)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth()) == (1, 2)
        values = array("h")
        values.frombytes(wav.readframes(wav.getnframes()))
        return [v / 32768 for v in values], wav.getframerate()


def resampled(samples: list[float], rate: int, new_rate: int) -> list[float]:
    """Linear interpolation: what a cheap resampler does."""
    out = []
    for i in range(int(len(samples) * new_rate / rate)):
        t = i * rate / new_rate
        j = int(t)
        following = samples[j + 1] if j + 1 < len(samples) else samples[j]
        out.append(samples[j] + (following - samples[j]) * (t - j))
    return out


def with_noise(samples: list[float], snr_db: float, seed: int = 7) -> list[float]:
    """White noise at `snr_db` below the signal's RMS level."""
    rng = random.Random(seed)
    rms = math.sqrt(sum(x * x for x in samples) / len(samples))
    sigma = rms / 10 ** (snr_db / 20)
    return [x + rng.gauss(0, sigma) for x in samples]


def sine(frequency: float, seconds: float, rate: int, level: float = 0.5) -> list[float]:
    return [level * math.sin(2 * math.pi * frequency * n / rate) for n in range(int(seconds * rate))]


def cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True)) / math.sqrt(
        sum(x * x for x in a) * sum(y * y for y in b)
    )


# Image generation


def test_the_picture_follows_the_prompt_and_the_captioner_finds_its_shapes(upstream):
    (png,) = drawn(upstream, "two red circles and a blue square", size="512x512")

    image = Image.open(io.BytesIO(png))
    assert (image.format, image.size) == ("PNG", (512, 512))
    caption = described(upstream, png)
    assert "A 512x512 PNG image" in caption
    assert "3 shapes: 2 red circles and 1 blue square" in caption
    assert "mostly white" in caption


@pytest.mark.parametrize(
    "prompt, shapes",
    [
        (
            "three green triangles and a yellow star on a black background",
            "3 green triangles and 1 yellow star",
        ),
        ("4 purple rectangles", "4 purple rectangles"),
        ("a pink square, an orange circle and a teal triangle", None),
        ("twelve navy stars", "12 navy stars"),
    ],
)
def test_counted_shapes_of_every_kind_are_found_again(upstream, prompt, shapes):
    (png,) = drawn(upstream, prompt, size="256x256")

    caption = described(upstream, png)
    if shapes is None:
        for part in ("1 pink square", "1 orange circle", "1 teal triangle"):
            assert part in caption
    else:
        assert f": {shapes}." in caption


def test_the_same_prompt_gives_the_same_bytes_and_another_prompt_other_bytes(upstream):
    first = drawn(upstream, "a sunset over the mountains with the sun", size="256x256")
    again = drawn(upstream, "a sunset over the mountains with the sun", size="256x256")
    other = drawn(upstream, "a sunset over the mountains with the moon", size="256x256")

    assert first == again
    assert first != other


def test_n_pictures_differ_and_the_size_is_the_one_asked(upstream):
    pictures = drawn(upstream, "three circles", n=3, size="320x200")

    assert len(set(pictures)) == 3
    assert {Image.open(io.BytesIO(png)).size for png in pictures} == {(320, 200)}


def test_a_prompt_with_no_known_word_still_gives_a_picture(upstream):
    (png,) = drawn(upstream, "the quiet feeling of a Tuesday", size="256x256")

    assert Image.open(io.BytesIO(png)).size == (256, 256)


def test_the_openai_images_route_answers_b64_json_through_the_official_client(upstream):
    answer = client(upstream).images.generate(
        model="pixelforge-xl",
        prompt="two red circles and a blue square",
        n=2,
        size="256x256",
        response_format="b64_json",
    )

    assert len(answer.data) == 2 and answer.created > 0
    assert answer.data[0].revised_prompt == "2 red circles, 1 blue square on a white background, 256x256"
    png = base64.b64decode(answer.data[0].b64_json)
    assert Image.open(io.BytesIO(png)).size == (256, 256)
    assert "2 red circles and 1 blue square" in described(upstream, png)


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"size": "300x300"}, "size must be one of"),
        ({"n": 5}, "n must be an integer from 1 to 4"),
        ({"response_format": "url"}, "b64_json"),
        ({"prompt": ""}, "prompt must say what to draw"),
    ],
)
def test_the_openai_images_route_refuses_what_it_cannot_do_in_openais_error_shape(upstream, fields, message):
    body = {"model": "m", "prompt": "a circle", **fields}
    response = httpx.post(f"{upstream.url}/v1/images/generations", json=body)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert message in error["message"]


# Captions and questions


@pytest.mark.parametrize(
    "question, answer",
    [
        ("How many circles are there?", "I count 2 red circles."),
        ("how many shapes?", "I count 3 shapes: 2 red circles and 1 blue square."),
        ("How many blue circles?", "I count no blue circles."),
        ("What colour is the square?", "The squares are blue."),
        ("what color is it?", "The image is mostly white"),
        ("How big is the image?", "The image is 512x512 pixels."),
        ("Is it dark?", "The image is very bright"),
        ("What shapes do you see?", "I can make out 2 red circles and 1 blue square."),
    ],
)
def test_questions_are_answered_from_the_same_analysis(upstream, question, answer):
    (png,) = drawn(upstream, "two red circles and a blue square", size="512x512")

    assert described(upstream, png, question).startswith(answer)


def test_a_photo_like_jpeg_is_described_by_size_colours_and_brightness(upstream):
    rng = random.Random(3)
    image = Image.new("RGB", (300, 200), (20, 30, 90))
    image.putdata([(20 + rng.randint(0, 30), 30, 90 + rng.randint(0, 30)) for _ in range(300 * 200)])
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80)

    caption = described(upstream, buffer.getvalue(), mime="image/jpeg")

    assert caption.startswith("A 300x200 JPEG image, very dark, mostly navy")


def test_a_transparent_png_is_seen_on_white(upstream):
    image = Image.new("RGBA", (100, 100), (0, 0, 0, 0))
    image.paste((30, 80, 215, 255), (30, 30, 70, 70))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")

    assert "1 blue square" in described(upstream, buffer.getvalue())


def test_the_chat_route_describes_an_image_part_with_a_data_uri(upstream):
    (png,) = drawn(upstream, "two red circles and a blue square", size="256x256")
    uri = "data:image/png;base64," + base64.b64encode(png).decode()

    answer = client(upstream).chat.completions.create(
        model="m",
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

    assert answer.choices[0].message.content == "I count 2 red circles."
    assert answer.usage.prompt_tokens == 3  # the words of the text part


def test_the_chat_route_fetches_no_remote_image(upstream):
    remote = {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}
    with pytest.raises(openai.BadRequestError, match="data: URI"):
        client(upstream).chat.completions.create(model="m", messages=[{"role": "user", "content": [remote]}])


def test_without_an_image_the_captioner_says_so(upstream):
    assert ok(plain(upstream, "/caption", "What is this?"))["response"].startswith(
        "No image came with the prompt"
    )


def png_header(width: int, height: int) -> bytes:
    """A small PNG file that declares a `width` x `height` image (a decompression bomb's opening)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    "image_input, message",
    [
        ({"type": "image", "mime": "image/png", "data": "not base64!"}, "inputs[0].data is not valid base64"),
        (an_input("image", "image/png", b"GIF89a but not really"), "not an image Pillow can read"),
        (
            an_input("image", "image/png", png_header(6000, 5000)),
            "the image is 6000x5000 pixels; the limit is",
        ),
        (an_input("image", "image/png", png_header(20000, 20000)), "the image is too large"),
        ({"type": "video", "mime": "video/mp4", "data": "AAAA"}, "inputs[0].type must be one of"),
    ],
)
def test_bad_images_are_400s_with_a_clear_message(upstream, image_input, message):
    response = httpx.post(f"{upstream.url}/caption", json={"prompt": "", "inputs": [image_input]})

    assert response.status_code == 400
    assert message in response.json()["error"]


def test_a_model_that_breaks_is_a_500_in_the_routes_shape(upstream, monkeypatch):
    def broken(data):
        raise RuntimeError("broken on purpose")

    monkeypatch.setattr("demo.models_media.vision.analyse", broken)
    (png,) = drawn(upstream, "a circle", size="64x64")

    response = plain(upstream, "/caption", "", [an_input("image", "image/png", png)])

    assert response.status_code == 500
    assert response.json() == {"error": "the demo model failed: RuntimeError"}


def test_a_body_past_the_old_4_mb_cap_is_taken(upstream):
    rng = random.Random(5)
    image = Image.frombytes("RGB", (1400, 1200), rng.randbytes(1400 * 1200 * 3))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    assert len(buffer.getvalue()) > 4 * 1024 * 1024

    assert described(upstream, buffer.getvalue()).startswith("A 1400x1200 PNG image")


def test_a_body_past_the_cap_is_a_413(upstream, monkeypatch):
    monkeypatch.setattr("demo.upstream.MAX_BODY_BYTES", 1000)

    response = httpx.post(f"{upstream.url}/embed", json={"prompt": "x" * 2000})

    assert response.status_code == 413


def test_a_chunked_request_body_is_read(upstream):
    chunks = [b'{"prompt": "a cat sat', b' on the mat", "parameters": {"dimensions": 8}}']
    response = httpx.post(f"{upstream.url}/embed", content=iter(chunks))

    assert response.request.headers["transfer-encoding"] == "chunked"
    assert len(ok(response)["outputs"][0]["values"]) == 8


def test_a_chunk_size_that_is_no_number_is_a_400(upstream):
    host, port = upstream.server_address[:2]
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(b"POST /embed HTTP/1.1\r\nHost: demo\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n")
        status_line = sock.makefile("rb").readline()

    assert status_line.startswith(b"HTTP/1.1 400")


# Speech, both ways


def test_the_speech_model_is_read_back_exactly(upstream):
    audio = said(upstream, SAID)

    with wave.open(io.BytesIO(audio)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 16000)
    assert heard(upstream, audio) == SAID


def test_the_speech_is_deterministic_and_as_long_as_the_text(upstream):
    short, long = said(upstream, "one two"), said(upstream, "one two three four")

    assert said(upstream, "one two") == short
    short_seconds = len(samples_of(short)[0]) / 16000
    long_seconds = len(samples_of(long)[0]) / 16000
    # Two framing symbols plus one a character: 9 against 20 symbol periods.
    assert long_seconds / short_seconds == pytest.approx(20 / 9, rel=0.01)


@pytest.mark.parametrize("speed", [0.25, 0.5, 2, 4])
def test_the_speed_divides_the_length_and_the_speech_still_reads_back(upstream, speed):
    normal = len(samples_of(said(upstream, "speed test"))[0])
    audio = said(upstream, "speed test", speed=speed)

    assert len(samples_of(audio)[0]) == pytest.approx(normal / speed, rel=0.01)
    assert heard(upstream, audio) == "speed test"


@pytest.mark.parametrize("rate", [8000, 11025, 22050, 44100, 48000])
@pytest.mark.parametrize("snr_db", [None, 10])
def test_the_speech_reads_back_after_resampling_and_noise(upstream, rate, snr_db):
    samples, original = samples_of(said(upstream, SAID))
    changed = resampled(samples, original, rate)
    if snr_db is not None:
        changed = with_noise(changed, snr_db)

    assert heard(upstream, wav_file(changed, rate)) == SAID


@pytest.mark.parametrize("width", [1, 3, 4])
def test_the_speech_reads_back_from_stereo_at_other_sample_widths(upstream, width):
    samples, rate = samples_of(said(upstream, "wide and stereo"))

    assert heard(upstream, wav_file(samples, rate, channels=2, width=width)) == "wide and stereo"


def test_noise_too_loud_to_read_is_not_made_into_words(upstream):
    samples, rate = samples_of(said(upstream, SAID))

    text = heard(upstream, wav_file(with_noise(samples, -10), rate))

    assert text.startswith("[No speech the demo model can read")


def test_other_audio_is_described_honestly(upstream):
    text = heard(upstream, wav_file(sine(440, 1.5, 44100), 44100, channels=2))

    assert text == (
        "[No speech the demo model can read: 1.50 s of 16-bit WAV audio at 44100 Hz, stereo, "
        "-9.0 dBFS RMS, peak -6.0 dBFS.]"
    )


def test_silence_is_described_as_silent(upstream):
    assert heard(upstream, wav_file([0.0] * 8000, 8000)) == (
        "[No speech the demo model can read: 1.00 s of 16-bit WAV audio at 8000 Hz, mono, silent.]"
    )


def ogg_opus(seconds: float) -> bytes:
    """An Ogg Opus file's header pages as a browser recording starts, and a last page giving its length."""

    def page(granule: int, body: bytes) -> bytes:
        return b"OggS\x00\x00" + struct.pack("<q", granule) + bytes(12) + bytes([1, len(body)]) + body

    head = b"OpusHead\x01\x01" + struct.pack("<HIhB", 312, 48000, 0, 0)
    return page(0, head) + page(0, b"OpusTags") + page(int(seconds * 48000), b"\x00" * 40)


def float_wav() -> bytes:
    data = struct.pack("<4f", 0, 0.5, 0, -0.5)
    fmt = struct.pack("<HHIIHH", 3, 1, 22050, 22050 * 4, 4, 32)
    body = (
        b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data
    )
    return b"RIFF" + struct.pack("<I", len(body)) + body


@pytest.mark.parametrize(
    "data, description",
    [
        (ogg_opus(2.5), "an Ogg Opus recording (48000 Hz, mono, 2.5 s), 151 bytes. It decodes WAV only."),
        (
            b"\x1aE\xdf\xa3" + b"\x00" * 30 + b"A_OPUS" + b"\x00" * 20,
            "a WebM/Matroska Opus recording, 60 bytes",
        ),
        (b"ID3\x04" + bytes(60), "an MP3 file, 64 bytes"),
        (
            float_wav(),
            "a WAV file (32-bit float samples, 32-bit, 22050 Hz, mono), 60 bytes. It decodes PCM WAV only.",
        ),
    ],
)
def test_other_containers_are_described_from_their_header(upstream, data, description):
    text = heard(upstream, data)

    assert text.startswith("[No speech the demo model can read: ")
    assert description in text


def test_bytes_that_are_no_audio_are_a_400(upstream):
    response = plain(upstream, "/transcribe", inputs=[an_input("audio", "audio/wav", b"just some text")])

    assert response.status_code == 400
    assert "not an audio file the demo recognises" in response.json()["error"]


def test_the_openai_audio_routes_work_through_the_official_client(upstream):
    api = client(upstream)

    speech_answer = api.audio.speech.create(model="m", voice="alloy", input=SAID, response_format="wav")
    assert speech_answer.response.headers["content-type"] == "audio/wav"
    audio = speech_answer.content
    assert audio == said(upstream, SAID)

    as_json = api.audio.transcriptions.create(model="m", file=("speech.wav", audio, "audio/wav"))
    as_text = api.audio.transcriptions.create(
        model="m", file=("speech.wav", audio, "audio/wav"), response_format="text"
    )
    verbose = api.audio.transcriptions.create(
        model="m", file=("speech.wav", audio, "audio/wav"), response_format="verbose_json", language="fr"
    )
    assert as_json.text == SAID
    assert as_text == SAID
    assert verbose.language == "fr" and verbose.duration == pytest.approx(len(samples_of(audio)[0]) / 16000)


@pytest.mark.parametrize(
    "body, message",
    [
        ({"input": ""}, "non-empty string"),
        ({"input": "hi", "speed": 5}, "speed must be a number from 0.25 to 4.0"),
        ({"input": "hi", "response_format": "mp3"}, "WAV only"),
        ({"input": "x" * 5000}, "longer than 4096 characters"),
    ],
)
def test_the_openai_speech_route_refuses_in_openais_shape(upstream, body, message):
    response = httpx.post(f"{upstream.url}/v1/audio/speech", json={"model": "m", **body})

    assert response.status_code == 400
    assert message in response.json()["error"]["message"]


def test_the_openai_transcriptions_route_needs_a_file_field(upstream):
    response = httpx.post(f"{upstream.url}/v1/audio/transcriptions", data={"model": "m"}, files={"x": b"1"})
    not_multipart = httpx.post(f"{upstream.url}/v1/audio/transcriptions", json={"model": "m"})

    assert response.status_code == 400 and "field named file" in response.json()["error"]["message"]
    assert (
        not_multipart.status_code == 400 and "multipart/form-data" in not_multipart.json()["error"]["message"]
    )


def test_the_transcriber_needs_audio(upstream):
    assert plain(upstream, "/transcribe", "nothing").status_code == 400


# Embeddings


def test_similar_texts_give_closer_vectors(upstream):
    answer = client(upstream).embeddings.create(
        model="m",
        input=[
            "a cat sat on the mat",
            "the cat sat on a mat",
            "stock prices fell sharply",
            "the cats sat on mats",
        ],
        dimensions=128,
    )

    cat, same, stock, cats = (item.embedding for item in answer.data)
    assert [item.index for item in answer.data] == [0, 1, 2, 3]
    assert cosine(cat, same) > cosine(cat, stock)
    assert cosine(cat, cats) > cosine(cat, stock) + 0.3
    assert answer.usage.prompt_tokens == 6 + 6 + 4 + 5


@pytest.mark.parametrize("dimensions", [1, 8, 256, 3072, 8192])
def test_vectors_have_the_dimension_asked_and_unit_length(upstream, dimensions):
    answer = ok(plain(upstream, "/embed", "some words to embed", dimensions=dimensions))

    (output,) = answer["outputs"]
    assert output["type"] == "vector"
    assert len(output["values"]) == dimensions
    assert sum(v * v for v in output["values"]) == pytest.approx(1, abs=1e-5)


def test_the_same_text_gives_the_same_vector_in_both_protocols(upstream):
    first = ok(plain(upstream, "/embed", "repeatable"))["outputs"][0]["values"]
    body = {"model": "m", "input": "repeatable", "encoding_format": "float"}
    second = httpx.post(f"{upstream.url}/v1/embeddings", json=body).json()

    assert len(first) == 256
    assert second["data"][0]["embedding"] == first
    assert second["object"] == "list" and second["data"][0]["object"] == "embedding"


@pytest.mark.parametrize(
    "body, message",
    [
        ({"input": "x", "dimensions": 0}, "dimensions must be an integer from 1 to 8192"),
        ({"input": "x", "dimensions": 8193}, "dimensions must be an integer from 1 to 8192"),
        ({"input": []}, "non-empty list of strings"),
        ({"input": [[1, 2, 3]]}, "token arrays"),
        ({"input": "x", "encoding_format": "int8"}, "encoding_format"),
    ],
)
def test_the_embeddings_route_refuses_in_openais_shape(upstream, body, message):
    response = httpx.post(f"{upstream.url}/v1/embeddings", json={"model": "m", **body})

    assert response.status_code == 400
    assert message in response.json()["error"]["message"]


# Classification


def labels_of(upstream, text, **parameters) -> list[dict]:
    (output,) = ok(plain(upstream, "/classify", text, **parameters))["outputs"]
    assert output["type"] == "labels"
    scores = [item["score"] for item in output["labels"]]
    assert scores == sorted(scores, reverse=True)
    assert sum(scores) == pytest.approx(1, abs=1e-3) and all(0 <= s <= 1 for s in scores)
    return output["labels"]


@pytest.mark.parametrize(
    "text, best",
    [
        ("I love this great tool", "positive"),
        ("What a terrible, slow mess", "negative"),
        ("This is not good", "negative"),
        ("It is a tool", "neutral"),
    ],
)
def test_sentiment_labels_come_with_softmax_scores(upstream, text, best):
    assert labels_of(upstream, text)[0]["label"] == best


def test_topics_and_the_callers_own_labels(upstream):
    market = labels_of(upstream, "Stock prices fell sharply as the market closed", task="topic")
    match = labels_of(upstream, "The team won the match", task="topic")
    assert (market[0]["label"], match[0]["label"]) == ("business", "sports")
    chosen = labels_of(upstream, "a recipe for bread with cheese", labels=["food", "travel", "cheese"])
    assert {item["label"] for item in chosen} == {"food", "travel", "cheese"}
    assert chosen[-1]["label"] == "travel"


def test_the_sentiment_route_keeps_its_text_and_adds_labels(upstream):
    answer = ok(plain(upstream, "/sentiment", "I love this great tool"))

    assert answer["response"] == "positive (score +1.00; 2 positive, 0 negative words)"
    assert answer["outputs"][0]["labels"][0]["label"] == "positive"


@pytest.mark.parametrize("parameters", [{"labels": ["one"]}, {"labels": "a,b"}, {"task": "mood"}])
def test_bad_classification_parameters_are_400s(upstream, parameters):
    assert plain(upstream, "/classify", "text", **parameters).status_code == 400


def test_the_health_check_lists_the_media_routes(upstream):
    routes = httpx.get(f"{upstream.url}/healthz").json()["routes"]

    for path in ("/draw", "/caption", "/speak", "/transcribe", "/embed", "/classify", "/v1/embeddings"):
        assert path in routes


def test_the_speech_codec_keeps_every_byte_value_apart():
    # Every nibble has a tone of its own in each group, all under 4 kHz, 100 Hz apart.
    assert len(set(speech.LOW_TONES) | set(speech.HIGH_TONES)) == 32
    assert max(speech.HIGH_TONES) < 4000
