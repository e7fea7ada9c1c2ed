"""Small deterministic demo models served over HTTP, so the catalog works end to end with no network.

Each route speaks the upstream protocol: ``POST {"prompt", "parameters", "inputs"?}`` → ``{"response"}``
(and ``"outputs"`` on the media routes of demo.models_media.routes: /draw, /caption, /speak,
/transcribe, /embed, /classify), ``/chat/completions`` the OpenAI chat shape (with image and audio
content parts), and a path ending in ``/embeddings``, ``/images/generations``, ``/audio/transcriptions``
or ``/audio/speech`` OpenAI's shape for it. ``/slow`` and ``/fail`` exist for tests of timeouts and
errors.

A request with ``"stream": true`` to a text route is answered as Server-Sent Events, word by word:
``data: {"response": "<word>"}`` events (OpenAI's chunks on ``/chat/completions``) and a last
``data: [DONE]``, one word every ``stream_delay_ms`` milliseconds (in ``parameters``, or a top-level
field of a chat request; default 30). The media routes answer in one piece, streamed or not.
"""

import json
import re
import textwrap
import threading
import time
from collections.abc import Callable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from demo.models_media import routes as media
from demo.models_media.common import BadRequest
from demo.models_media.labels import sentiment as sentiment_labels
from demo.models_media.labels import sentiment_counts

# A 25 MB file sent as base64 in JSON (4/3 of its size) fits.
MAX_BODY_BYTES = 40 * 1024 * 1024
MAX_SLOW_SECONDS = 30.0
DEFAULT_STREAM_DELAY_MS = 30
MAX_STREAM_DELAY_MS = 10_000

DICTIONARY = {
    "fr": {
        "hello": "bonjour", "goodbye": "au revoir", "thank": "merci", "thanks": "merci", "yes": "oui",
        "no": "non", "cat": "chat", "dog": "chien", "house": "maison", "water": "eau", "bread": "pain",
        "good": "bon", "morning": "matin", "night": "nuit", "friend": "ami", "love": "amour", "book": "livre",
        "the": "le", "a": "un", "and": "et", "is": "est", "i": "je", "you": "tu", "world": "monde",
        "red": "rouge", "blue": "bleu", "green": "vert", "please": "s'il vous plaît", "car": "voiture",
        "apple": "pomme", "cheese": "fromage", "sun": "soleil", "moon": "lune", "day": "jour",
    },
    "es": {
        "hello": "hola", "goodbye": "adiós", "thank": "gracias", "thanks": "gracias", "yes": "sí",
        "no": "no", "cat": "gato", "dog": "perro", "house": "casa", "water": "agua", "bread": "pan",
        "good": "bueno", "morning": "mañana", "night": "noche", "friend": "amigo", "love": "amor",
        "book": "libro", "the": "el", "a": "un", "and": "y", "is": "es", "i": "yo", "you": "tú",
        "world": "mundo", "red": "rojo", "blue": "azul", "green": "verde", "please": "por favor",
        "car": "coche", "apple": "manzana", "cheese": "queso", "sun": "sol", "moon": "luna", "day": "día",
    },
}  # fmt: skip
TARGET_ALIASES = {"fr": "fr", "french": "fr", "français": "fr", "es": "es", "spanish": "es", "español": "es"}


def summarize(prompt: str, parameters: dict) -> str:
    """The first sentence, cut to `max_words` words (default 25)."""
    max_words = parameters.get("max_words", 25)
    if not isinstance(max_words, int) or max_words < 1:
        raise BadRequest("parameters.max_words must be a positive integer")
    text = " ".join(prompt.split())
    first = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
    words = first.split()
    if len(words) > max_words:
        return " ".join(words[:max_words]).rstrip(",;:") + "…"
    return first


