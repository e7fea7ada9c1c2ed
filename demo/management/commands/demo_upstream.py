from django.core.management.base import BaseCommand, CommandError

from demo.upstream import ROUTES, DemoUpstreamHandler, DemoUpstreamServer


class Command(BaseCommand):
    help = "Serve the deterministic demo models (the upstream the demo data points at) over HTTP."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1).")
        parser.add_argument("--port", type=int, default=8001, help="Port to listen on (default 8001).")
        parser.add_argument("--verbose-requests", action="store_true", help="Log every request.")

    def handle(self, *args, host: str, port: int, verbose_requests: bool, **options):
        handler = type("Handler", (DemoUpstreamHandler,), {"quiet": not verbose_requests})
        try:
            server = DemoUpstreamServer((host, port), handler)
        except OSError as exc:
            raise CommandError(f"Cannot listen on {host}:{port}: {exc}") from exc
        routes = ", ".join(ROUTES)
        self.stdout.write(f"Demo upstream on {server.url} — POST {routes}")
        try:
            server.serve_forever(poll_interval=0.5)
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
