"""Fill the database with a realistic demo marketplace, idempotently.

Accounts, developers and models are found or created by their natural keys (usernames, api_name), so a
second run adds nothing. Reviews, votes, replies, history and usage logs are generated only for models
this run created, in bulk; the counters and rollups follow from the database triggers. The caller runs
it in one transaction, so an interrupted run leaves nothing behind.

The steps run in a fixed order and draw from one seeded random stream (`state.Seeding`): on an empty
database the same `now` gives the same rows.
"""

from datetime import datetime

from demo.seeding.accounts import ensure_developers, ensure_people, ensure_sign_ins
from demo.seeding.favourites import seed_favourites
from demo.seeding.listings import ensure_models
from demo.seeding.reviews import seed_reviews
from demo.seeding.state import Created, Seeding
from demo.seeding.traffic import seed_traffic


def seed_demo_data(*, now: datetime) -> Created:
    seeding = Seeding(now=now)
    demo_user = ensure_sign_ins(seeding)
    developers = ensure_developers(seeding)
    models = ensure_models(seeding, developers)
    people = ensure_people(seeding, demo_user=demo_user)
    if models:
        traffic = seed_traffic(seeding, models, people, demo_user=demo_user)
        if traffic is not None:
            seed_reviews(seeding, traffic, demo_user=demo_user)
            seed_favourites(seeding, traffic, demo_user=demo_user)
    return seeding.created
