"""Settings for the AI Model Platform.

Every deploy-time value comes from the environment through one environ.Env object. Defaults are safe
for development; with DEBUG off a missing SECRET_KEY stops start-up.
"""

import tempfile
from copy import deepcopy
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable (50+ random characters) "
            "or run with DEBUG=1 for development."
        )
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django_filters",
    "axes",
    "csp",
    "accounts",
    "catalog",
    "activity",
    "reviews",
    "favourites",
    "dashboard",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.BusyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a lockout raised by authentication into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.theme.theme_context",
                "core.context_processors.support",
            ],
            # The site's formats of ratings, prices and money ({% load figures %}), core being no app.
            "libraries": {"figures": "core.templatetags.figures"},
        },
    },
    # The fragments a page repeats dozens of times (history and dashboard rows, stars, form widgets) are
    # drawn by Jinja2, several times faster than the engine above (bench/fragments.py); pages use the
    # engine above. Templates in templates/jinja2/, escaped as Django escapes (core.templating).
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "core.templating.environment"},
    },
]
# Form widgets that have a template in templates/jinja2/django/forms/widgets/ are drawn by Jinja2, every
# other form template (labels, error lists, the admin's widgets) by Django's engine as before.
FORM_RENDERER = "core.forms.FormRenderer"

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

# --- Database -----------------------------------------------------------------------------------------
if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db_url("DATABASE_URL")}
else:
    from config.embedded_db import embedded_database

    DATABASES = {"default": embedded_database(BASE_DIR)}
DATABASES["default"]["ENGINE"] = "django.db.backends.postgresql"
DATABASES["default"].setdefault("OPTIONS", {})
# Connections come from a pool in each process (psycopg_pool): under the ASGI server every request has a
# thread of its own, so a connection kept per thread (CONN_MAX_AGE) would be opened for each request. A call
# to a model gives its connection back while the upstream answers (core.db.release_connection).
DB_POOL_SIZE = env.int("DB_POOL_SIZE", default=10)
if DB_POOL_SIZE:
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"]["pool"] = {
        "min_size": min(2, DB_POOL_SIZE),
        "max_size": DB_POOL_SIZE,
        # A request waits this long for a free connection before it fails (a 500, or /healthz's 503).
        "timeout": env.float("DB_POOL_TIMEOUT", default=10.0),
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# A connection is checked before use, so that one the server dropped (a restart, a failover) is replaced
# instead of failing a request: by the pool as it hands it out, or without one, before a request's first query.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Fail fast when the database is away, so /healthz answers 503 within its 2 s budget.
DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", env.int("DB_CONNECT_TIMEOUT", default=2))

# Read replicas (core.replicas): each URL of DATABASE_REPLICA_URLS is an alias replica_1, replica_2, … set up
# as default is (its own pool in each process). Safe requests of pages and API listings read one of them;
# writes, the rest of a request that wrote, a client's requests for REPLICA_PIN_SECONDS after it wrote,
# and the gateway's checks read the primary. Tests see the primary through every alias (MIRROR).
for number, url in enumerate(env.list("DATABASE_REPLICA_URLS", default=[]), start=1):
    replica, given = deepcopy(DATABASES["default"]), env.db_url_config(url)
    replica.update({key: given[key] for key in ("NAME", "USER", "PASSWORD", "HOST", "PORT") if key in given})
    replica["OPTIONS"].update(given.get("OPTIONS", {}))
    replica["TEST"] = {"MIRROR": "default"}
    if DB_POOL_SIZE:  # a replica that gives no connection this fast is skipped for a while (core.replicas)
        replica["OPTIONS"]["pool"]["timeout"] = env.float("REPLICA_POOL_TIMEOUT", default=2.0)
    DATABASES[f"replica_{number}"] = replica
if len(DATABASES) > 1:
    DATABASE_ROUTERS = ["core.replicas.ReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") + 1, "core.replicas.ReplicaMiddleware"
    )
