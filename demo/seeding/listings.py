"""Listings: the studios' models, pointed at the demo upstream, with keys made as the dashboard makes them."""

from datetime import timedelta

from django.conf import settings

from accounts import keys
from accounts.models import Developer
from catalog.models import AIModel, Category
from demo.data.listings import MODELS
from demo.seeding.state import Seeding

# Paths served by the demo upstream (manage.py demo_upstream), by category: OpenAI's shapes where OpenAI
# has one, the plain protocol with media inputs and outputs elsewhere.
UPSTREAM_PATHS = {
    Category.SUMMARIZATION: "/summarize",
    Category.CODE_GENERATION: "/format-code",
    Category.CLASSIFICATION: "/classify",
    Category.TRANSLATION: "/translate",
    Category.TEXT_GENERATION: "/chat/completions",
    Category.IMAGE_GENERATION: "/v1/images/generations",
    Category.SPEECH_TO_TEXT: "/v1/audio/transcriptions",
    Category.TEXT_TO_SPEECH: "/v1/audio/speech",
    Category.EMBEDDINGS: "/v1/embeddings",
    Category.MULTIMODAL: "/caption",
}
# Where earlier versions of the demo data pointed the categories whose route has changed since: a demo
# model still there is moved to its category's route when seed_demo runs again (an endpoint its developer
# changed to anything else is left alone).
EARLIER_PATHS = {
    Category.CLASSIFICATION: "/sentiment",
    Category.IMAGE_GENERATION: "/echo",
    Category.SPEECH_TO_TEXT: "/echo",
    Category.TEXT_TO_SPEECH: "/echo",
    Category.EMBEDDINGS: "/echo",
    Category.MULTIMODAL: "/echo",
}

# seed_demo prints the plain key of demo-dev's first model; every other key is only stored hashed.
PRINTED_KEY_MODEL = next(spec.api_name for spec in MODELS if spec.developer == "demo-dev")


def endpoint_for(category: str) -> str:
    return settings.DEMO_UPSTREAM_URL.rstrip("/") + UPSTREAM_PATHS.get(category, "/echo")


def repoint_earlier_endpoints() -> int:
    """Demo models still at an earlier demo route for their category, moved to today's; how many."""
    base = settings.DEMO_UPSTREAM_URL.rstrip("/")
    moved = 0
    for category, path in EARLIER_PATHS.items():
        moved += AIModel.objects.filter(
            api_name__in=[spec.api_name for spec in MODELS], category=category, endpoint_url=base + path
        ).update(endpoint_url=endpoint_for(category))
    return moved


def ensure_models(seeding: Seeding, developers: dict[str, Developer]) -> list[AIModel]:
    """The models this run created (none that were already there)."""
    repoint_earlier_endpoints()
    existing = set(
        AIModel.objects.filter(api_name__in=[spec.api_name for spec in MODELS]).values_list(
            "api_name", flat=True
        )
    )
    created = []
    for spec in MODELS:
        if spec.api_name in existing:
            continue
        developer = developers[spec.developer]
        born = max(developer.created_at + timedelta(days=5), seeding.days_ago(seeding.rng.randint(95, 180)))
        # Keys as catalog.services.model_create makes them (only the hash is stored), inserted in bulk.
        key = keys.generate_model_key()
        created.append(
            AIModel(
                developer=developer,
                model_name=spec.api_name,
                display_name=spec.display_name,
                description=spec.description,
                api_name=spec.api_name,
                api_key=keys.hash_key(key),
                api_key_prefix=keys.display_prefix(key),
                category=spec.category,
                tags=list(spec.tags),
                status=spec.status,
                is_public=spec.is_public,
                endpoint_url=endpoint_for(spec.category),
                price_per_request=spec.price,
                created_at=born,
                updated_at=born,
            )
        )
        if spec.api_name == PRINTED_KEY_MODEL:
            seeding.created.demo_key = (spec.api_name, key)
    _deprecate_with_notice(seeding, created)
    AIModel.objects.bulk_create(created)
    seeding.created.models = len(created)
    return created


def _deprecate_with_notice(seeding: Seeding, created: list[AIModel]) -> None:
    """The sunset and replacement of the models deprecated with notice (they still answer until then)."""
    by_name = {model.api_name: model for model in created}
    for spec in MODELS:
        model = by_name.get(spec.api_name)
        if model is None or spec.sunset_days is None:
            continue
        model.sunset_at = seeding.now + timedelta(days=spec.sunset_days)
        model.deprecated_at = seeding.now - timedelta(days=14)
        model.deprecation_note = spec.deprecation_note
        if spec.replacement:
            model.replacement = by_name.get(spec.replacement) or AIModel.objects.get(
                api_name=spec.replacement
            )
