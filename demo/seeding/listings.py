"""Listings: the studios' models, pointed at the demo upstream, with keys made as the dashboard makes them."""

from datetime import timedelta

from django.conf import settings

from accounts import keys
from accounts.models import Developer
from catalog.models import AIModel, Category
from demo.data.listings import MODELS
from demo.seeding.state import Seeding

# Paths served by the demo upstream (manage.py demo_upstream), by category.
UPSTREAM_PATHS = {
    Category.SUMMARIZATION: "/summarize",
    Category.CODE_GENERATION: "/format-code",
    Category.CLASSIFICATION: "/sentiment",
    Category.TRANSLATION: "/translate",
    Category.TEXT_GENERATION: "/chat/completions",
}

# seed_demo prints the plain key of demo-dev's first model; every other key is only stored hashed.
PRINTED_KEY_MODEL = next(spec.api_name for spec in MODELS if spec.developer == "demo-dev")


def endpoint_for(category: str) -> str:
    return settings.DEMO_UPSTREAM_URL.rstrip("/") + UPSTREAM_PATHS.get(category, "/echo")


def ensure_models(seeding: Seeding, developers: dict[str, Developer]) -> list[AIModel]:
    """The models this run created (none that were already there)."""
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
    AIModel.objects.bulk_create(created)
    seeding.created.models = len(created)
    return created
