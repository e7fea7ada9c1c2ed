"""manage.py seed_demo: fill the database with the demo marketplace and print the demo sign-ins.

The seeding itself lives in demo/seeding/, the data it writes in demo/data/.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from demo.data.people import SIGN_INS
from demo.seeding import seed_demo_data


class Command(BaseCommand):
    help = "Fill the database with realistic demo data and print the demo sign-ins (DEBUG only; idempotent)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo creates sign-ins with published passwords, so it only runs with DEBUG=1. "
                "Never seed demo accounts into a production database."
            )
        started = time.monotonic()
        with transaction.atomic():
            created = seed_demo_data(now=timezone.now())
        elapsed = time.monotonic() - started

        if created:
            self.stdout.write(
                f"Demo data added in {elapsed:.1f} s: {created.users} users, {created.developers} developers, "
                f"{created.models} models, {created.reviews} reviews, {created.votes} helpful votes, "
                f"{created.replies} developer replies, {created.history} history rows, "
                f"{created.logs} API usage logs."
            )
        else:
            self.stdout.write("Demo data is already present; nothing added.")
        if created.demo_key:
            api_name, key = created.demo_key
            self.stdout.write(f"Demo model key for {api_name}: {key}  (shown once; only its hash is stored)")
        self.stdout.write("Demo sign-ins:")
        for sign_in in SIGN_INS:
            self.stdout.write(f"  {sign_in.role:<10} {sign_in.username} / {sign_in.password}")
