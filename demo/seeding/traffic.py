"""Traffic: people's calls (history and usage logs), developers' own calls, refused calls, and quota counts."""

import math
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from uuid import UUID

from django.db.models import F

from accounts.models import DeveloperStatus, User, UserStatus
from activity.models import ApiUsageLog, DeveloperMonthlyUsage, HistoryStatus, UserHistory
from catalog.models import AIModel, ModelStatus
from demo.data.calls import PROMPTS, RESPONSES
from demo.seeding.state import BATCH, Seeding

HISTORY_ROWS = 3000
DEVELOPER_CALLS = 1500
REFUSED_CALLS = 300

# Typical latency per category, in ms (the median of a log-normal spread).
LATENCY_MS = {
    "text_generation": 900,
    "image_generation": 3500,
    "code_generation": 700,
    "speech_to_text": 1500,
    "text_to_speech": 1200,
    "translation": 350,
    "summarization": 650,
    "embeddings": 60,
    "classification": 45,
    "multimodal": 2000,
    "other": 220,
}
REFUSED_CODES = (401, 404, 410, 429)


@dataclass(frozen=True, kw_only=True)
class Traffic:
    """What the reviews are drawn from: who called which public models, and how popular each model is."""

    public: list[AIModel]
    popularity: dict[UUID, float]
    callers: list[User]
    history: list[UserHistory]


def seed_traffic(
    seeding: Seeding, models: list[AIModel], users: list[User], *, demo_user: User
) -> Traffic | None:
    rng = seeding.rng
    developers = {m.developer_id: m.developer for m in models}
    used = [
        m
        for m in models
        if m.status in (ModelStatus.ACTIVE, ModelStatus.DEPRECATED)
        and developers[m.developer_id].status == DeveloperStatus.ACTIVE
    ]
    if not used:
        return None
    rng.shuffle(used)
    # Zipf-like popularity: a few models take most of the traffic; deprecated ones are fading.
    popularity = {
        m.model_id: (1 / (rank + 1) ** 0.6) * (0.3 if m.status == ModelStatus.DEPRECATED else 1)
        for rank, m in enumerate(used)
    }
    public = [m for m in used if m.is_public]
    callers = [u for u in users if u.status in (UserStatus.ACTIVE, UserStatus.SUSPENDED)]
    # demo-user calls too, its personal keys loaded like everyone else's.
    demo_user = User.objects.prefetch_related("api_keys").get(pk=demo_user.pk)
    callers.append(demo_user)
    user_weight = {u.pk: rng.lognormvariate(0, 0.9) for u in callers}
    user_weight[demo_user.pk] = sorted(user_weight.values())[-3]

    history, logs = user_calls(seeding, public, popularity, callers, user_weight, demo_user=demo_user)
    logs += developer_calls(seeding, used, popularity)
    logs += refused_calls(seeding, models)
    UserHistory.objects.bulk_create(history, batch_size=BATCH)
    ApiUsageLog.objects.bulk_create(logs, batch_size=BATCH)
    seeding.created.history, seeding.created.logs = len(history), len(logs)
    count_quota(logs)
    return Traffic(public=public, popularity=popularity, callers=callers, history=history)