def format_code(prompt: str, parameters: dict) -> str:
    """Tabs to spaces, common indentation removed, trailing spaces and repeated blank lines dropped."""
    indent = parameters.get("indent", 4)
    if not isinstance(indent, int) or not 1 <= indent <= 8:
        raise BadRequest("parameters.indent must be an integer from 1 to 8")
    lines = [line.rstrip() for line in textwrap.dedent(prompt.expandtabs(indent)).splitlines()]
    tidy: list[str] = []
    for line in lines:
        if not line and (not tidy or not tidy[-1]):
            continue
        tidy.append(line)
    while tidy and not tidy[-1]:
        tidy.pop()
    return "\n".join(tidy) + "\n"


def sentiment(prompt: str, parameters: dict) -> str:
    """The older text answer; the labels with their scores come beside it as `outputs`."""
    positive, negative = sentiment_counts(prompt)
    score = (positive - negative) / max(1, positive + negative)
    label = "positive" if score > 0 else "negative" if score < 0 else "neutral"
    return f"{label} (score {score:+.2f}; {positive} positive, {negative} negative words)"


def translate(prompt: str, parameters: dict) -> str:
    target = TARGET_ALIASES.get(str(parameters.get("target", "fr")).lower())
    if target is None:
        raise BadRequest("parameters.target must be fr or es")
    words = DICTIONARY[target]

    def swap(match: re.Match) -> str:
        word = match.group(0)
        translated = words.get(word.lower())
        if translated is None:
            return word
        return translated.capitalize() if word[0].isupper() else translated

    return re.sub(r"[A-Za-z]+", swap, prompt)


def echo(prompt: str, parameters: dict) -> str:
    return prompt


def slow(prompt: str, parameters: dict) -> str:
    seconds = parameters.get("seconds", 1)
    if not isinstance(seconds, int | float) or seconds < 0:
        raise BadRequest("parameters.seconds must be a non-negative number")
    time.sleep(min(float(seconds), MAX_SLOW_SECONDS))
    return prompt


PROMPT_MODELS: dict[str, Callable[[str, dict], str]] = {
    "/summarize": summarize,
    "/format-code": format_code,
    "/sentiment": sentiment,
    "/translate": translate,
    "/echo": echo,
    "/slow": slow,
}


def stream_delay(value: object) -> float:
    """Seconds between two words of a streamed answer, from `stream_delay_ms`."""
    if value is None:
        return DEFAULT_STREAM_DELAY_MS / 1000
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= MAX_STREAM_DELAY_MS:
        raise BadRequest(f"stream_delay_ms must be a number of milliseconds from 0 to {MAX_STREAM_DELAY_MS}")
    return value / 1000


def word_pieces(text: str) -> list[str]:
    """The text in pieces of one word and the spaces after it; joined, they are the text again."""
    return re.findall(r"\S+\s*|\s+", text)


# Outputs that text routes add beside their answer when not streamed.
PROMPT_OUTPUTS: dict[str, Callable[[str, dict], list[dict]]] = {
    "/sentiment": lambda prompt, parameters: [{"type": "labels", "labels": sentiment_labels(prompt)}],
}
ROUTES = sorted(
    [
        *PROMPT_MODELS,
        *media.MEDIA_MODELS,
        "/chat/completions",
        *map("/v1{}".format, media.OPENAI_ROUTES),
        "/fail",
    ]
)


def chat_reply(messages: list[dict]) -> str:
    last = next((m.get("content") for m in reversed(messages) if m.get("role") == "user"), None)
    if isinstance(last, list):  # content parts: images and audio are described, the text is the question
        text, inputs = media.chat_parts(last)
        if inputs:
            return media.look(text, inputs)
        last = text
    if not isinstance(last, str) or not last.strip():
        return "Hello! Send me a message and I will sum it up."
    return f"You said: {summarize(last, {'max_words': 20})}"


