"""Get a seeded database ready for one benchmark run; prints what the load generator needs as JSON.

Runs inside Django (the run's own settings, so session hashes match the server's SECRET_KEY):
- a signed-in session for bench-busiest (the dashboard) and for bench-heaviest (the history page),
  created directly through the session store;
- a fresh personal API key for bench-heaviest (older bench keys are revoked), and credits its calls cannot
  spend (a staff grant, written once);
- bench-popular and 15 other public models of 15 other developers pointed at the demo upstream's echo,
  and one more of a 17th developer at its /slow route (answers after the pause the call asks for), their
  developers given a quota the run cannot spend;
- one more model of an 18th developer at the upstream's OpenAI-shaped /chat/completions, with a fresh model
  key (its developer's own key for it): the chat call bench/peers.py compares with other gateways.

    DATABASE_URL=… SECRET_KEY=… python -m bench.prepare --upstream http://127.0.0.1:PORT
"""

import argparse
import json
import os
import sys
from decimal import Decimal

SPREAD_MODELS = 16
UNSPENDABLE_QUOTA = 2_000_000_000
# Credits for bench-heaviest's priced calls (a balance holds at most 99,999,999.9999).
UNSPENDABLE_CREDITS = Decimal("50000000")


def session_for(user) -> str:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def prepare(*, upstream: str) -> dict:
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from accounts import keys
    from accounts.models import CreditKind, Developer, User, UserApiKey
    from accounts.services.credits import credits_add
    from bench.seed_scale import BUSIEST, HEAVIEST, POPULAR
    from catalog.models import AIModel
    from catalog.services import model_api_key_rotate

    busiest = Developer.objects.select_related("user").get(username=BUSIEST)
    heaviest = User.objects.get(username=HEAVIEST)
    endpoint = upstream.rstrip("/") + "/echo"

    with transaction.atomic():
        popular = AIModel.objects.public().get(api_name=POPULAR)
        spread = [popular]
        developers = {popular.developer_id}
        for model in AIModel.objects.public().order_by("-total_requests", "model_id").iterator():
            if len(spread) == SPREAD_MODELS:
                break
            if model.developer_id not in developers:
                spread.append(model)
                developers.add(model.developer_id)
        # One more, of yet another developer, answers after a model-like pause (the demo's /slow).
        paced = (
            AIModel.objects.public()
            .exclude(developer_id__in=developers)
            .order_by("-total_requests", "model_id")
            .first()
        )
        # The demo's text routes take and give text, whatever the seeded category says (catalog.kinds).
        text = {"input_kinds": ["text"], "output_kinds": ["text"]}
        AIModel.objects.filter(pk__in=[m.pk for m in spread]).update(endpoint_url=endpoint, **text)
        if paced is not None:  # the small database has too few developers; it is not used for calls
            AIModel.objects.filter(pk=paced.pk).update(endpoint_url=upstream.rstrip("/") + "/slow", **text)
            developers.add(paced.developer_id)
        # And one called with its developer's model key on the chat route: the peers' comparison.
        chat = (
            AIModel.objects.public()
            .exclude(developer_id__in=developers)
            .order_by("-total_requests", "model_id")
            .first()
        )
        chat_key = None
        if chat is not None:
            AIModel.objects.filter(pk=chat.pk).update(
                endpoint_url=upstream.rstrip("/") + "/chat/completions", **text
            )
            chat_key = model_api_key_rotate(model=chat)
            developers.add(chat.developer_id)
        Developer.objects.filter(pk__in=developers).update(api_quota=UNSPENDABLE_QUOTA)

        UserApiKey.objects.filter(
            user=heaviest, name__startswith="bench run", revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        if heaviest.credit_balance < UNSPENDABLE_CREDITS / 2:
            credits_add(
                user=heaviest, amount=UNSPENDABLE_CREDITS, kind=CreditKind.GRANT, note="Benchmark credits"
            )
        key = keys.generate_personal_key()
        UserApiKey.objects.create(
            user=heaviest,
            name=f"bench run {timezone.now():%Y-%m-%d %H:%M:%S}",
            key_hash=keys.hash_key(key),
            key_prefix=keys.display_prefix(key),
        )

    return {
        "cookie_name": settings.SESSION_COOKIE_NAME,
        "busiest_session": session_for(busiest.user),
        "heaviest_session": session_for(heaviest),
        "api_key": key,
        "popular": popular.api_name,
        "spread": [m.api_name for m in spread],
        "paced": paced.api_name if paced else None,
        "chat": chat.api_name if chat else None,
        "chat_key": chat_key,
        "endpoint": endpoint,
        "counts": {
            "models": AIModel.objects.count(),
            "busiest_models": AIModel.objects.for_developer(busiest).count(),
            "heaviest_history": heaviest.history.count(),
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description="Prepare a seeded database for a benchmark run.")
    parser.add_argument("--upstream", required=True, help="base URL of the running demo upstream")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    print(json.dumps(prepare(upstream=args.upstream)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