REPLICA_PIN_SECONDS = env.int("REPLICA_PIN_SECONDS", default=5)
REPLICA_PIN_COOKIE = "primary_reads"
# Safe requests under these paths read the primary (the gateway's calls and key checks, staff pages, the
# health probe), but for the API's listings under REPLICA_READ_PATHS.
REPLICA_PRIMARY_PATHS = ["/api/", "/admin/", "/healthz"]
REPLICA_READ_PATHS = ["/api/v1/models", "/api/v1/openapi.json", "/api/v1/docs"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.UsernameOrEmailBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Messages live in the session, not a cookie: the admin shows a new model's key once as a message.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# --- Sign-in throttling (django-axes) -------------------------------------------------------------------
# Five wrong passwords for one account from one address lock that pair for 15 minutes; other accounts
# and other addresses are not affected.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# Proxies in front of the site that append to X-Forwarded-For (the TLS proxy of a real deploy: 1). Client
# addresses in history rows and sign-in throttling come from the entry the outermost of them added.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0 if DEBUG else 1)

# One lock per account whatever spelling is typed (ALICE, alice, alice@example.com).
AXES_USERNAME_CALLABLE = "accounts.throttling.axes_username"
# The lockout keys on the same client address as the rest of the site: the X-Forwarded-For entry the
# outermost of the TRUSTED_PROXY_COUNT proxies added, never one the client wrote itself (an IPv6 client
# by its /64).
AXES_CLIENT_IP_CALLABLE = "core.addresses.client_network"

# --- Mail throttles ----------------------------------------------------------------------------------
# Counted in the default cache (Redis when CACHE_URL names it, so shared by every host), per window; 0 turns
# one off. accounts.throttling.
THROTTLE_WINDOW_MINUTES = env.int("THROTTLE_WINDOW_MINUTES", default=60)
THROTTLE_SIGNUPS_PER_CLIENT = env.int("THROTTLE_SIGNUPS_PER_CLIENT", default=5)
THROTTLE_RESETS_PER_CLIENT = env.int("THROTTLE_RESETS_PER_CLIENT", default=10)
THROTTLE_RESETS_PER_EMAIL = env.int("THROTTLE_RESETS_PER_EMAIL", default=3)
THROTTLE_RESENDS_PER_CLIENT = env.int("THROTTLE_RESENDS_PER_CLIENT", default=10)
THROTTLE_EMAIL_CHANGES_PER_USER = env.int("THROTTLE_EMAIL_CHANGES_PER_USER", default=5)  # docsacct

# --- Cache, mail ----------------------------------------------------------------------------------------
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}
# A Redis that stops answering costs speed, never an answer: core.cache bypasses it for
# CACHE_RETRY_SECONDS after a failure and reconnects after that (README, "Scaling past one machine").
SHARED_CACHE = CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
if SHARED_CACHE:
    CACHES["default"]["BACKEND"] = "core.cache.ResilientRedisCache"
    CACHES["default"].setdefault("OPTIONS", {}).update(
        retry_seconds=env.float("CACHE_RETRY_SECONDS", default=5),
        socket_timeout=env.float("CACHE_SOCKET_TIMEOUT", default=0.5),
    )
# The kept model cards (catalog.cards) have a cache of their own: their keys come from the catalog's rows,
# not from what visitors put in URLs, so it may hold every card without letting anyone fill a worker's
# memory. With a shared cache (Redis) in CACHE_URL, the cards live there too, under their own prefix.
CACHES["cards"] = {**CACHES["default"], "KEY_PREFIX": "cards"}
if CACHES["default"]["BACKEND"].endswith("LocMemCache"):
    CACHES["cards"].update(LOCATION="cards", OPTIONS={"MAX_ENTRIES": 20_000})
# Part of every kept card's key: a deploy that changes how cards look (the card template, the catalog's
# template tags, the model's properties) bumps it, so that no worker serves a card drawn by older code
# from a shared cache. The per-process cache starts empty with each deploy anyway.
CARD_CACHE_VERSION = env.str("CARD_CACHE_VERSION", default="2")
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="AI Model Platform <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# --- Support (docsacct) ---
# Named wherever a page tells its reader to contact support (core.context_processors.support). By default
# support@ the host of SITE_URL when that is a domain name; support@example.com for an address or localhost.
_site_host = urlsplit(SITE_URL).hostname or ""
_site_is_domain = "." in _site_host and not _site_host.replace(".", "").isdigit()
SUPPORT_EMAIL = env.str(
    "SUPPORT_EMAIL", default=f"support@{_site_host}" if _site_is_domain else "support@example.com"
)