def message_text(content: object) -> str:
    """A chat message's text: its content, or the text of its content parts."""
    if isinstance(content, list):
        return " ".join(p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") == "text")
    return str(content or "")


class DemoUpstreamHandler(BaseHTTPRequestHandler):
    """Keep-alive HTTP/1.1 so the gateway's pooled connections are reused, as with a real upstream."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle's algorithm on, the body would wait for the
    # client's delayed ACK (~40 ms) on every keep-alive call.
    disable_nagle_algorithm = True
    server_version = "DemoUpstream/1"
    quiet = True
    # Extra routes, for tests: path → callable(handler, payload) returning (status, body bytes), or None
    # when it wrote its answer itself.
    extra_routes: dict[str, Callable[["DemoUpstreamHandler", dict], tuple[int, bytes]]] = {}

    def log_message(self, format, *args):
        if not self.quiet:
            super().log_message(format, *args)

    def send_json(self, status: int, data) -> None:
        self.send_body(status, json.dumps(data).encode())

    def send_body(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def send_events(
        self, words: list[dict], delay: float, before: Sequence[dict] = (), after: Sequence[dict] = ()
    ) -> None:
        """Server-Sent Events: `before` at once, the `words` one every `delay` seconds, `after`, then
        [DONE]. Chunked, so the connection stays usable; a client that goes away ends the answer."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            for event in before:
                self.wfile.write(self.event_chunk(event))
            for number, event in enumerate(words):
                if number and delay:
                    time.sleep(delay)
                self.wfile.write(self.event_chunk(event))
            ending = b"".join(self.event_chunk(event) for event in after)
            self.wfile.write(ending + self.chunk(b"data: [DONE]\n\n") + b"0\r\n\r\n")
        except OSError:  # the client hung up
            self.close_connection = True

    @staticmethod
    def chunk(data: bytes) -> bytes:
        return f"{len(data):x}\r\n".encode() + data + b"\r\n"

    @classmethod
    def event_chunk(cls, event: dict) -> bytes:
        return cls.chunk(f"data: {json.dumps(event)}\n\n".encode())

    def do_GET(self):
        if self.path in ("/", "/healthz"):
            self.send_json(200, {"status": "ok", "routes": sorted([*ROUTES, *self.extra_routes])})
        else:
            self.send_json(404, {"error": "not found"})

    def read_body(self) -> bytes | None:
        """The request body, or None when it was too large or malformed (answered here)."""
        try:
            return self.read_body_within_cap()
        except ValueError:  # a Content-Length or chunk size that is not a number
            self.close_connection = True
            self.send_json(400, {"error": "the body's length is not readable"})
            return None

    def read_body_within_cap(self) -> bytes | None:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts, size = [], 0
            while (length := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)) > 0:
                size += length
                if size > MAX_BODY_BYTES:
                    break
                parts.append(self.rfile.read(length))
                self.rfile.readline()
            else:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):  # trailers
                    pass
                return b"".join(parts)
        else:
            length = int(self.headers.get("Content-Length") or 0)
            if length <= MAX_BODY_BYTES:
                return self.rfile.read(length)
        self.close_connection = True
        self.send_json(413, {"error": f"the body is larger than {MAX_BODY_BYTES:,} bytes"})
        return None

    def do_POST(self):
        raw = self.read_body()
        if raw is None:
            return
        path = self.path.split("?", 1)[0]
        openai_route = media.openai_route(path)
        openai_shaped = bool(openai_route) or path.endswith("/chat/completions")  # so are their errors
        try:
            if path in self.extra_routes:
                answer = self.extra_routes[path](self, self.json_body(raw))
                if answer is not None:  # None: the route wrote its own answer
                    self.send_body(*answer)
            elif path == "/fail":
                self.send_json(500, {"error": "the demo model failed on purpose"})
            elif path.endswith("/chat/completions"):
                payload = self.json_body(raw)
                if payload.get("stream") is True:
                    delay = stream_delay(payload.get("stream_delay_ms"))
                    before, words, after = self.chat_chunks(payload)
                    self.send_events(words, delay, before, after)
                else:
                    self.send_json(200, self.chat(payload))
            elif openai_route:
                self.openai_media(openai_route, raw)
            elif path in PROMPT_MODELS:
                payload = self.json_body(raw)
                prompt, parameters = media.text_of(payload.get("prompt"), payload.get("parameters") or {})
                text = PROMPT_MODELS[path](prompt, parameters)
                if payload.get("stream") is True:
                    delay = stream_delay(parameters.get("stream_delay_ms"))
                    self.send_events([{"response": piece} for piece in word_pieces(text)], delay)
                elif path in PROMPT_OUTPUTS:
                    self.send_json(
                        200, {"response": text, "outputs": PROMPT_OUTPUTS[path](prompt, parameters)}
                    )
                else:
                    self.send_json(200, {"response": text})
            elif path in media.MEDIA_MODELS:
                self.send_json(200, media.plain(path, self.json_body(raw)))
            else:
                self.send_json(404, {"error": f"no demo model at {path}"})
        except (ValueError, BadRequest) as exc:
            self.send_json(400, media.openai_error(str(exc)) if openai_shaped else {"error": str(exc)})
        except Exception as exc:  # every route computes its answer before it sends anything
            self.log_error("the demo model at %s failed: %r", path, exc)
            message = f"the demo model failed: {type(exc).__name__}"
            self.send_json(500, media.openai_error(message) if openai_shaped else {"error": message})

    @staticmethod
    def json_body(raw: bytes) -> dict:
        payload = json.loads(raw or b"{}")
        if not isinstance(payload, dict):
            raise BadRequest("the body must be a JSON object")
        return payload

    def openai_media(self, route: str, raw: bytes) -> None:
        """OpenAI's embeddings, images and audio shapes, answered in one piece even when a stream is asked."""
        if route == "/audio/transcriptions":
            content_type, body = media.openai_transcription(raw, self.headers.get("Content-Type", ""))
            if isinstance(body, dict):
                self.send_json(200, body)
            else:
                self.send_body(200, body, content_type)
        elif route == "/audio/speech":
            self.send_body(200, media.openai_speech(self.json_body(raw)), "audio/wav")
        elif route == "/embeddings":
            self.send_json(200, media.openai_embeddings(self.json_body(raw)))
        else:
            self.send_json(200, media.openai_images(self.json_body(raw)))

    def chat(self, payload: dict) -> dict:
        reply, usage = self.chat_answer(payload)
        return {
            "id": "chatcmpl-demo",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": str(payload.get("model") or "demo-chat"),
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": reply}, "finish_reason": "stop"}
            ],
            "usage": usage,
        }

    def chat_answer(self, payload: dict) -> tuple[str, dict]:
        messages = payload.get("messages")
        if not isinstance(messages, list) or not all(isinstance(m, dict) for m in messages):
            raise BadRequest("expected messages: a list of {role, content}")
        reply = chat_reply(messages)
        prompt_words = sum(len(message_text(m.get("content")).split()) for m in messages)
        usage = {
            "prompt_tokens": prompt_words,
            "completion_tokens": len(reply.split()),
            "total_tokens": prompt_words + len(reply.split()),
        }
        return reply, usage

    def chat_chunks(self, payload: dict) -> tuple[list[dict], list[dict], list[dict]]:
        """OpenAI's chunks: the role; a word each; the finish reason, and the usage when asked for."""
        reply, usage = self.chat_answer(payload)
        options = payload.get("stream_options")
        head = {
            "id": "chatcmpl-demo",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": str(payload.get("model") or "demo-chat"),
        }

        def chunk(delta: dict, finish_reason: str | None = None) -> dict:
            return {**head, "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}]}

        words = [chunk({"content": piece}) for piece in word_pieces(reply)]
        after = [chunk({}, "stop")]
        if isinstance(options, dict) and options.get("include_usage") is True:
            after.append({**head, "choices": [], "usage": usage})
        return [chunk({"role": "assistant", "content": ""})], words, after


class DemoUpstreamServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


def serve_in_thread(
    host: str = "127.0.0.1", port: int = 0, extra_routes: dict | None = None
) -> tuple[DemoUpstreamServer, threading.Thread]:
    """Start a server on a background thread (port 0: any free port). Stop it with server.shutdown()."""
    handler = DemoUpstreamHandler
    if extra_routes:
        handler = type(
            "DemoUpstreamHandlerWithRoutes", (DemoUpstreamHandler,), {"extra_routes": extra_routes}
        )
    server = DemoUpstreamServer((host, port), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    return server, thread
