"""Fill the database with a realistic demo marketplace, idempotently.

Accounts, developers and models are found or created by their natural keys (usernames, api_name), so a
second run adds nothing. Reviews, votes, replies, history and usage logs are generated only for models
this run created, in bulk; the counters and rollups follow from the database triggers. Everything happens
in one transaction, so an interrupted run leaves nothing behind.
"""

import math
import random
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone

from accounts import keys
from accounts.models import Developer, DeveloperStatus, User, UserApiKey, UserStatus
from activity.models import ApiUsageLog, DeveloperMonthlyUsage, HistoryStatus, UserHistory
from catalog.models import AIModel, Category, ModelStatus
from demo import demo_data as data
from reviews.models import ModelReview, ReviewReply, ReviewVote

SEED = 20240601
DAYS = 90
BATCH = 1000
HISTORY_ROWS = 3000
DEVELOPER_CALLS = 1500
REFUSED_CALLS = 300
REVIEW_TARGET = 330

SIGN_INS = [
    ("staff", "admin", "admin-demo-pass"),
    ("developer", "demo-dev", "dev-demo-pass"),
    ("user", "demo-user", "user-demo-pass"),
]

# Paths served by the demo upstream (manage.py demo_upstream), by category.
UPSTREAM_PATHS = {
    Category.SUMMARIZATION: "/summarize",
    Category.CODE_GENERATION: "/format-code",
    Category.CLASSIFICATION: "/sentiment",
    Category.TRANSLATION: "/translate",
    Category.TEXT_GENERATION: "/chat/completions",
}

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


def endpoint_for(category: str) -> str:
    return settings.DEMO_UPSTREAM_URL.rstrip("/") + UPSTREAM_PATHS.get(category, "/echo")


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
            created = DemoSeeder(now=timezone.now()).run()
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
        for role, username, password in SIGN_INS:
            self.stdout.write(f"  {role:<10} {username} / {password}")


