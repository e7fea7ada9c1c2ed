"""Likes, mostly of the popular models, and a few public collections with notes (one of them the demo
user's), so the "Most liked" sort, the cards' counts and /collections/ have something to show."""

from accounts.models import User, UserStatus
from catalog.models import ModelStatus
from demo.seeding.state import Seeding
from demo.seeding.traffic import Traffic
from favourites.models import Collection, CollectionModel, ModelLike

COLLECTIONS = [
    ("Everyday writing", "What I reach for when a draft has to go out today.", "text_generation"),
    ("Reading less, knowing more", "Summarizers that keep the numbers right.", "summarization"),
    ("Speech in and out", "Transcription and voices for a podcast workflow.", "speech_to_text"),
]


def seed_favourites(seeding: Seeding, traffic: Traffic, *, demo_user: User) -> None:
    rng = seeding.rng
    models = [m for m in traffic.public if m.status == ModelStatus.ACTIVE]
    fans = [u for u in traffic.callers if u.status == UserStatus.ACTIVE and u.email_verified]
    if not models or not fans:
        return
    top = max(traffic.popularity[m.model_id] for m in models)
    likes = []
    for model in models:
        share = traffic.popularity[model.model_id] / top
        for user in rng.sample(fans, max(1, round(len(fans) * 0.4 * share))):
            likes.append(ModelLike(user=user, model=model))
    ModelLike.objects.bulk_create(likes, ignore_conflicts=True)

    owners = [demo_user] + rng.sample(fans, min(len(fans), len(COLLECTIONS) - 1))
    for owner, (title, note, category) in zip(owners, COLLECTIONS, strict=False):
        collection = Collection.objects.create(user=owner, title=title, note=note, is_public=True)
        picks = [m for m in models if m.category == category] or models
        chosen = rng.sample(picks, min(len(picks), 4))
        CollectionModel.objects.bulk_create(
            CollectionModel(collection=collection, model=model, position=index)
            for index, model in enumerate(chosen)
        )
