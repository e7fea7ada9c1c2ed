"""What every step of a seeding run shares: the clock, the seeded random stream and the tally."""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.hashers import make_password

SEED = 20240601
DAYS = 90
BATCH = 1000


@dataclass
class Created:
    users: int = 0
    developers: int = 0
    models: int = 0
    history: int = 0
    logs: int = 0
    reviews: int = 0
    votes: int = 0
    replies: int = 0
    demo_key: tuple[str, str] | None = None

    def __bool__(self) -> bool:
        return bool(self.users or self.developers or self.models)


class Seeding:
    """One run of the seeder.

    Every random choice comes from one `random.Random(SEED)`, drawn in a fixed order, so a run on an empty
    database writes the same rows for the same `now`.
    """

    def __init__(self, *, now: datetime):
        self.now = now
        self.rng = random.Random(SEED)
        self.created = Created()
        self.unusable_password = make_password(None)

    def days_ago(self, days: float) -> datetime:
        return self.now - timedelta(days=days)

    def after(self, moment: datetime) -> datetime:
        return min(self.now, moment + timedelta(hours=self.rng.uniform(1, 72)))

    def moment(self) -> datetime:
        """A time in the last 90 days: traffic grows over the period, dips at weekends, peaks mid-afternoon UTC."""
        rng = self.rng
        while True:
            days = rng.expovariate(1 / 55)
            if days >= DAYS:
                continue
            day = (self.now - timedelta(days=days)).replace(hour=0, minute=0, second=0, microsecond=0)
            if day.weekday() >= 5 and rng.random() < 0.35:
                continue
            hour = min(23, max(0, round(rng.gauss(14, 4.5))))
            at = day + timedelta(hours=hour, seconds=rng.uniform(0, 3600))
            if at <= self.now:
                return at
