"""The site under an ASGI server: each request's middleware and view run in one step, in a thread of its own.

The site's middleware and views are synchronous. Django's own ASGIHandler adapts each middleware hook to
async on its own, one thread hop per hook, and takes two more hops for the request_started signal and the
response's close(); this handler takes one hop for an answer in one piece: the signal, the middleware, the
view and close() run together in the request's own thread (asgiref's ThreadSensitiveContext). A view that waits, on a
slow model upstream say, holds that thread and nothing else: the event loop goes on accepting and answering
other requests. Streamed answers are async iterators (activity.gateway.streaming) whose steps run in that
same thread, so the call's records use the connection its checks used.

The request threads are kept between requests (RequestThreads): starting a thread, and joining it after,
cost more than the rest of a short request's hops between the event loop and its thread.

A request is cancelled when the server stops and its grace period has run out (a stream still open): the
cancellation reaches the stream's sending (which aborts its upstream and records the call, see
activity.gateway.streaming.asgi_body), and the request ends only once its thread is done.
"""

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from typing import Any

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler as DjangoASGIHandler
from django.core.handlers.asgi import get_script_prefix
from django.http import FileResponse
from django.http.response import HttpResponseBase
from django.urls import set_script_prefix


def _nothing() -> None:
    pass


class RequestThread(ThreadPoolExecutor):
    """One thread, running one request's synchronous steps in order; it counts the steps not yet done."""

    def __init__(self) -> None:
        super().__init__(max_workers=1, thread_name_prefix="request")
        self._lock = threading.Lock()
        self.pending = 0

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        with self._lock:
            self.pending += 1
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(self._step_done)
        return future

    def _step_done(self, _: Future) -> None:
        with self._lock:
            self.pending -= 1


class RequestThreads:
    """Request threads kept idle between requests, at most `keep` of them. A thread is taken back only when
    its request left nothing running in it: a view still waiting on an upstream after its client left
    finishes in a thread no other request will wait behind. Used from the event loop's thread only."""

    def __init__(self, keep: int = 64) -> None:
        self.keep = keep
        self.idle: list[RequestThread] = []

    def take(self) -> RequestThread:
        return self.idle.pop() if self.idle else RequestThread()

    def give_back(self, thread: RequestThread) -> None:
        if thread.pending == 0 and len(self.idle) < self.keep:
            self.idle.append(thread)
        else:
            thread.shutdown(wait=False)


class ASGIHandler(DjangoASGIHandler):
    threads = RequestThreads()

    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        thread = self.threads.take()
        try:
            async with ThreadSensitiveContext(executor=thread):
                try:
                    await self.handle(scope, receive, send)
                except asyncio.CancelledError:
                    # Wait for the request's thread to finish what it was doing (a view waiting on its
                    # upstream, say), so that a stopping server exits only once it is done.
                    await sync_to_async(_nothing, thread_sensitive=True)()
                    raise
        finally:
            self.threads.give_back(thread)

    async def handle(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        try:
            response = await sync_to_async(self._respond, thread_sensitive=True)(scope, body_file)
            if response.streaming:
                await self._stream(response, receive, send)
            else:
                await self.send_response(response, send)
        finally:
            body_file.close()

    def _respond(self, scope: dict[str, Any], body_file: Any) -> HttpResponseBase:
        """In the request's thread: the request's start, its answer and, unless it streams, its end."""
        set_script_prefix(get_script_prefix(scope))
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, error_response = self.create_request(scope, body_file)
        response: HttpResponseBase = error_response if request is None else self.get_response(request)
        response._handler_class = self.__class__  # type: ignore[attr-defined]
        if isinstance(response, FileResponse):
            response.block_size = self.chunk_size
        if not response.streaming:
            response.close()  # its content is made: the request is over (request_finished) but for sending
        return response

    async def _stream(self, response: HttpResponseBase, receive: Any, send: Any) -> None:
        """Send a streamed answer while listening for the client going away; then the sending is cancelled
        (a relayed stream aborts its upstream, see activity.gateway.streaming.asgi_body)."""
        sending = asyncio.create_task(self.send_response(response, send))
        listening = asyncio.create_task(self.listen_for_disconnect(receive))
        try:
            done, _ = await asyncio.wait([sending, listening], return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (listening, sending):
                if not task.done():
                    task.cancel()
                    with suppress(asyncio.CancelledError, RequestAborted):
                        await task
            await sync_to_async(response.close, thread_sensitive=True)()
        if sending in done:
            sending.result()  # what the sending raised, if anything


def get_asgi_application() -> ASGIHandler:
    import django

    django.setup(set_prefix=False)
    return ASGIHandler()