def user_calls(
    seeding: Seeding,
    models: list[AIModel],
    popularity: dict[UUID, float],
    callers: list[User],
    user_weight: dict[UUID, float],
    *,
    demo_user: User,
) -> tuple[list[UserHistory], list[ApiUsageLog]]:
    rng = seeding.rng
    # Each person sticks to a handful of models, popular ones more often.
    weights = [popularity[m.model_id] for m in models]
    favourites = {}
    for user in callers:
        wanted = min(len(models), 10 if user.pk == demo_user.pk else rng.randint(2, 14))
        chosen = {}
        while len(chosen) < wanted:
            model = rng.choices(models, weights=weights)[0]
            chosen[model.model_id] = model
        favourites[user.pk] = list(chosen.values())
    picked_users = rng.choices(callers, weights=[user_weight[u.pk] for u in callers], k=HISTORY_ROWS)
    picked_models = [rng.choice(favourites[u.pk]) for u in picked_users]
    addresses = {u.pk: f"{rng.choice(['198.51.100', '203.0.113'])}.{rng.randint(1, 254)}" for u in callers}
    history, logs, seen = [], [], set()
    for model, user in zip(picked_models, picked_users, strict=True):
        at = max(seeding.moment(), model.created_at + timedelta(hours=1))
        session = f"demo-{user.pk.hex[:8]}-{at:%Y%m%d}"
        if (user.pk, session, at) in seen:
            continue
        seen.add((user.pk, session, at))
        roll = rng.random()
        status = (
            HistoryStatus.COMPLETED
            if roll < 0.94
            else HistoryStatus.FAILED
            if roll < 0.98
            else HistoryStatus.TIMEOUT
        )
        latency = 30_000 if status == HistoryStatus.TIMEOUT else latency_ms(seeding, model.category)
        prompt = rng.choice(PROMPTS[model.category])
        response = RESPONSES[model.category] if status == HistoryStatus.COMPLETED else ""
        history.append(
            UserHistory(
                user=user,
                model=model,
                session_id=session,
                prompt=prompt,
                response=response,
                status=status,
                request_timestamp=at,
                response_time_ms=latency,
                cost_incurred=model.price_per_request if status == HistoryStatus.COMPLETED else Decimal(0),
                user_rating=rng.randint(3, 5) if status == HistoryStatus.COMPLETED and roll < 0.12 else None,
                ip_address=addresses[user.pk],
                created_at=at,
            )
        )
        personal_keys = list(user.api_keys.all())
        code = {HistoryStatus.COMPLETED: 200, HistoryStatus.FAILED: 502, HistoryStatus.TIMEOUT: 504}[status]
        logs.append(
            ApiUsageLog(
                user=user,
                model=model,
                api_key_used=personal_keys[0].key_prefix if personal_keys and rng.random() < 0.6 else "",
                request_method="POST",
                response_code=code,
                request_size=len(prompt.encode()) + 60,
                response_size=len(response.encode()) + 90,
                processing_time_ms=latency + rng.randint(2, 15),
                created_at=at + timedelta(milliseconds=latency),
            )
        )
    return history, logs


def developer_calls(
    seeding: Seeding, models: list[AIModel], popularity: dict[UUID, float]
) -> list[ApiUsageLog]:
    rng = seeding.rng
    picked = rng.choices(models, weights=[popularity[m.model_id] for m in models], k=DEVELOPER_CALLS)
    logs = []
    for model in picked:
        at = max(seeding.moment(), model.created_at + timedelta(hours=1))
        roll = rng.random()
        code = 200 if roll < 0.95 else 400 if roll < 0.97 else 502 if roll < 0.99 else 504
        latency = 30_000 if code == 504 else latency_ms(seeding, model.category)
        logs.append(
            ApiUsageLog(
                developer_id=model.developer_id,
                model=model,
                api_key_used=model.api_key_prefix,
                request_method="POST",
                response_code=code,
                request_size=rng.randint(80, 4000),
                response_size=rng.randint(60, 9000) if code == 200 else 120,
                processing_time_ms=latency,
                created_at=at,
            )
        )
    return logs


def refused_calls(seeding: Seeding, models: list[AIModel]) -> list[ApiUsageLog]:
    """Wrong keys, spent quotas, and calls to models that are not (or no longer) served."""
    rng = seeding.rng
    logs = []
    for _ in range(REFUSED_CALLS):
        model = rng.choice(models)
        if model.is_retired:
            code = 410
        elif (
            not (model.status == ModelStatus.ACTIVE or model.sunset_ahead)
            or model.developer.status != DeveloperStatus.ACTIVE
        ):
            code = 404
        else:
            code = 401 if rng.random() < 0.8 else 429
        authenticated = code in (404, 410, 429)
        logs.append(
            ApiUsageLog(
                developer_id=model.developer_id if authenticated else None,
                model=model,
                api_key_used=model.api_key_prefix if authenticated else rng.choice(["", "amp_mk_x9Q2z"]),
                request_method="POST",
                response_code=code,
                request_size=rng.randint(40, 600),
                response_size=80,
                processing_time_ms=rng.randint(2, 12),
                created_at=seeding.moment(),
            )
        )
    return logs


def count_quota(logs: list[ApiUsageLog]) -> None:
    """Forwarded calls count against the model developer's monthly quota, as the gateway counts them."""
    owner = dict(AIModel.objects.values_list("model_id", "developer_id"))
    per_month = Counter(
        (owner[log.model_id], log.created_at.date().replace(day=1))
        for log in logs
        if log.response_code not in REFUSED_CODES
    )
    for (developer_id, month), calls in per_month.items():
        usage, made = DeveloperMonthlyUsage.objects.get_or_create(
            developer_id=developer_id, month=month, defaults={"calls": calls}
        )
        if not made:
            DeveloperMonthlyUsage.objects.filter(pk=usage.pk).update(calls=F("calls") + calls)


def latency_ms(seeding: Seeding, category: str) -> int:
    return max(1, round(LATENCY_MS[category] * math.exp(seeding.rng.gauss(0, 0.45))))
