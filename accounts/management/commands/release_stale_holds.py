"""Release the credit holds of calls that were never recorded (see accounts.services.credits)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from accounts.services.credits import stale_holds_release


class Command(BaseCommand):
    help = (
        "Release credit reservations older than CREDIT_HOLD_MAX_SECONDS whose call was never recorded "
        "(a process killed mid-call). Safe to run at any time and from several hosts at once; run it every "
        "few minutes (cron, or a scheduler's job)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=None,
            help="Seconds a hold must be held before it counts as stale (default CREDIT_HOLD_MAX_SECONDS).",
        )

    def handle(self, *args, older_than=None, **options):
        seconds = settings.CREDIT_HOLD_MAX_SECONDS if older_than is None else older_than
        released = stale_holds_release(older_than_seconds=seconds)
        self.stdout.write(f"Released {released} stale hold{'s' if released != 1 else ''}.")
