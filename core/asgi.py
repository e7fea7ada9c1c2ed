"""The site under an ASGI server: each request's middleware and view run in one step, in a thread of its own.

The site's middleware and views are synchronous. Django's own ASGIHandler adapts each middleware hook to
async on its own, one thread hop per hook; this handler runs the whole synchronous chain in one hop instead,
in the request's own thread (asgiref's ThreadSensitiveContext, one per request). A view that waits, on a
slow model upstream say, holds that thread and nothing else: the event loop goes on accepting and answering
other requests. Streamed answers are async iterators (activity.gateway.streaming) whose steps run in that
same thread, so the call's records use the connection its checks used.
"""

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler as DjangoASGIHandler
from django.http import FileResponse
from django.http.response import HttpResponseBase


class ASGIHandler(DjangoASGIHandler):
    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)

    async def run_get_response(self, request):  # type: ignore[no-untyped-def]
        response: HttpResponseBase = await sync_to_async(self.get_response, thread_sensitive=True)(request)
        response._handler_class = self.__class__  # type: ignore[attr-defined]
        if isinstance(response, FileResponse):
            response.block_size = self.chunk_size
        return response


def get_asgi_application() -> ASGIHandler:
    import django

    django.setup(set_prefix=False)
    return ASGIHandler()