# --- Task queue (Celery) --------------------------------------------------------------------------------
# Mail and maintenance run as Celery tasks (config/celery.py). With no broker (the embedded default) a task
# runs in the process that sends it, after the transaction that asked for it commits, so `make run` stays
# one command. With CELERY_BROKER_URL (redis://…) the Procfile's worker: runs them and beat: schedules the
# maintenance. A task is acknowledged only once it has run, so one whose worker dies is run again; every
# task is safe to repeat (accounts/tasks.py says how mail is sent once).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task taken by a worker that then disappears (killed, its host lost) goes back to the queue after this
# many seconds; it must be longer than any task runs, retry delays included.
# A broker that does not answer within 2 s counts as away: the site then sends mail itself (accounts.mail).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    "socket_connect_timeout": 2,
}
# beat keeps when each job last ran in this file: outside the code, which may be read-only.
CELERY_BEAT_SCHEDULE_FILENAME = env.str(
    "CELERY_BEAT_SCHEDULE_FILENAME", default=str(Path(tempfile.gettempdir()) / "amp-celerybeat-schedule")
)
CELERY_BEAT_SCHEDULE = {
    # Not kept past its next turn: beat does not pile these up while no worker runs.
    "release-stale-holds": {
        "task": "accounts.tasks.release_stale_holds",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
    "maintain-usage-log-partitions": {
        "task": "activity.tasks.maintain_usage_log_partitions",
        "schedule": crontab(hour=2, minute=15),
    },
    "expire-call-media": {"task": "activity.tasks.expire_call_media", "schedule": crontab(minute=40)},
    "clear-expired-sessions": {
        "task": "accounts.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=0),
    },
    "prune-sent-mails": {"task": "accounts.tasks.prune_sent_mails", "schedule": crontab(hour=3, minute=30)},
    "prune-sign-in-logs": {
        "task": "accounts.tasks.prune_sign_in_logs",
        "schedule": crontab(hour=3, minute=45),
    },
}

# --- I18N -----------------------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / ".data" / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Images and audio that calls send and answer (activity.media), kept through STORAGES["call_media"]: files
# under CALL_MEDIA_ROOT by default, outside MEDIA_ROOT so that only the owner-only history:media view serves
# them; CALL_MEDIA_STORAGE_BACKEND (a storage class) with CALL_MEDIA_STORAGE_OPTIONS (JSON, its keyword
# arguments) puts them elsewhere, e.g. django-storages' S3Storage past one machine. Kept this many days
# after the call, then removed by `manage.py expire_call_media` (0 keeps them until their entry is deleted).
CALL_MEDIA_RETENTION_DAYS = env.int("CALL_MEDIA_RETENTION_DAYS", default=30)
CALL_MEDIA_ROOT = Path(env.str("CALL_MEDIA_ROOT", default=str(BASE_DIR / ".data" / "call-media")))
STORAGES["call_media"] = {
    "BACKEND": env.str("CALL_MEDIA_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"),
    "OPTIONS": env.json("CALL_MEDIA_STORAGE_OPTIONS", default={}),
}
if STORAGES["call_media"]["BACKEND"] == "django.core.files.storage.FileSystemStorage":
    STORAGES["call_media"]["OPTIONS"].setdefault("location", str(CALL_MEDIA_ROOT))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Security -------------------------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Sessions live in the database; with a shared cache (Redis) each is also kept there, read from the cache
# and written to both (cached_db writes the database first, so a Redis outage loses no session). A cache of
# each process's own memory would go stale between processes, so without Redis the database alone serves.
SESSION_ENGINE = "django.contrib.sessions.backends." + ("cached_db" if SHARED_CACHE else "db")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # blob: for the playground's preview of a chosen image or recording (static/js/playground.js).
        "img-src": [SELF, "data:", "blob:"],
        "media-src": [SELF, "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Gateway --------------------------------------------------------------------------------------------
UPSTREAM_CONNECT_TIMEOUT = env.float("UPSTREAM_CONNECT_TIMEOUT", default=2.0)
UPSTREAM_READ_TIMEOUT = env.float("UPSTREAM_READ_TIMEOUT", default=30.0)
# Answers carry images and audio in base64: room for a file of GATEWAY_MAX_FILE_BYTES and its text.
UPSTREAM_MAX_RESPONSE_BYTES = env.int("UPSTREAM_MAX_RESPONSE_BYTES", default=16_000_000)
# Calls to upstreams at loopback, private, link-local or other non-public addresses: refused unless this is
# on, so that a model's endpoint URL cannot reach the platform's own network. On with DEBUG, where the
# demo upstream listens on 127.0.0.1.
UPSTREAM_PRIVATE_NETWORKS = env.bool("UPSTREAM_PRIVATE_NETWORKS", default=DEBUG)
GATEWAY_MAX_PROMPT_CHARS = env.int("GATEWAY_MAX_PROMPT_CHARS", default=32_000)
# Files a call carries (activity.gateway.media): each at most this many bytes once decoded; an image at most
# this many pixels, a WAV at most this long. A call's JSON body may hold its files in base64, so the API's
# call endpoints take bodies up to GATEWAY_MAX_BODY_BYTES (other requests keep DATA_UPLOAD_MAX_MEMORY_SIZE).
GATEWAY_MAX_FILE_BYTES = env.int("GATEWAY_MAX_FILE_BYTES", default=10 * 1024 * 1024)
GATEWAY_MAX_BODY_BYTES = env.int(
    "GATEWAY_MAX_BODY_BYTES", default=GATEWAY_MAX_FILE_BYTES * 4 // 3 + 1024 * 1024
)
GATEWAY_MAX_IMAGE_PIXELS = env.int("GATEWAY_MAX_IMAGE_PIXELS", default=4096 * 4096)
GATEWAY_MAX_AUDIO_SECONDS = env.int("GATEWAY_MAX_AUDIO_SECONDS", default=600)
# Arrays and objects in a call's body nest at most this deep (the body itself is level 1); deeper bodies
# are a 400 before anything counts. At most 256: the body is parsed and re-encoded by recursive code.
GATEWAY_MAX_JSON_DEPTH = env.int("GATEWAY_MAX_JSON_DEPTH", default=64)
DEMO_UPSTREAM_URL = env.str("DEMO_UPSTREAM_URL", default="http://127.0.0.1:8001")
DEFAULT_DEVELOPER_QUOTA = env.int("DEFAULT_DEVELOPER_QUOTA", default=10_000)
# Off by default: every quota reservation and usage row is durable when the call is answered. On, those
# statements commit without waiting for the disk (synchronous_commit = off for them only), trading the
# last fraction of a second of counts on a database crash for lower gateway latency.
GATEWAY_ASYNC_COMMIT = env.bool("GATEWAY_ASYNC_COMMIT", default=False)

# --- Credits ---------------------------------------------------------------------------------------------
# What a user is granted when their email address is verified (credits are dollars; "0" for none).
WELCOME_CREDITS = env.str("WELCOME_CREDITS", default="5.00")
# A call's credit hold is released when it is recorded; one never recorded (a process killed mid-call) is
# released by `manage.py release_stale_holds` once it is this old. Longer than any call, streams included.
CREDIT_HOLD_MAX_SECONDS = env.int("CREDIT_HOLD_MAX_SECONDS", default=3600)
# The gateway's statements are prepared once per connection; set 0 behind PgBouncer in transaction mode
# older than 1.21, which cannot track prepared statements.
GATEWAY_PREPARED_STATEMENTS = env.bool("GATEWAY_PREPARED_STATEMENTS", default=True)

# --- Usage-log partitions (activity/partitions.py, `manage.py usage_log_partitions`, daily from beat) ------
# Months of api_usage_logs partitions created ahead of the current one; months kept before the current
# one (0: keep every month); what becomes of an older month: "archive" (a gzip CSV file under
# USAGE_LOG_ARCHIVE_DIR, then the partition dropped) or "drop".
USAGE_LOG_PARTITIONS_AHEAD = env.int("USAGE_LOG_PARTITIONS_AHEAD", default=3)
USAGE_LOG_RETENTION_MONTHS = env.int("USAGE_LOG_RETENTION_MONTHS", default=0)
USAGE_LOG_ARCHIVE = env.str("USAGE_LOG_ARCHIVE", default="archive")
if USAGE_LOG_ARCHIVE not in ("archive", "drop"):
    raise ImproperlyConfigured(f"USAGE_LOG_ARCHIVE must be archive or drop, not {USAGE_LOG_ARCHIVE!r}.")
USAGE_LOG_ARCHIVE_DIR = Path(env.str("USAGE_LOG_ARCHIVE_DIR", default=str(BASE_DIR / ".data" / "usage-logs")))

# Home, catalog and model pages are kept this long for visitors without a session (0 turns it off).
ANONYMOUS_PAGE_CACHE_SECONDS = env.int("ANONYMOUS_PAGE_CACHE_SECONDS", default=30)

# Exposes /__bench__/bare, the ceiling view the benchmark compares every page with. Off unless asked.
BENCH_ENDPOINTS = env.bool("BENCH_ENDPOINTS", default=False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # "Connection pool is full, discarding connection" is the pool working as meant (block=False).
        "urllib3": {"level": "WARNING"},
        "urllib3.connectionpool": {"level": "ERROR"},
    },
}
