"""Fill a database with benchmark-scale data, quickly, with COPY.

At --scale 1: 2,000 developers, 20,000 models, 200,000 users, 500,000 reviews, 250,000 review votes,
2,000,000 history rows and 10,000,000 usage-log rows over two years, with Zipf-like skew: a few models
take most of the calls, a few users most of the history.

Named rows the benchmark relies on:
- developer (and its sign-in user) ``bench-busiest``: owns the hottest models, among them ``bench-popular``;
- user ``bench-heaviest``: the user with the most history rows.
Every seeded user signs in with the password ``bench-password``.

How it stays fast: everything is loaded in one transaction with ``session_replication_role = replica``
(triggers and foreign-key checks off for this session only; needs a superuser), the big tables' indexes
dropped and rebuilt after the load, and rows streamed with ``COPY ... FREEZE``. Then every counter and
rollup the triggers keep is computed set-based in SQL with the triggers' own definitions, the tables are
vacuumed and analysed, and a check compares each counter with a fresh aggregate of the raw rows: it
fails loudly if any differ.

    python bench/seed_scale.py --database-url postgres://postgres@127.0.0.1:5432/amp_bench [--scale 0.01]
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import itertools
import os
import random
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import psycopg

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from activity import partitions  # noqa: E402

FULL_SCALE = {
    "developers": 2_000,
    "models": 20_000,
    "users": 200_000,
    "reviews": 500_000,
    "votes": 250_000,
    "history": 2_000_000,
    "logs": 10_000_000,
}
MINIMUM = {"developers": 2, "models": 20, "users": 30, "reviews": 20, "votes": 10, "history": 50, "logs": 200}

print_now = functools.partial(print, flush=True)

BUSIEST = "bench-busiest"
HEAVIEST = "bench-heaviest"
POPULAR = "bench-popular"
PASSWORD = "bench-password"
# Django's PBKDF2 format, computed once and shared by every seeded user.
PASSWORD_ITERATIONS = 1_000_000
BUSIEST_QUOTA = 2_000_000_000

LOG_DAYS = 730  # two years of usage logs
DAY = 86_400

# Tables the seed writes; truncated together at the start so COPY FREEZE may write frozen pages.
SEEDED_TABLES = (
    "users",
    "developers",
    "models",
    "user_api_keys",
    "model_reviews",
    "review_votes",
    "review_replies",
    "user_history",
    "api_usage_logs",
    "model_users",
    "user_history_counts",
    "model_daily_stats",
    "developer_monthly_usage",
    "django_session",
)
# Tables whose counters are set by UPDATE after the load.
UPDATED_TABLES = ("developers", "models", "model_reviews")
# Big tables whose indexes are dropped for the load and rebuilt after it.
REINDEXED_TABLES = (
    "api_usage_logs",
    "user_history",
    "model_reviews",
    "review_votes",
    "model_users",
    "model_daily_stats",
)

CATEGORIES = {
    # category: (weight, name suffixes, keywords)
    "text_generation": (22, ["Chat", "Writer", "Assistant"], ["chat", "assistant", "writing", "dialogue"]),
    "image_generation": (
        12,
        ["Diffuser", "Painter", "Studio"],
        ["image", "diffusion", "illustration", "art"],
    ),
    "code_generation": (12, ["Coder", "Pilot", "Refactor"], ["code", "python", "completion", "refactoring"]),
    "speech_to_text": (6, ["Transcriber", "Listener"], ["speech", "transcription", "audio", "dictation"]),
    "text_to_speech": (5, ["Voice", "Narrator"], ["voice", "narration", "audio", "speech"]),
    "translation": (8, ["Translator", "Polyglot"], ["translation", "multilingual", "localization"]),
    "summarization": (9, ["Summarizer", "Digest"], ["summary", "summarization", "digest", "notes"]),
    "embeddings": (7, ["Embedder", "Vectors"], ["embedding", "vector", "retrieval", "similarity"]),
    "classification": (8, ["Classifier", "Tagger"], ["classification", "sentiment", "moderation"]),
    "multimodal": (6, ["Vision", "Omni"], ["vision", "multimodal", "caption", "document"]),
    "other": (5, ["Forecaster", "Engine"], ["forecasting", "tabular", "anomaly", "recommendation"]),
}
ADJECTIVES = [
    "Swift",
    "Bright",
    "Deep",
    "Quiet",
    "Clever",
    "Nimble",
    "Lucid",
    "Vivid",
    "Solid",
    "Rapid",
    "Keen",
    "Bold",
    "Calm",
    "Crisp",
    "Agile",
    "Prime",
    "Nova",
    "Polar",
    "Coral",
    "Amber",
    "Silver",
    "Golden",
    "Northern",
    "Gentle",
    "Steady",
    "Brisk",
    "Fluent",
    "Sharp",
    "Clear",
    "Noble",
]
NOUNS = [
    "Falcon",
    "Otter",
    "Lynx",
    "Heron",
    "Badger",
    "Raven",
    "Orca",
    "Marten",
    "Ibis",
    "Puma",
    "Gecko",
    "Bison",
    "Koala",
    "Lemur",
    "Wren",
    "Kestrel",
    "Panda",
    "Tapir",
    "Quokka",
    "Okapi",
    "Yak",
    "Egret",
    "Condor",
    "Dingo",
    "Jackal",
    "Marmot",
    "Narwhal",
    "Osprey",
    "Pelican",
    "Stork",
]
TAGS = [
    "nlp",
    "vision",
    "audio",
    "fast",
    "open-source",
    "enterprise",
    "english",
    "multilingual",
    "small",
    "large",
    "gpu",
    "cpu",
    "streaming",
    "batch",
    "finance",
    "legal",
    "medical",
    "education",
    "ecommerce",
    "gaming",
    "research",
    "beta",
    "low-latency",
    "long-context",
    "fine-tuned",
    "instruct",
    "rag",
    "agents",
    "privacy",
    "on-device",
]
# Rare words: each appears in about one description in sixty, so a search for one is selective.
DOMAINS = [
    "astronomy",
    "maritime",
    "viticulture",
    "genomics",
    "insurance",
    "logistics",
    "aviation",
    "forestry",
    "hospitality",
    "journalism",
    "mining",
    "pharmacy",
    "robotics",
    "seismology",
    "tourism",
    "volcanology",
    "archaeology",
    "beekeeping",
    "cartography",
    "dentistry",
    "entomology",
    "fisheries",
    "geology",
    "horticulture",
    "ichthyology",
    "jurisprudence",
    "kinesiology",
    "linguistics",
    "meteorology",
    "numismatics",
    "oceanography",
    "philately",
    "quarrying",
    "radiology",
    "sericulture",
    "taxidermy",
    "urbanism",
    "veterinary",
    "welding",
    "xylography",
    "yachting",
    "zoology",
    "acoustics",
    "banking",
    "carpentry",
    "dairy",
    "ecology",
    "fashion",
    "glaciology",
    "hydrology",
    "irrigation",
    "jewellery",
    "knitting",
    "lacquerware",
    "metallurgy",
    "nursing",
    "optometry",
    "paleontology",
    "railways",
    "shipping",
    "textiles",
]
QUALITIES = [
    "state-of-the-art",
    "reliable",
    "compact",
    "efficient",
    "accurate",
    "robust",
    "lightweight",
    "production-grade",
]
FIRST_NAMES = [
    "Ada",
    "Alan",
    "Grace",
    "Linus",
    "Ken",
    "Barbara",
    "Edsger",
    "Frances",
    "Donald",
    "John",
    "Margaret",
    "Tim",
    "Radia",
    "Guido",
    "Yukihiro",
    "Bjarne",
    "Anita",
    "Dennis",
    "Hedy",
    "Katherine",
    "Leslie",
    "Niklaus",
    "Ole",
    "Sophie",
    "Tony",
    "Vint",
    "Whitfield",
    "Xiao",
    "Yann",
    "Zoe",
]
LAST_NAMES = [
    "Lovelace",
    "Turing",
    "Hopper",
    "Torvalds",
    "Thompson",
    "Liskov",
    "Dijkstra",
    "Allen",
    "Knuth",
    "McCarthy",
    "Hamilton",
    "Berners-Lee",
    "Perlman",
    "Rossum",
    "Matsumoto",
    "Stroustrup",
    "Borg",
    "Ritchie",
    "Lamarr",
    "Johnson",
    "Lamport",
    "Wirth",
    "Dahl",
    "Wilson",
    "Hoare",
    "Cerf",
    "Diffie",
    "Li",
    "LeCun",
    "Baker",
]
PLACES = [
    ("Germany", "Berlin"),
    ("France", "Lyon"),
    ("Japan", "Osaka"),
    ("Brazil", "Recife"),
    ("Kenya", "Nairobi"),
    ("Canada", "Montreal"),
    ("India", "Pune"),
    ("Australia", "Perth"),
    ("United States", "Denver"),
    ("Spain", "Valencia"),
    ("Poland", "Krakow"),
    ("Mexico", "Puebla"),
]
DOCS = [
    "report",
    "email",
    "contract",
    "article",
    "transcript",
    "thread",
    "essay",
    "changelog",
    "proposal",
    "invoice",
]
TOPICS = [
    "pricing",
    "hiring",
    "the",
    "roadmap",
    "the",
    "outage",
    "onboarding",
    "security",
    "the",
    "budget",
    "a",
    "merger",
    "testing",
    "travel",
]
RESPONSES = [
    "Here is a short answer in {n} points: the main issue is {t}, the risk is moderate, next step is a review.",
    "Summary: {t} went well overall; {n} items need follow-up before the next meeting.",
    "The {d} covers {t}. Key facts: {n} dates, two owners, one open question about scope.",
    "Done. I rewrote the {d} about {t} in a friendlier tone and kept it under {n}00 words.",
]
REVIEW_TITLES = {
    1: ["Did not work for us", "Too slow", "Unreliable"],
    2: ["Needs work", "Inconsistent results", "Expensive for what it does"],
    3: ["Decent", "OK for simple tasks", "Average"],
    4: ["Very good", "Solid choice", "Works well"],
    5: ["Excellent", "Best in its class", "Fantastic results"],
}
REVIEW_TEXTS = [
    "We used it for {w} weeks in production. Latency was {q} and the answers were {r}.",
    "Tried it on our {t} workload: results were {r}, documentation {q}.",
    "Integration took an afternoon. Quality is {r}; support answered within a day.",
]
# Response codes of logged calls: mostly accepted, a few refused or failed upstream.
CODE_TABLE = (
    [200] * 928 + [201] * 2 + [400] * 10 + [401] * 20 + [404] * 5 + [429] * 15 + [502] * 15 + [504] * 5
)
REFUSED = {400, 401, 404, 429}


# The 64-slot latency histogram of a (model, day), summed from (bucket, calls) pairs. Bucket b counts in
# slot b + 1, as activity_rollup_add() does with activity_latency_bucket().
HISTOGRAM_AGGREGATE = (
    """