class DemoSeeder:
    def __init__(self, *, now: datetime):
        self.now = now
        self.rng = random.Random(SEED)
        self.created = Created()
        self.unusable_password = make_password(None)

    # --- accounts ---------------------------------------------------------------------------------------

    def run(self) -> Created:
        self.ensure_sign_ins()
        developers = self.ensure_developers()
        models = self.ensure_models(developers)
        users = self.ensure_users()
        if models:
            self.seed_activity(models, users)
        return self.created

    def ensure_user(self, username: str, *, password: str | None = None, **fields) -> User:
        user = User.objects.filter(username__iexact=username).first()
        if user is None:
            user = User(username=username, **fields)
            if password:
                user.set_password(password)
            else:
                user.password = self.unusable_password
            user.save()
            self.created.users += 1
        return user

    def ensure_sign_ins(self) -> None:
        self.ensure_user(
            "admin",
            password="admin-demo-pass",
            email="admin@example.com",
            first_name="Avery",
            last_name="Admin",
            status=UserStatus.ACTIVE,
            email_verified=True,
            is_staff=True,
            is_superuser=True,
            created_at=self.days_ago(400),
        )
        self.demo_user = self.ensure_user(
            "demo-user",
            password="user-demo-pass",
            email="demo-user@example.com",
            first_name="Jordan",
            last_name="Lee",
            country="Ireland",
            city="Dublin",
            bio="Product manager trying out models for our support team.",
            status=UserStatus.ACTIVE,
            email_verified=True,
            created_at=self.days_ago(150),
        )

    def ensure_developers(self) -> dict[str, Developer]:
        developers = {
            d.username: d for d in Developer.objects.filter(username__in=[s[0] for s in data.DEVELOPERS])
        }
        for username, company, first, last, status, quota, years, expertise in data.DEVELOPERS:
            if username in developers:
                continue
            domain = f"{username}.example.com"
            user = self.ensure_user(
                username,
                password="dev-demo-pass" if username == "demo-dev" else None,
                email=f"{first.lower()}@{domain}",
                first_name=first,
                last_name=last,
                status=UserStatus.ACTIVE,
                email_verified=True,
                created_at=self.days_ago(self.rng.randint(200, 420)),
            )
            developers[username] = Developer.objects.create(
                user=user,
                username=username,
                email=f"hello@{domain}",
                first_name=first,
                last_name=last,
                company_name=company,
                website_url=f"https://{domain}/",
                github_profile=f"https://github.com/{username}",
                expertise_areas=expertise,
                years_experience=years,
                api_quota=quota,
                status=status,
                created_at=user.created_at + timedelta(days=self.rng.randint(1, 30)),
            )
            self.created.developers += 1
        return developers

    def ensure_models(self, developers: dict[str, Developer]) -> list[AIModel]:
        existing = set(
            AIModel.objects.filter(api_name__in=[s[1] for s in data.MODELS]).values_list(
                "api_name", flat=True
            )
        )
        created = []
        for spec in data.MODELS:
            username, api_name, display_name, category, tags, price, status, public, description = spec
            if api_name in existing:
                continue
            developer = developers[username]
            born = max(developer.created_at + timedelta(days=5), self.days_ago(self.rng.randint(95, 180)))
            # Keys as catalog.services.model_create makes them (only the hash is stored), inserted in bulk.
            key = keys.generate_model_key()
            created.append(
                AIModel(
                    developer=developer,
                    model_name=api_name,
                    display_name=display_name,
                    description=description,
                    api_name=api_name,
                    api_key=keys.hash_key(key),
                    api_key_prefix=keys.display_prefix(key),
                    category=category,
                    tags=tags,
                    status=status,
                    is_public=public,
                    endpoint_url=endpoint_for(category),
                    price_per_request=Decimal(price),
                    created_at=born,
                    updated_at=born,
                )
            )
            if api_name == self.first_demo_model:
                self.created.demo_key = (api_name, key)
        AIModel.objects.bulk_create(created)
        self.created.models = len(created)
        return created

    @property
    def first_demo_model(self) -> str:
        return next(spec[1] for spec in data.MODELS if spec[0] == "demo-dev")

    def ensure_users(self) -> list[User]:
        """Forty people: most active and verified, five awaiting verification, one suspended."""
        specs = []
        for index, (first, last) in enumerate(zip(data.FIRST_NAMES, data.LAST_NAMES, strict=True)):
            if index >= 39:
                status, verified = UserStatus.SUSPENDED, True
            elif index >= 34:
                status, verified = UserStatus.PENDING_VERIFICATION, False
            else:
                status, verified = UserStatus.ACTIVE, True
            country, city = data.PLACES[index % len(data.PLACES)]
            specs.append((f"{first}.{last}".lower(), first, last, status, verified, country, city))
        existing = set(
            User.objects.annotate(name=Lower("username"))
            .filter(name__in=[s[0] for s in specs])
            .values_list("name", flat=True)
        )
        new = [
            User(
                username=username,
                email=f"{username}@example.net",
                password=self.unusable_password,
                first_name=first,
                last_name=last,
                country=country,
                city=city,
                status=status,
                email_verified=verified,
                created_at=self.days_ago(self.rng.randint(91, 420)),
            )
            for username, first, last, status, verified, country, city in specs
            if username not in existing
        ]
        User.objects.bulk_create(new, batch_size=BATCH)
        self.created.users += len(new)
        keys_for = [user for user in new if user.status == UserStatus.ACTIVE][::3]
        if not self.demo_user.api_keys.exists():
            keys_for.append(self.demo_user)
        UserApiKey.objects.bulk_create([self.personal_key(user) for user in keys_for])
        return list(
            User.objects.annotate(name=Lower("username"))
            .filter(name__in=[s[0] for s in specs])
            .prefetch_related("api_keys")
        )

    def personal_key(self, user: User) -> UserApiKey:
        key = keys.generate_personal_key()
        return UserApiKey(
            user=user,
            name=self.rng.choice(["laptop", "ci", "notebook", "staging"]),
            key_hash=keys.hash_key(key),
            key_prefix=keys.display_prefix(key),
            created_at=self.days_ago(self.rng.randint(60, 90)),
        )

    # --- activity ---------------------------------------------------------------------------------------

    def seed_activity(self, models: list[AIModel], users: list[User]) -> None:
        rng = self.rng
        developers = {m.developer_id: m.developer for m in models}
        used = [
            m
            for m in models
            if m.status in (ModelStatus.ACTIVE, ModelStatus.DEPRECATED)
            and developers[m.developer_id].status == DeveloperStatus.ACTIVE
        ]
        if not used:
            return
        rng.shuffle(used)
        # Zipf-like popularity: a few models take most of the traffic; deprecated ones are fading.
        popularity = {
            m.model_id: (1 / (rank + 1) ** 0.6) * (0.3 if m.status == ModelStatus.DEPRECATED else 1)
            for rank, m in enumerate(used)
        }
        public = [m for m in used if m.is_public]
        callers = [u for u in users if u.status in (UserStatus.ACTIVE, UserStatus.SUSPENDED)]
        demo_user = User.objects.prefetch_related("api_keys").get(pk=self.demo_user.pk)
        callers.append(demo_user)
        user_weight = {u.pk: rng.lognormvariate(0, 0.9) for u in callers}
        user_weight[demo_user.pk] = sorted(user_weight.values())[-3]

        history, logs = self.user_calls(public, popularity, callers, user_weight)
        logs += self.developer_calls(used, popularity)
        logs += self.refused_calls(models)
        UserHistory.objects.bulk_create(history, batch_size=BATCH)
        ApiUsageLog.objects.bulk_create(logs, batch_size=BATCH)
        self.created.history, self.created.logs = len(history), len(logs)
        self.count_quota(logs)

        reviewers = [u for u in callers if u.status == UserStatus.ACTIVE and u.email_verified]
        served_public = [m for m in public if m.status == ModelStatus.ACTIVE]
        self.seed_reviews(served_public, popularity, reviewers, history)

    def user_calls(self, models, popularity, callers, user_weight):
        rng = self.rng
        # Each person sticks to a handful of models, popular ones more often.
        weights = [popularity[m.model_id] for m in models]
        favourites = {}
        for user in callers:
            wanted = min(len(models), 10 if user.pk == self.demo_user.pk else rng.randint(2, 14))
            chosen = {}
            while len(chosen) < wanted:
                model = rng.choices(models, weights=weights)[0]
                chosen[model.model_id] = model
            favourites[user.pk] = list(chosen.values())
        picked_users = rng.choices(callers, weights=[user_weight[u.pk] for u in callers], k=HISTORY_ROWS)
        picked_models = [rng.choice(favourites[u.pk]) for u in picked_users]
        addresses = {
            u.pk: f"{rng.choice(['198.51.100', '203.0.113'])}.{rng.randint(1, 254)}" for u in callers
        }
        history, logs, seen = [], [], set()
        for model, user in zip(picked_models, picked_users, strict=True):
            at = max(self.moment(), model.created_at + timedelta(hours=1))
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
            latency = 30_000 if status == HistoryStatus.TIMEOUT else self.latency(model.category)
            prompt = rng.choice(data.PROMPTS[model.category])
            response = data.RESPONSES[model.category] if status == HistoryStatus.COMPLETED else ""
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
                    cost_incurred=model.price_per_request
                    if status == HistoryStatus.COMPLETED
                    else Decimal(0),
                    user_rating=rng.randint(3, 5)
                    if status == HistoryStatus.COMPLETED and roll < 0.12
                    else None,
                    ip_address=addresses[user.pk],
                    created_at=at,
                )
            )
            personal_keys = list(user.api_keys.all())
            code = {HistoryStatus.COMPLETED: 200, HistoryStatus.FAILED: 502, HistoryStatus.TIMEOUT: 504}[
                status
            ]
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

    def developer_calls(self, models, popularity):
        rng = self.rng
        picked = rng.choices(models, weights=[popularity[m.model_id] for m in models], k=DEVELOPER_CALLS)
        logs = []
        for model in picked:
            at = max(self.moment(), model.created_at + timedelta(hours=1))
            roll = rng.random()
            code = 200 if roll < 0.95 else 400 if roll < 0.97 else 502 if roll < 0.99 else 504
            latency = 30_000 if code == 504 else self.latency(model.category)
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

    def refused_calls(self, models):
        """Wrong keys, spent quotas, and calls to models that are not (or no longer) served."""
        rng = self.rng
        logs = []
        for _ in range(REFUSED_CALLS):
            model = rng.choice(models)
            if model.status == ModelStatus.DEPRECATED:
                code = 410
            elif model.status != ModelStatus.ACTIVE or model.developer.status != DeveloperStatus.ACTIVE:
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
                    created_at=self.moment(),
                )
            )
        return logs

    def count_quota(self, logs: list[ApiUsageLog]) -> None:
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

    # --- reviews ----------------------------------------------------------------------------------------

    def seed_reviews(self, models, popularity, reviewers, history) -> None:
        rng = self.rng
        if not models or len(reviewers) < 2:
            return
        total = sum(popularity[m.model_id] for m in models)
        demo_user_models = [
            model_id
            for model_id, _ in Counter(
                h.model_id for h in history if h.user_id == self.demo_user.pk
            ).most_common(6)
        ]
        users_of = {}
        for row in history:
            users_of.setdefault(row.model_id, set()).add(row.user_id)
        reviews = []
        spam_left_visible = 2
        for model in models:
            quality = rng.uniform(2.6, 4.8)
            share = popularity[model.model_id] / total
            count = min(len(reviewers) - 1, max(2, round(REVIEW_TARGET * share)))
            # Mostly people who used the model, a few who tried it elsewhere.
            others = [u for u in reviewers if u.pk != self.demo_user.pk]
            users = [u for u in others if u.pk in users_of.get(model.model_id, ())]
            authors = rng.sample(users, min(len(users), count))
            rest = [u for u in others if u.pk not in users_of.get(model.model_id, ())]
            authors += rng.sample(rest, min(len(rest), max(1, count // 5) if len(authors) < count else 0))
            if model.model_id in demo_user_models:
                authors.append(self.demo_user)
            for author in authors:
                rating = min(5, max(1, round(rng.gauss(quality, 0.9))))
                title, text = rng.choice(data.REVIEWS[rating])
                hidden = False
                if rng.random() < 0.03 and author.pk != self.demo_user.pk:
                    title, text = rng.choice(data.SPAM_REVIEWS)
                    rating, hidden = 5, spam_left_visible <= 0
                    spam_left_visible -= 1
                at = max(model.created_at + timedelta(days=1), self.days_ago(rng.uniform(0, DAYS)))
                use = rng.choice(data.USE_CASES[model.category])
                reviews.append(
                    ModelReview(
                        model=model,
                        user=author,
                        rating=rating,
                        review_title=title,
                        review_text=text.format(name=model.display_name, use=use),
                        is_hidden=hidden,
                        created_at=at,
                        updated_at=at,
                    )
                )
        ModelReview.objects.bulk_create(reviews, batch_size=BATCH)
        self.created.reviews = len(reviews)

        votes, replies = [], []
        for review in reviews:
            if not review.is_hidden:
                voters = [u for u in reviewers if u.pk != review.user_id]
                count = min(len(voters), int(rng.expovariate(1 / 2.4)))
                for voter in rng.sample(voters, count):
                    votes.append(
                        ReviewVote(review=review, user=voter, created_at=self.after(review.created_at))
                    )
            if not review.is_hidden and rng.random() < (0.35 if review.rating <= 3 else 0.08):
                at = self.after(review.created_at)
                replies.append(
                    ReviewReply(
                        review=review,
                        developer_id=review.model.developer_id,
                        reply_text=rng.choice(data.REPLIES),
                        created_at=at,
                        updated_at=at,
                    )
                )
        ReviewVote.objects.bulk_create(votes, batch_size=BATCH)
        ReviewReply.objects.bulk_create(replies, batch_size=BATCH)
        self.created.votes, self.created.replies = len(votes), len(replies)

    # --- time -------------------------------------------------------------------------------------------

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

    def latency(self, category: str) -> int:
        return max(1, round(LATENCY_MS[category] * math.exp(self.rng.gauss(0, 0.45))))