CREATE FUNCTION pg_temp.seed_histogram_add(state integer[], bucket integer, calls bigint) RETURNS integer[]
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    state[bucket + 1] := state[bucket + 1] + calls;
    RETURN state;
END;
$$
""",
    """
CREATE AGGREGATE pg_temp.seed_histogram(integer, bigint) (
    SFUNC = pg_temp.seed_histogram_add, STYPE = integer[], INITCOND = '{ZEROS}'
)
""".replace("ZEROS", ",".join(["0"] * 64)),
)


@dataclass
class Scale:
    factor: float
    counts: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, factor: float, overrides: dict[str, int] | None = None) -> Scale:
        counts = {name: max(MINIMUM[name], round(full * factor)) for name, full in FULL_SCALE.items()}
        counts.update(overrides or {})
        counts["users"] = max(counts["users"], counts["developers"] + 10)
        return cls(factor, counts)

    def __getitem__(self, name: str) -> int:
        return self.counts[name]


@dataclass
class ModelRow:
    model_id: str
    developer_index: int
    api_name: str
    api_key_prefix: str
    price: str
    created_s: int  # seconds since the seed's epoch
    speed: float


class Clock:
    """Timestamps as text without building datetime objects: a day table and a second-of-day table."""

    def __init__(self, now: datetime, history_days: int):
        self.now = now
        start = (now - timedelta(days=history_days)).replace(hour=0, minute=0, second=0, microsecond=0)
        self.start = start
        self.now_s = int((now - start).total_seconds())
        days = self.now_s // DAY + 2
        self.days = [(start + timedelta(days=i)).strftime("%Y-%m-%d ") for i in range(days)]
        self.times = [f"{h:02d}:{m:02d}:{s:02d}+00" for h in range(24) for m in range(60) for s in range(60)]

    def text(self, seconds: int) -> str:
        day, second = divmod(seconds, DAY)
        return self.days[day] + self.times[second]


def rows_per_day(total: int, days: int, last_fraction: float = 1.0) -> list[int]:
    """`total` rows over `days` days, denser towards today (weights rise linearly), summing exactly; the
    last day (today) weighs only the fraction of it that has passed."""
    weights = [day + days / 4 for day in range(days)]
    weights[-1] *= last_fraction
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    counts[-2 if days > 1 else -1] += total - sum(counts)
    return counts


def zipf_cumulative(n: int, exponent: float) -> list[float]:
    return list(itertools.accumulate(1.0 / (rank + 1) ** exponent for rank in range(n)))


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _base62(number: int, width: int) -> str:
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    chars = []
    for _ in range(width):
        number, rest = divmod(number, 62)
        chars.append(alphabet[rest])
    return "".join(reversed(chars))


def password_hash() -> str:
    salt = "benchsalt0123456789abc"
    digest = hashlib.pbkdf2_hmac("sha256", PASSWORD.encode(), salt.encode(), PASSWORD_ITERATIONS)
    import base64

    return f"pbkdf2_sha256${PASSWORD_ITERATIONS}${salt}${base64.b64encode(digest).decode()}"


class Seeder:
    def __init__(
        self,
        conninfo: str,
        scale: Scale,
        *,
        seed: int = 42,
        endpoint_url: str = "http://127.0.0.1:8001/",
        log: Callable[[str], None] = print_now,
    ):
        self.conninfo = conninfo
        self.scale = scale
        self.rng = random.Random(seed)
        self.seed = seed
        self.endpoint_url = endpoint_url
        self.log = log
        self.timings: dict[str, float] = {}
        now = datetime.now(UTC).replace(microsecond=0)
        self.clock = Clock(now, history_days=1000)

    # --- phases ---------------------------------------------------------------------------------------
    def run(self, *, force: bool = False) -> dict[str, float]:
        started = time.perf_counter()
        with psycopg.connect(self.conninfo, autocommit=False) as conn:
            with conn.cursor() as cur:
                cur.execute("SELECT count(*) FROM users")
                existing = cur.fetchone()[0]
                if existing and not force:
                    raise SystemExit(
                        f"The database already holds {existing} users; pass --force to replace them."
                    )
                cur.execute("SET session_replication_role = replica")
                cur.execute("SET synchronous_commit = off")
                cur.execute("SET maintenance_work_mem = '512MB'")
                cur.execute("SET work_mem = '1GB'")
                with self.phase("prepare (truncate, drop big-table indexes)"):
                    cur.execute(f"TRUNCATE {', '.join(SEEDED_TABLES)} CASCADE")
                    saved = [self._drop_indexes(cur, table) for table in REINDEXED_TABLES]
                    self._log_partitions(cur)
                self._load(cur)
                self._counters(cur)
                with self.phase("rebuild indexes"):
                    for statements in saved:
                        for statement in statements:
                            cur.execute(statement)
            with self.phase("commit"):
                conn.commit()
        with psycopg.connect(self.conninfo, autocommit=True) as conn:
            with self.phase("vacuum analyze"):
                # The counters were set by UPDATE: compact those tables so scans read no dead rows.
                for table in UPDATED_TABLES:
                    conn.execute(f"VACUUM (FULL) {table}")
                for table in SEEDED_TABLES:
                    conn.execute(f"VACUUM (ANALYZE) {table}")
            with self.phase("verify counters against the raw rows"):
                problems = verify(conn)
        self.timings["total"] = time.perf_counter() - started
        self.log(f"total: {self.timings['total']:.1f} s")
        if problems:
            raise SystemExit("Counters disagree with the data:\n" + "\n".join(problems))
        return self.timings

    class _Phase:
        def __init__(self, seeder: Seeder, name: str):
            self.seeder, self.name = seeder, name

        def __enter__(self):
            self.started = time.perf_counter()
            return self

        def __exit__(self, *exc):
            elapsed = time.perf_counter() - self.started
            self.seeder.timings[self.name] = elapsed
            if exc[0] is None:
                self.seeder.log(f"{self.name}: {elapsed:.1f} s")

    def phase(self, name: str) -> Seeder._Phase:
        return Seeder._Phase(self, name)

    def _drop_indexes(self, cur, table: str) -> list[str]:
        """Drop the table's indexes (and the PK/unique constraints no foreign key depends on); return how
        to rebuild them."""
        cur.execute(
            """
            SELECT c.conname, pg_get_constraintdef(c.oid)
              FROM pg_constraint c
             WHERE c.conrelid = %s::regclass AND c.contype IN ('p', 'u')
               AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = c.conindid)
            """,
            [table],
        )
        constraints = cur.fetchall()
        cur.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
              FROM pg_index i
             WHERE i.indrelid = %s::regclass
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            """,
            [table],
        )
        indexes = cur.fetchall()
        rebuild = []
        for name, definition in constraints:
            cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            rebuild.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for name, definition in indexes:
            cur.execute(f"DROP INDEX {name}")
            # A partitioned table's index reads "ON ONLY …", which would build no partition's index.
            rebuild.append(definition.replace(" ON ONLY ", " ON ", 1))
        return rebuild

    def _log_partitions(self, cur) -> None:
        """api_usage_logs partitioned by month (activity migration 0017): a partition for every month of the
        logs, made before the load (after the indexes are dropped, so the partitions get theirs when they
        are rebuilt), so that no row lands in api_usage_logs_before."""
        if not partitions.is_partitioned(cur):
            return
        first = (self.clock.start + timedelta(seconds=self.clock.now_s - LOG_DAYS * DAY - DAY)).date()
        partitions.ensure_months_from(cur, partitions.month_start(first))
        partitions.ensure_months(cur, partitions.month_start(self.clock.now.date()))

    def _copy(self, cur, table: str, columns: str, rows: Iterator[str], label: str) -> None:
        """Stream rows (each string one or more lines of COPY text) into `table`. FREEZE writes the rows
        frozen (the table was truncated in this transaction); PostgreSQL refuses it for a partitioned
        table, whose rows the VACUUM after the load freezes instead."""
        count = 0
        cur.execute("SELECT relkind = 'p' FROM pg_class WHERE oid = %s::regclass", [table])
        freeze = "" if cur.fetchone()[0] else " WITH (FREEZE)"
        with (
            self.phase(f"load {label}"),
            cur.copy(f"COPY {table} ({columns}) FROM STDIN{freeze}") as copy,
        ):
            buffer: list[str] = []
            size = 0
            for text in rows:
                buffer.append(text)
                size += len(text)
                if size >= 1 << 20:
                    block = "".join(buffer)
                    count += block.count("\n")
                    copy.write(block)
                    buffer.clear()
                    size = 0
            if buffer:
                block = "".join(buffer)
                count += block.count("\n")
                copy.write(block)
        self.log(f"    {count:,} rows in {table}")

    # --- data -----------------------------------------------------------------------------------------
    def _load(self, cur) -> None:
        s, rng, clock = self.scale, self.rng, self.clock
        n_dev, n_models, n_users = s["developers"], s["models"], s["users"]

        # Users: the first n_dev sign in for the developers (the first of them is bench-busiest), the next
        # one is bench-heaviest.
        self.user_ids = [_uuid(rng) for _ in range(n_users)]
        self.heaviest = n_dev
        hashed = password_hash()
        user_created = [clock.now_s - rng.randint(30 * DAY, 900 * DAY) for _ in range(n_users)]

        def users():
            for i, user_id in enumerate(self.user_ids):
                if i == 0:
                    username = BUSIEST
                elif i == self.heaviest:
                    username = HEAVIEST
                elif i < n_dev:
                    username = f"dev{i:05d}"
                else:
                    username = f"user{i:06d}"
                if i <= self.heaviest:
                    status = "active"
                else:
                    r = rng.random()
                    status = (
                        "active"
                        if r < 0.92
                        else "pending_verification"
                        if r < 0.97
                        else "inactive"
                        if r < 0.99
                        else "suspended"
                    )
                country, city = rng.choice(PLACES)
                created = clock.text(user_created[i])
                yield (
                    f"{user_id}\t{username}\t{username}@bench.example.com\t{hashed}\t{rng.choice(FIRST_NAMES)}\t"
                    f"{rng.choice(LAST_NAMES)}\t{country}\t{city}\t{status}\t{'t' if status == 'active' else 'f'}\t"
                    f"f\tf\t{created}\t{created}\n"
                )

        self._copy(
            cur,
            "users",
            "user_id, username, email, password_hash, first_name, last_name, country, city, status, "
            "email_verified, is_superuser, is_staff, created_at, updated_at",
            users(),
            "users",
        )

        self.developer_ids = [_uuid(rng) for _ in range(n_dev)]

        def developers():
            for i, developer_id in enumerate(self.developer_ids):
                username = BUSIEST if i == 0 else f"dev{i:05d}"
                r = rng.random()
                status = (
                    "active"
                    if i == 0 or r < 0.94
                    else "pending_approval"
                    if r < 0.97
                    else "suspended"
                    if r < 0.99
                    else "inactive"
                )
                quota = BUSIEST_QUOTA if i == 0 else rng.choice([10_000, 50_000, 100_000, 1_000_000])
                areas = "{" + ",".join(rng.sample(TAGS, 3)) + "}"
                company = f"{rng.choice(NOUNS)} {rng.choice(['Labs', 'AI', 'Systems', 'Research'])}"
                created = clock.text(user_created[i] + DAY)
                yield (
                    f"{developer_id}\t{self.user_ids[i]}\t{username}\t{username}@studio.bench.example.com\t"
                    f"{rng.choice(FIRST_NAMES)}\t{rng.choice(LAST_NAMES)}\t{company}\t"
                    f"https://{username}.example.com\thttps://github.com/{username}\t{areas}\t"
                    f"{rng.randint(0, 30)}\t{quota}\t{status}\t{created}\t{created}\n"
                )

        self._copy(
            cur,
            "developers",
            "developer_id, user_id, username, email, first_name, last_name, company_name, website_url, "
            "github_profile, expertise_areas, years_experience, api_quota, status, created_at, updated_at",
            developers(),
            "developers",
        )

        # Models in order of popularity: rank 0 gets the most calls. bench-busiest owns every third of
        # the 60 hottest (rank 0 is bench-popular) and a few cold ones; the rest go to the other
        # developers with a skew of their own.
        busiest_ranks = set(range(0, min(60, n_models), 3))
        busiest_ranks.update(rng.sample(range(n_models), min(n_models // 1000, n_models)))
        other_cum = zipf_cumulative(n_dev - 1, 0.8)
        categories = list(CATEGORIES)
        category_weights = [CATEGORIES[c][0] for c in categories]
        self.models: list[ModelRow] = []

        def models():
            for rank in range(n_models):
                developer = (
                    0
                    if rank in busiest_ranks
                    else 1 + rng.choices(range(n_dev - 1), cum_weights=other_cum)[0]
                )
                category = rng.choices(categories, weights=category_weights)[0]
                _, suffixes, keywords = CATEGORIES[category]
                adjective, noun, suffix = rng.choice(ADJECTIVES), rng.choice(NOUNS), rng.choice(suffixes)
                display = f"{adjective} {noun} {suffix}"
                api_name = POPULAR if rank == 0 else f"{adjective}-{noun}-{suffix}-{rank}".lower()
                key_hash = hashlib.sha256(f"bench:{self.seed}:{rank}".encode()).hexdigest()
                prefix = "amp_mk_" + _base62(rng.getrandbits(30), 5)
                domain = rng.choice(DOMAINS)
                description = (
                    f"{display} is a {rng.choice(QUALITIES)} {category.replace('_', ' ')} model for "
                    f"{' and '.join(rng.sample(keywords, 2))}. Tuned on {domain} data, it answers in "
                    f"{rng.randint(1, 9)}00 ms on average and supports {rng.randint(2, 40)} languages."
                )
                tags = "{" + ",".join(sorted(set(rng.sample(TAGS, rng.randint(2, 5)) + keywords[:1]))) + "}"
                hot = rank in busiest_ranks or rank < 100
                r = rng.random()
                status = (
                    "active"
                    if hot or r < 0.9
                    else "inactive"
                    if r < 0.94
                    else "under_review"
                    if r < 0.97
                    else "deprecated"
                )
                public = "t" if hot or rng.random() < 0.95 else "f"
                price = f"{rng.choice([0, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05]):.4f}"
                life_days = rng.randint(730, 800) if hot else rng.randint(20, 800)
                created_s = clock.now_s - life_days * DAY + rng.randint(0, DAY - 1)
                row = ModelRow(
                    _uuid(rng), developer, api_name, prefix, price, created_s, rng.uniform(0.5, 2.0)
                )
                self.models.append(row)
                created = clock.text(created_s)
                # deprecated_at, which a CHECK wants on deprecated models (its trigger is off in the load)
                deprecated_at = created if status == "deprecated" else "\\N"
                yield (
                    f"{row.model_id}\t{self.developer_ids[developer]}\t{display.lower().replace(' ', '-')}\t"
                    f"{display}\t{description}\t{api_name}\t{key_hash}\t{prefix}\t{category}\t{tags}\t"
                    f"{status}\t{public}\t{self.endpoint_url}\t{price}\t{created}\t{created}\t{deprecated_at}\n"
                )

        self._copy(
            cur,
            "models",
            "model_id, developer_id, model_name, display_name, description, api_name, api_key, "
            "api_key_prefix, category, tags, status, is_public, endpoint_url, price_per_request, "
            "created_at, updated_at, deprecated_at",
            models(),
            "models",
        )

        self.model_cum = zipf_cumulative(n_models, 1.1)
        # Users by weight of activity: rank 0 is bench-heaviest, the rest in a random order.
        others = [i for i in range(n_users) if i != self.heaviest]
        rng.shuffle(others)
        self.user_by_rank = [self.heaviest, *others]
        self.user_cum = zipf_cumulative(n_users, 1.0)

        self._load_reviews(cur)
        self._load_history(cur)
        self._load_logs(cur)

    def _load_reviews(self, cur) -> None:
        s, rng, clock = self.scale, self.rng, self.clock
        n_models, n_users = len(self.models), len(self.user_ids)
        target = min(s["reviews"], n_models * n_users // 2)
        quality = [rng.uniform(-1.2, 0.8) for _ in range(n_models)]
        self.reviews: list[tuple[str, int, int]] = []  # (review_id, author, created_s)
        pairs: set[tuple[int, int]] = set()
        model_range = range(n_models)

        def reviews():
            while len(self.reviews) < target:
                batch = rng.choices(model_range, cum_weights=self.model_cum, k=1024)
                for m in batch:
                    if len(self.reviews) >= target:
                        break
                    u = rng.randrange(n_users)
                    if (m, u) in pairs:
                        m = rng.randrange(n_models)
                        if (m, u) in pairs:
                            continue
                    pairs.add((m, u))
                    rating = min(5, max(1, round(rng.gauss(4.0 + quality[m], 1.0))))
                    model = self.models[m]
                    created_s = model.created_s + int((clock.now_s - model.created_s) * rng.random())
                    review_id = _uuid(rng)
                    self.reviews.append((review_id, u, created_s))
                    text = rng.choice(REVIEW_TEXTS).format(
                        w=rng.randint(2, 30),
                        q=rng.choice(["low", "fine", "high"]),
                        r=rng.choice(["accurate", "mixed", "consistent", "surprising"]),
                        t=rng.choice(TOPICS),
                    )
                    hidden = "t" if rng.random() < 0.02 else "f"
                    created = clock.text(created_s)
                    yield (
                        f"{review_id}\t{model.model_id}\t{self.user_ids[u]}\t{rating}\t"
                        f"{rng.choice(REVIEW_TITLES[rating])}\t{text}\t{hidden}\t{created}\t{created}\n"
                    )

        self._copy(
            cur,
            "model_reviews",
            "review_id, model_id, user_id, rating, review_title, review_text, is_hidden, created_at, updated_at",
            reviews(),
            "reviews",
        )

        n_reviews = len(self.reviews)
        votes_target = min(s["votes"], n_reviews * (n_users - 1) // 2)
        voted: set[tuple[int, int]] = set()

        def votes():
            made = 0
            while made < votes_target:
                r = int(n_reviews * rng.random() ** 3)  # a few reviews collect most votes
                u = rng.randrange(n_users)
                review_id, author, created_s = self.reviews[r]
                if u == author or (r, u) in voted:
                    continue
                voted.add((r, u))
                made += 1
                when = created_s + int((clock.now_s - created_s) * rng.random())
                yield f"{review_id}\t{self.user_ids[u]}\t{clock.text(when)}\n"

        self._copy(cur, "review_votes", "review_id, user_id, created_at", votes(), "review votes")

    def _load_history(self, cur) -> None:
        s, rng, clock = self.scale, self.rng, self.clock
        target = s["history"]
        prompts = [
            f"Summarize the {d} about {t} in {n} bullet points."
            if k % 2
            else f"Rewrite this {d} on {t}: {n} paragraphs."
            for k, (d, t, n) in enumerate(itertools.product(DOCS, TOPICS, range(2, 6)))
        ]
        responses = [
            template.format(d=d, t=t, n=n)
            for template, d, t, n in itertools.product(RESPONSES, DOCS[:5], TOPICS[:5], range(2, 5))
        ]
        ips = [f"203.0.113.{i}" for i in range(1, 255)] + [f"198.51.100.{i}" for i in range(1, 255)]
        model_range, user_range = range(len(self.models)), range(len(self.user_ids))

        def pick_model(when: int) -> ModelRow:
            # A call comes after the model was listed: draw again a few times, then take the oldest hot one.
            for m in rng.choices(model_range, cum_weights=self.model_cum, k=4):
                if self.models[m].created_s <= when:
                    return self.models[m]
            return self.models[0]

        def history():
            session = 0
            first_day = clock.now_s // DAY - LOG_DAYS
            today = (clock.now_s % DAY) / DAY
            for offset, count in enumerate(rows_per_day(target, LOG_DAYS + 1, today)):
                day_start = (first_day + offset) * DAY
                latest = max(day_start, min(day_start + DAY, clock.now_s) - 600)
                users = rng.choices(user_range, cum_weights=self.user_cum, k=count)
                made = 0
                while made < count:
                    length = min(1 + int(rng.expovariate(0.6)), 8, count - made)
                    base = day_start + int((latest - day_start) * rng.random())
                    model = pick_model(base)
                    user_id = self.user_ids[self.user_by_rank[users[made]]]
                    session_id = f"s{self.seed:x}-{session:08x}"
                    session += 1
                    for step in range(length):
                        when = clock.text(base + step * 37 + rng.randint(0, 30))
                        r = rng.random()
                        status = "completed" if r < 0.94 else "failed" if r < 0.98 else "timeout"
                        if status == "completed":
                            response, cost = rng.choice(responses), model.price
                            latency = int(rng.lognormvariate(5.2, 0.6) * model.speed)
                        elif status == "failed":
                            response, cost, latency = "", "0.0000", rng.randint(5, 900)
                        else:
                            response, cost, latency = "", "0.0000", 30_000
                        rating = rng.randint(1, 5) if rng.random() < 0.15 else "\\N"
                        yield (
                            f"{user_id}\t{model.model_id}\t{session_id}\t{rng.choice(prompts)}\t{response}\t"
                            f"{status}\t{when}\t{latency}\t{cost}\t{rating}\t{rng.choice(ips)}\t{when}\n"
                        )
                    made += length

        self._copy(
            cur,
            "user_history",
            "user_id, model_id, session_id, prompt, response, status, request_timestamp, response_time_ms, "
            "cost_incurred, user_rating, ip_address, created_at",
            history(),
            "history",
        )

    def _load_logs(self, cur) -> None:
        s, rng, clock = self.scale, self.rng, self.clock
        target = s["logs"]
        # Per model: the developer when called with the model's own key, the model id, its key prefix, its
        # speed, and the window its calls fall in. Calls with a personal key log the user and no developer.
        model_part = [f"{self.developer_ids[m.developer_index]}\t{m.model_id}\t" for m in self.models]
        model_only = [f"\\N\t{m.model_id}\t" for m in self.models]
        model_prefix = [m.api_key_prefix for m in self.models]
        model_start = [max(m.created_s, clock.now_s - LOG_DAYS * DAY) for m in self.models]
        model_speed = [m.speed for m in self.models]
        user_part = [f"{self.user_ids[i]}\t" for i in self.user_by_rank]
        user_prefix = ["amp_pk_" + _base62(i * 7919, 5) for i in range(len(self.user_by_rank))]
        latencies = [max(1, int(rng.lognormvariate(5.0, 0.7))) for _ in range(4096)]
        codes = CODE_TABLE
        n_codes = len(codes)
        now_s, text = clock.now_s, clock.text
        model_range, user_range = range(len(self.models)), range(len(self.user_by_rank))
        random_ = rng.random

        def logs():
            # Day by day, so the table is in time order like one the site appends to.
            first_day = now_s // DAY - LOG_DAYS
            for offset, count in enumerate(rows_per_day(target, LOG_DAYS + 1, (now_s % DAY) / DAY)):
                day_start = (first_day + offset) * DAY
                span = min(DAY, now_s - day_start)
                ms = rng.choices(model_range, cum_weights=self.model_cum, k=count)
                spares = rng.choices(model_range, cum_weights=self.model_cum, k=count)
                us = rng.choices(user_range, cum_weights=self.user_cum, k=count)
                lines = []
                for m, spare, u in zip(ms, spares, us, strict=True):
                    created = day_start + int(span * random_())
                    if model_start[m] > created:  # not listed yet: another model, or the oldest hot one
                        m = spare if model_start[spare] <= created else 0
                    code = codes[int(random_() * n_codes)]
                    if code in REFUSED:
                        elapsed = 1 + int(random_() * 6)
                    elif code == 504:
                        elapsed = 30_000 + int(random_() * 50)
                    else:
                        elapsed = int(latencies[int(random_() * 4096)] * model_speed[m])
                    if code == 401:
                        caller, key = "\\N\t" + model_only[m], ""
                    elif random_() < 0.6:
                        caller, key = user_part[u] + model_only[m], user_prefix[u]
                    else:
                        caller, key = "\\N\t" + model_part[m], model_prefix[m]
                    lines.append(
                        f"{caller}{key}\tPOST\t{code}\t{60 + int(random_() * 2000)}\t"
                        f"{120 + int(random_() * 8000)}\t{elapsed}\t{text(created)}\n"
                    )
                yield "".join(lines)

        self._copy(
            cur,
            "api_usage_logs",
            "user_id, developer_id, model_id, api_key_used, request_method, response_code, request_size, "
            "response_size, processing_time_ms, created_at",
            logs(),
            "usage logs",
        )

    # --- counters, exactly as the triggers define them --------------------------------------------------
    def _counters(self, cur) -> None:
        steps = [
            (
                "developers.total_models_created",
                """
                UPDATE developers d SET total_models_created = c.n
                  FROM (SELECT developer_id, count(*) AS n FROM models GROUP BY 1) c
                 WHERE d.developer_id = c.developer_id
                """,
            ),
            (
                "models.is_served (active model, developer and account)",
                """
                UPDATE models m SET is_served = true
                  FROM developers d JOIN users u ON u.user_id = d.user_id
                 WHERE d.developer_id = m.developer_id
                   AND m.status = 'active' AND d.status = 'active' AND u.status = 'active'
                """,
            ),
            (
                "models.rating_count / rating_sum / average_rating (visible reviews)",
                """
                UPDATE models m
                   SET rating_count = r.c, rating_sum = r.s, average_rating = round(r.s::numeric / r.c, 2)
                  FROM (SELECT model_id, count(*) AS c, sum(rating) AS s
                          FROM model_reviews WHERE NOT is_hidden GROUP BY 1) r
                 WHERE m.model_id = r.model_id
                """,
            ),
            (
                "model_reviews.helpful_votes",
                """
                UPDATE model_reviews r SET helpful_votes = v.n
                  FROM (SELECT review_id, count(*) AS n FROM review_votes GROUP BY 1) v
                 WHERE r.review_id = v.review_id
                """,
            ),
            (
                "model_users pairs",
                """
                INSERT INTO model_users (id, model_id, user_id, interactions, answered)
                SELECT gen_random_uuid(), model_id, user_id, count(*),
                       count(*) FILTER (WHERE status = 'completed')
                  FROM user_history GROUP BY 2, 3
                """,
            ),
            (
                "user_history_counts (per user and status)",
                """
                INSERT INTO user_history_counts (id, user_id, status, interactions, cost_total,
                                                 response_time_ms_total, response_time_count)
                SELECT gen_random_uuid(), user_id, status, count(*), sum(cost_incurred),
                       COALESCE(sum(response_time_ms), 0), count(response_time_ms)
                  FROM user_history GROUP BY 2, 3
                """,
            ),
            (
                "models.total_users",
                """
                UPDATE models m SET total_users = c.n
                  FROM (SELECT model_id, count(*) AS n FROM model_users GROUP BY 1) c
                 WHERE m.model_id = c.model_id
                """,
            ),
            ("histogram aggregate", *HISTOGRAM_AGGREGATE),
            (
                "usage logs per model and UTC day",
                """
                CREATE TEMP TABLE seed_log_days ON COMMIT DROP AS
                SELECT model_id, day,
                       sum(calls)::integer AS calls,
                       sum(successes)::integer AS successes,
                       sum(refused)::integer AS refused,
                       sum(server_errors)::integer AS server_errors,
                       sum(processing_ms)::bigint AS processing_ms_total,
                       pg_temp.seed_histogram(bucket, calls) FILTER (WHERE bucket IS NOT NULL) AS latency_buckets
                  FROM (SELECT model_id, (created_at AT TIME ZONE 'UTC')::date AS day,
                               CASE WHEN activity_forwarded(response_code)
                                    THEN activity_latency_bucket(processing_time_ms) END AS bucket,
                               count(*) FILTER (WHERE activity_forwarded(response_code)) AS calls,
                               count(*) FILTER (WHERE response_code BETWEEN 200 AND 299) AS successes,
                               count(*) FILTER (WHERE NOT activity_forwarded(response_code)) AS refused,
                               count(*) FILTER (WHERE response_code IN (502, 504)) AS server_errors,
                               COALESCE(sum(processing_time_ms) FILTER (WHERE activity_forwarded(response_code)),
                                        0) AS processing_ms
                          FROM api_usage_logs
                         GROUP BY 1, 2, 3) per_bucket
                 GROUP BY 1, 2
                """,
            ),
            (
                "model_daily_stats",
                """
                INSERT INTO model_daily_stats (id, model_id, day, calls, successes, refused,
                                               server_errors, processing_ms_total, latency_buckets,
                                               interactions, revenue)
                SELECT gen_random_uuid(), model_id, day, COALESCE(l.calls, 0), COALESCE(l.successes, 0),
                       COALESCE(l.refused, 0), COALESCE(l.server_errors, 0),
                       COALESCE(l.processing_ms_total, 0),
                       COALESCE(l.latency_buckets, array_fill(0, ARRAY[64])),
                       COALESCE(h.interactions, 0), COALESCE(h.revenue, 0)
                  FROM seed_log_days l
                  FULL JOIN (SELECT model_id, (request_timestamp AT TIME ZONE 'UTC')::date AS day,
                                    count(*)::integer AS interactions, sum(cost_incurred) AS revenue
                               FROM user_history GROUP BY 1, 2) h USING (model_id, day)
                 ORDER BY day, model_id
                """,
            ),
            (
                "models.total_requests (2xx calls)",
                """
                UPDATE models m SET total_requests = c.n
                  FROM (SELECT model_id, sum(successes) AS n FROM seed_log_days GROUP BY 1) c
                 WHERE m.model_id = c.model_id
                """,
            ),
            (
                "developer_monthly_usage (forwarded calls) and quotas above it",
                """
                INSERT INTO developer_monthly_usage (id, developer_id, month, calls)
                SELECT gen_random_uuid(), m.developer_id, date_trunc('month', l.day)::date, sum(l.calls)
                  FROM seed_log_days l JOIN models m USING (model_id)
                 GROUP BY 2, 3
                """,
                """
                UPDATE developers d SET api_quota = GREATEST(d.api_quota, u.calls * 2)
                  FROM (SELECT developer_id, max(calls) AS calls FROM developer_monthly_usage GROUP BY 1) u
                 WHERE d.developer_id = u.developer_id AND d.api_quota < u.calls * 2
                """,
            ),
        ]
        for name, *statements in steps:
            with self.phase(name):
                for statement in statements:
                    cur.execute(statement)


# --- verification ---------------------------------------------------------------------------------------
CHECKS = {
    "developers.total_models_created": """
        SELECT d.username, d.total_models_created, COALESCE(c.n, 0)
          FROM developers d LEFT JOIN (SELECT developer_id, count(*) AS n FROM models GROUP BY 1) c
               USING (developer_id)
         WHERE d.total_models_created <> COALESCE(c.n, 0)
    """,
    "models.is_served": """
        SELECT m.api_name, m.is_served, COALESCE(f.served, false)
          FROM models m
          LEFT JOIN (SELECT m2.model_id, true AS served
                       FROM models m2 JOIN developers d USING (developer_id) JOIN users u USING (user_id)
                      WHERE m2.status = 'active' AND d.status = 'active' AND u.status = 'active') f
               USING (model_id)
         WHERE m.is_served IS DISTINCT FROM COALESCE(f.served, false)
    """,
    "models.rating_count / rating_sum / average_rating": """
        SELECT m.api_name, ARRAY[m.rating_count, m.rating_sum, m.average_rating],
               ARRAY[COALESCE(r.c, 0), COALESCE(r.s, 0), COALESCE(round(r.s::numeric / r.c, 2), 0)]
          FROM models m LEFT JOIN (SELECT model_id, count(*) AS c, sum(rating) AS s
                                     FROM model_reviews WHERE NOT is_hidden GROUP BY 1) r USING (model_id)
         WHERE (m.rating_count, m.rating_sum, m.average_rating)
               IS DISTINCT FROM (COALESCE(r.c, 0), COALESCE(r.s, 0), COALESCE(round(r.s::numeric / r.c, 2), 0))
    """,
    "model_reviews.helpful_votes": """
        SELECT r.review_id, r.helpful_votes, COALESCE(v.n, 0)
          FROM model_reviews r LEFT JOIN (SELECT review_id, count(*) AS n FROM review_votes GROUP BY 1) v
               USING (review_id)
         WHERE r.helpful_votes <> COALESCE(v.n, 0)
    """,
    "models.total_requests": """
        SELECT m.api_name, m.total_requests, COALESCE(c.n, 0)
          FROM models m LEFT JOIN (SELECT model_id, count(*) AS n FROM api_usage_logs
                                    WHERE response_code BETWEEN 200 AND 299 GROUP BY 1) c USING (model_id)
         WHERE m.total_requests <> COALESCE(c.n, 0)
    """,
    "model_users": """
        SELECT COALESCE(p.model_id, h.model_id), COALESCE(p.user_id, h.user_id),
               ARRAY[p.interactions, p.answered], ARRAY[h.n, h.answered]
          FROM model_users p
          FULL JOIN (SELECT model_id, user_id, count(*)::integer AS n,
                            (count(*) FILTER (WHERE status = 'completed'))::integer AS answered
                       FROM user_history GROUP BY 1, 2) h
               ON h.model_id = p.model_id AND h.user_id = p.user_id
         WHERE ARRAY[p.interactions, p.answered] IS DISTINCT FROM ARRAY[h.n, h.answered]
    """,
    "user_history_counts": """
        SELECT COALESCE(c.user_id, h.user_id), COALESCE(c.status, h.status),
               ARRAY[c.interactions, c.cost_total, c.response_time_ms_total, c.response_time_count],
               ARRAY[h.n, h.cost, h.ms, h.timed]
          FROM user_history_counts c
          FULL JOIN (SELECT user_id, status, count(*) AS n, sum(cost_incurred) AS cost,
                            COALESCE(sum(response_time_ms), 0) AS ms, count(response_time_ms) AS timed
                       FROM user_history GROUP BY 1, 2) h
               ON h.user_id = c.user_id AND h.status = c.status
         WHERE (COALESCE(c.interactions, 0), COALESCE(c.cost_total, 0), COALESCE(c.response_time_ms_total, 0),
                COALESCE(c.response_time_count, 0))
               IS DISTINCT FROM (COALESCE(h.n, 0), COALESCE(h.cost, 0), COALESCE(h.ms, 0), COALESCE(h.timed, 0))
    """,
    "models.total_users": """
        SELECT m.api_name, m.total_users, COALESCE(c.n, 0)
          FROM models m LEFT JOIN (SELECT model_id, count(DISTINCT user_id) AS n FROM user_history GROUP BY 1) c
               USING (model_id)
         WHERE m.total_users <> COALESCE(c.n, 0)
    """,
    "model_daily_stats counts, times and revenue": """
        SELECT COALESCE(s.model_id, f.model_id), COALESCE(s.day, f.day),
               ARRAY[s.calls, s.successes, s.refused, s.server_errors, s.processing_ms_total,
                     s.interactions, s.revenue],
               ARRAY[f.calls, f.successes, f.refused, f.server_errors, f.processing_ms_total,
                     f.interactions, f.revenue]
          FROM model_daily_stats s
          FULL JOIN (
                SELECT model_id, day, COALESCE(sum(calls), 0) AS calls, COALESCE(sum(successes), 0) AS successes,
                       COALESCE(sum(refused), 0) AS refused,
                       COALESCE(sum(server_errors), 0) AS server_errors,
                       COALESCE(sum(processing_ms_total), 0) AS processing_ms_total,
                       COALESCE(sum(interactions), 0) AS interactions, COALESCE(sum(revenue), 0) AS revenue
                  FROM (SELECT model_id, (created_at AT TIME ZONE 'UTC')::date AS day,
                               activity_forwarded(response_code)::int AS calls,
                               (response_code BETWEEN 200 AND 299)::int AS successes,
                               (NOT activity_forwarded(response_code))::int AS refused,
                               (response_code IN (502, 504))::int AS server_errors,
                               CASE WHEN activity_forwarded(response_code) THEN processing_time_ms ELSE 0 END
                                   AS processing_ms_total,
                               0 AS interactions, 0 AS revenue
                          FROM api_usage_logs
                        UNION ALL
                        SELECT model_id, (request_timestamp AT TIME ZONE 'UTC')::date, 0, 0, 0, 0, 0, 1,
                               cost_incurred
                          FROM user_history) raw
                 GROUP BY 1, 2) f
               ON f.model_id = s.model_id AND f.day = s.day
         WHERE (s.calls, s.successes, s.refused, s.server_errors, s.processing_ms_total,
                s.interactions, s.revenue)
               IS DISTINCT FROM (f.calls, f.successes, f.refused, f.server_errors,
                                 f.processing_ms_total, f.interactions, f.revenue)
    """,
    "model_daily_stats latency histograms": """
        SELECT COALESCE(s.model_id, f.model_id), COALESCE(s.day, f.day), COALESCE(s.bucket, f.bucket), s.n, f.n
          FROM (SELECT st.model_id, st.day, b.ordinality - 1 AS bucket, b.n
                  FROM model_daily_stats st, unnest(st.latency_buckets) WITH ORDINALITY AS b(n, ordinality)
                 WHERE b.n <> 0) s
          FULL JOIN (SELECT model_id, (created_at AT TIME ZONE 'UTC')::date AS day,
                            activity_latency_bucket(processing_time_ms) AS bucket, count(*) AS n
                       FROM api_usage_logs WHERE activity_forwarded(response_code) GROUP BY 1, 2, 3) f
               ON f.model_id = s.model_id AND f.day = s.day AND f.bucket = s.bucket
         WHERE s.n IS DISTINCT FROM f.n
        UNION ALL
        SELECT model_id, day, NULL, cardinality(latency_buckets), 64
          FROM model_daily_stats WHERE cardinality(latency_buckets) <> 64
    """,
}


FOREIGN_KEYS_SQL = """
SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, af.attname
  FROM pg_constraint c
  JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
  JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1]
 WHERE c.contype = 'f' AND cardinality(c.conkey) = 1 AND c.conrelid::regclass::text = ANY(%s)
 ORDER BY 1, 2
"""


def orphan_checks(conn: psycopg.Connection) -> dict[str, str]:
    """One query per seeded table counting rows whose foreign keys point nowhere (the load skips the checks)."""
    by_table: dict[str, list[tuple[str, str, str]]] = {}
    for table, column, parent, parent_column in conn.execute(FOREIGN_KEYS_SQL, [list(SEEDED_TABLES)]):
        by_table.setdefault(table, []).append((column, parent, parent_column))
    checks = {}
    for table, keys in by_table.items():
        joins = " ".join(
            f'LEFT JOIN {parent} p{i} ON p{i}."{parent_column}" = x."{column}"'
            for i, (column, parent, parent_column) in enumerate(keys)
        )
        dangling = " OR ".join(
            f'(x."{column}" IS NOT NULL AND p{i}."{parent_column}" IS NULL)'
            for i, (column, parent, parent_column) in enumerate(keys)
        )
        names = ", ".join(column for column, _, _ in keys)
        checks[f"{table} foreign keys ({names})"] = f"SELECT x.* FROM {table} x {joins} WHERE {dangling}"
    return checks


def verify(conn: psycopg.Connection) -> list[str]:
    """Compare every trigger-kept counter and rollup with a fresh aggregate of the raw rows, and check
    that every foreign key points at a row.

    Returns one line per disagreeing counter or dangling key (with up to three examples); empty when all
    agree.
    """
    problems = []
    for name, sql in CHECKS.items():
        rows = conn.execute(f"SELECT * FROM ({sql}) AS mismatches LIMIT 4").fetchall()
        if rows:
            examples = "; ".join(f"{tuple(row)} (stored, fresh)" for row in rows[:3])
            problems.append(f"{name}: differs, e.g. {examples}")
    for name, sql in orphan_checks(conn).items():
        rows = conn.execute(f"SELECT * FROM ({sql}) AS orphans LIMIT 3").fetchall()
        if rows:
            problems.append(f"{name}: {len(rows)}+ rows point nowhere, e.g. {tuple(rows[0])[:4]}")
    return problems


def parse_overrides(values: list[str]) -> dict[str, int]:
    overrides = {}
    for value in values:
        name, _, count = value.partition("=")
        if name not in FULL_SCALE or not count.isdigit():
            raise SystemExit(f"--count takes NAME=NUMBER with NAME in {', '.join(FULL_SCALE)}")
        overrides[name] = int(count)
    return overrides


def seed(
    conninfo: str,
    *,
    scale: float = 1.0,
    overrides: dict[str, int] | None = None,
    seed: int = 42,
    force: bool = False,
    endpoint_url: str = "http://127.0.0.1:8001/",
    log: Callable[[str], None] = print_now,
) -> dict[str, float]:
    """Seed the database at `conninfo` (a libpq URL) and verify it; returns seconds per phase."""
    plan = Scale.of(scale, overrides)
    log("seeding " + ", ".join(f"{count:,} {name}" for name, count in plan.counts.items()))
    return Seeder(conninfo, plan, seed=seed, endpoint_url=endpoint_url, log=log).run(force=force)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""), help="postgres://…")
    parser.add_argument("--scale", type=float, default=1.0, help="1 = the full benchmark size")
    parser.add_argument(
        "--count", action="append", default=[], metavar="NAME=N", help="override one table's row count"
    )
    parser.add_argument("--seed", type=int, default=42, help="random seed (same seed, same data)")
    parser.add_argument("--endpoint-url", default="http://127.0.0.1:8001/", help="upstream of every model")
    parser.add_argument("--force", action="store_true", help="replace the data of a database already seeded")
    parser.add_argument("--verify-only", action="store_true", help="only compare the counters with the data")
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("pass --database-url or set DATABASE_URL")
    if args.verify_only:
        with psycopg.connect(args.database_url, autocommit=True) as conn:
            problems = verify(conn)
        print("\n".join(problems) or "every counter agrees with the data")
        return 1 if problems else 0
    seed(
        args.database_url,
        scale=args.scale,
        overrides=parse_overrides(args.count),
        seed=args.seed,
        force=args.force,
        endpoint_url=args.endpoint_url,
    )
    print("every counter agrees with the data")
    return 0


if __name__ == "__main__":
    sys.exit(main())
