"""Settings: every knob comes from the environment through django-environ.

Development defaults exist only when DJANGO_DEBUG is true; in production the
secrets have no default and start-up fails naming the missing variable.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django_guid.integrations import CeleryIntegration

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if env.bool("DJANGO_READ_DOT_ENV_FILE", default=False):
    env.read_env(str(BASE_DIR / ".env"))

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Under DEBUG: what `make demo`'s processes share besides the database (the broker's
# messages, the cache, beat's schedule). Hidden and ignored by git.
WILLO_DEMO_DIR = Path(env.str("WILLO_DEMO_DIR", default=str(BASE_DIR / ".demo")))


def _required(name: str, dev_default: str) -> str:
    """A secret: required in production, a fixed insecure default under DEBUG."""
    value = env.str(name, default="")
    if value:
        return value
    if DEBUG:
        return dev_default
    raise ImproperlyConfigured(f"Set the {name} environment variable (required when DEBUG is off).")


SECRET_KEY = _required("DJANGO_SECRET_KEY", "dev-only-insecure-secret-key-do-not-use-in-production")

# Fernet keys (urlsafe base64, 32 bytes) for Willo API keys at rest, newest first.
# Deliberately separate from SECRET_KEY so either can be rotated alone.
WILLO_ENCRYPTION_KEYS = [
    key.strip()
    for key in _required(
        "WILLO_ENCRYPTION_KEYS", "ZGV2LW9ubHktZmVybmV0LWtleS0zMi1ieXRlcy0hISE="
    ).split(",")
    if key.strip()
]

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS",
    default=["127.0.0.1", "localhost", "[::1]", "testserver"] if DEBUG else [],
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_guid",
    "template_partials",
    "axes",
    "csp",
    "dashboard",
    "willo_integration",
    "willo_integration.sandbox",
]

MIDDLEWARE = [
    "dashboard.request_id.RequestIdCheckMiddleware",
    "django_guid.middleware.guid_middleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A service's NotFound answered as a 404.
    "dashboard.not_found.NotFoundMiddleware",
    # Last, as django-axes asks.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "dashboard.urls"
WSGI_APPLICATION = "dashboard.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=0)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool(
    "DJANGO_DB_PREPARED_STATEMENTS", default=True
):
    # Parameters bound by the server, and a statement run five times on a connection is
    # prepared there: PostgreSQL stops parsing and planning the same page queries again.
    # Off behind a pooler in transaction mode (PgBouncer), which cannot keep them.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=5
    )

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Webhook applies, the page and the sandbox write at once (make demo): WAL lets readers
    # read while one writes, writers wait for the lock instead of failing with "database is
    # locked", and IMMEDIATE takes the write lock when a transaction starts, not half-way.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        transaction_mode="IMMEDIATE",
        timeout=env.float("DJANGO_SQLITE_TIMEOUT_SECONDS", default=20.0),
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    )

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://dashboard")}
if CACHES["default"]["BACKEND"] in (
    "django.core.cache.backends.redis.RedisCache",
    "django_redis.cache.RedisCache",
):
    # django-redis keeps its redis-py clients; Django's own backend builds one per operation
    # (bench/README.md: Cache backends).
    CACHES["default"]["BACKEND"] = "django_redis.cache.RedisCache"
    # A shared cache: sessions are read from it (written through to the database), which
    # saves every page a query. Never with a per-process cache: a logout seen by one process
    # would not be seen by the others.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# In development whitenoise serves straight from the finders; production serves
# the collected, hashed files from STATIC_ROOT.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Celery: where tasks run (README: Run modes). ---
# With a broker (Redis in production), Celery workers and one beat run the tasks. Without
# one, under DEBUG, kombu's filesystem transport in WILLO_DEMO_DIR is the broker, so
# `make demo`'s worker and beat run them as production's do. Tasks run eagerly (in the
# process that enqueues them, the web process running the beat schedule itself) only when
# WILLO_ALLOW_EAGER_TASKS says so; in production nothing else starts without a broker.
WILLO_ALLOW_EAGER_TASKS = env.bool("WILLO_ALLOW_EAGER_TASKS", default=False)
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=env.str("REDIS_URL", default=""))
# A message a killed worker held comes back after this many seconds (Redis broker).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
}
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL and WILLO_ALLOW_EAGER_TASKS
if CELERY_TASK_ALWAYS_EAGER:
    CELERY_BROKER_URL = "memory://"
elif not CELERY_BROKER_URL:
    if not DEBUG:
        raise ImproperlyConfigured(
            "Set CELERY_BROKER_URL (the broker of the Celery workers and beat), or "
            "WILLO_ALLOW_EAGER_TASKS=true to run tasks in the web process (required when "
            "DEBUG is off)."
        )
    CELERY_BROKER_URL = "filesystem://localhost/"
    CELERY_BROKER_TRANSPORT = "dashboard.demo_broker:Transport"  # kombu's, without a race
    _messages = WILLO_DEMO_DIR / "broker" / "messages"
    _messages.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_messages),
        "data_folder_out": str(_messages),
        "control_folder": str(WILLO_DEMO_DIR / "broker" / "control"),
        "polling_interval": 0.1,
    }
    # Broadcasts would pile up files for every worker that ever ran; nothing needs them.
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
if DEBUG and not CELERY_TASK_ALWAYS_EAGER and "CACHE_URL" not in env:
    # The worker and the web process see the same progress, locks and change markers, as
    # processes sharing Redis would.
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(WILLO_DEMO_DIR / "cache"),
        "OPTIONS": {"MAX_ENTRIES": 20_000},
    }
# With no beat, each web process runs CELERY_BEAT_SCHEDULE itself (dashboard/in_process_beat.py).
WILLO_IN_PROCESS_BEAT = CELERY_TASK_ALWAYS_EAGER
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
# Publishing fails fast when the broker is down: webhook events are stored first and the
# sweep enqueues them later, so a web request never waits on an absent broker.
CELERY_BROKER_CONNECTION_TIMEOUT = 2.0
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# One beat process only. The sweep picks up webhook deliveries stored while the broker
# was down or whose worker died.
CELERY_BEAT_SCHEDULE = {
    # Decisions whose undo window has passed and that no task will send (broker down,
    # worker killed, eager tasks): the sweep sends them, so none stays pending for good.
    "willo-decision-sweep": {
        "task": "willo_integration.tasks.decision_sweep_task",
        "schedule": env.float("WILLO_DECISION_SWEEP_SECONDS", default=5.0),
    },
    "willo-webhook-sweep": {
        "task": "willo_integration.tasks.webhook_sweep_task",
        "schedule": env.float("WILLO_WEBHOOK_SWEEP_SECONDS", default=60.0),
    },
    "willo-sync-sweep": {
        "task": "willo_integration.tasks.sync_sweep_task",
        "schedule": env.float("WILLO_SYNC_SWEEP_SECONDS", default=60.0),
    },
    "willo-reconcile": {
        "task": "willo_integration.tasks.reconcile_all_task",
        "schedule": env.float("WILLO_RECONCILE_SECONDS", default=3600.0),
    },
    "willo-retention": {
        "task": "willo_integration.tasks.retention_task",
        "schedule": 6 * 3600.0,
    },
}
# Cached answers, transcripts and scores (and stored webhook payloads) older than this
# many days are dropped by beat; 0 keeps them.
WILLO_RETENTION_DAYS = env.int("WILLO_RETENTION_DAYS", default=0)

# --- Email (README: Email). EMAIL_URL picks the transport: smtp://user:password@host:587
# (smtp+tls://, smtps://), or consolemail:// (the default: printed, as `make demo` does).
# SMTP goes through dashboard/email_backend.py, which knows whether a message went out
# before a connection was lost (then the email's outcome is unknown, never sent again).
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"].replace(
    "django.core.mail.backends.smtp.EmailBackend", "dashboard.email_backend.EmailBackend"
)
EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = bool(_email.get("EMAIL_USE_TLS"))
EMAIL_USE_SSL = bool(_email.get("EMAIL_USE_SSL"))
EMAIL_TIMEOUT = env.float("EMAIL_TIMEOUT", default=20.0)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Willo dashboard <dashboard@localhost>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# Links in emails start with this (the address members and hiring managers reach us at).
DASHBOARD_PUBLIC_URL = env.str(
    "DASHBOARD_PUBLIC_URL", default="http://127.0.0.1:8000" if DEBUG else ""
).rstrip("/")
# How often beat drains the outbox (emails whose time has come), in seconds.
EMAIL_OUTBOX_SECONDS = env.float("EMAIL_OUTBOX_SECONDS", default=10.0)
CELERY_BEAT_SCHEDULE["email-outbox-drain"] = {
    "task": "willo_integration.tasks.outbox_drain_task",
    "schedule": EMAIL_OUTBOX_SECONDS,
}
CELERY_BEAT_SCHEDULE["email-member-digests"] = {
    "task": "willo_integration.tasks.member_emails_task",
    "schedule": env.float("EMAIL_MEMBER_SECONDS", default=300.0),
}

# --- Willo ---
# Members' reads of Willo: the same object read again within this many seconds is served
# what the previous read got; and each member may start this many reads a minute.
WILLO_REFRESH_COALESCE_SECONDS = env.int("WILLO_REFRESH_COALESCE_SECONDS", default=30)
WILLO_MEMBER_REFRESHES_PER_MINUTE = env.int("WILLO_MEMBER_REFRESHES_PER_MINUTE", default=20)
# Share links: how many unknown tokens one address may try a minute before it waits.
SHARE_GUESSES_PER_MINUTE = env.int("SHARE_GUESSES_PER_MINUTE", default=20)
WILLO_PRODUCTION_BASE_URL = "https://api.willotalent.com/api/integrations/v2"
WILLO_STAGING_BASE_URL = "https://api.stage.willotalent.com/api/integrations/v2"
# The "sandbox" environment of a team: the built-in simulator of this site.
WILLO_SANDBOX_BASE_URL = env.str(
    "WILLO_SANDBOX_BASE_URL", default="http://127.0.0.1:8000/api/integrations/v2"
)
WILLO_REQUESTS_PER_SECOND = env.float("WILLO_REQUESTS_PER_SECOND", default=5.0)
WILLO_TIMEOUT_SECONDS = env.float("WILLO_TIMEOUT_SECONDS", default=10.0)
# The built-in simulator of the Willo API; never on in production unless asked.
WILLO_SANDBOX_ENABLED = env.bool("WILLO_SANDBOX_ENABLED", default=DEBUG)
# The sandbox's realism knobs (willo_integration/sandbox/knobs.py): added latency, a rate
# limit per key (unset: none) in a window of seconds, and the share of requests failing 5xx.
SANDBOX_KNOBS = {
    "latency_ms": env.float("WILLO_SANDBOX_LATENCY_MS", default=0.0),
    "rate_limit": env.int("WILLO_SANDBOX_RATE_LIMIT", default=None),
    "rate_window_s": env.float("WILLO_SANDBOX_RATE_WINDOW_S", default=1.0),
    "error_rate": env.float("WILLO_SANDBOX_ERROR_RATE", default=0.0),
}
# The sandbox's life while the demo runs: every this many seconds a candidate responds, is
# scored, commented on or decided, through the webhooks (0 turns it off).
WILLO_SANDBOX_SIMULATE_SECONDS = env.float("WILLO_SANDBOX_SIMULATE_SECONDS", default=20.0)
if WILLO_SANDBOX_ENABLED and WILLO_SANDBOX_SIMULATE_SECONDS > 0:
    CELERY_BEAT_SCHEDULE["willo-sandbox-simulate"] = {
        "task": "willo_integration.sandbox.tasks.simulate_task",
        "schedule": WILLO_SANDBOX_SIMULATE_SECONDS,
    }
# Where a team's API key may be sent in production (see README, "Where the API key may
# go"): https, one of these hosts (the staging environment's host is allowed as well),
# public addresses only. Private and loopback addresses need the sandbox or this flag.
WILLO_ALLOWED_API_HOSTS = [
    host.strip().lower()
    for host in env.list("WILLO_ALLOWED_API_HOSTS", default=["api.willotalent.com"])
    if host.strip()
]
WILLO_ALLOW_PRIVATE_API_HOSTS = env.bool("WILLO_ALLOW_PRIVATE_API_HOSTS", default=False)
# How long cached Willo data counts as fresh before a page refreshes it.
WILLO_CACHE_TTL_SECONDS = env.int("WILLO_CACHE_TTL_SECONDS", default=300)
# Participant details a sync fetches at once (the client's rate limit still applies).
WILLO_SYNC_DETAIL_WORKERS = env.int("WILLO_SYNC_DETAIL_WORKERS", default=6)
# A decision waits this long before it is sent to Willo; Undo within it and Willo never
# hears of it.
WILLO_DECISION_UNDO_SECONDS = env.int("WILLO_DECISION_UNDO_SECONDS", default=10)
# Webhook deliveries larger than this are refused (413) unread.
WILLO_WEBHOOK_MAX_BODY_BYTES = env.int("WILLO_WEBHOOK_MAX_BODY_BYTES", default=1_000_000)
# The public base URL Willo reaches this site at, for registering webhooks from the admin.
WILLO_WEBHOOK_PUBLIC_URL = env.str("WILLO_WEBHOOK_PUBLIC_URL", default="")

# --- Login throttling (django-axes): lock a username *at* an address, so one
# user cannot lock out everyone behind a shared proxy. The client address is
# REMOTE_ADDR unless the operator says how many trusted proxies sit in front
# (env AXES_PROXY_COUNT); then X-Forwarded-For is read from the right, so a forged
# left-most entry cannot pick the address.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# django-ipware is not installed, so axes would silently ignore AXES_IPWARE_*
# and use REMOTE_ADDR; the address comes from our own, explicit resolver instead.
TRUSTED_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "dashboard.client_ip.client_ip_address"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# --- Production hardening (all on when DEBUG is off) ---
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https")
    if env.bool("DJANGO_BEHIND_TLS_PROXY", default=False)
    else None
)
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
# Load balancers probe over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# The sandbox serves its media from its own origin, plain http on loopback (``willo_sandbox
# serve --port 8001``): allowed when the sandbox is on, never in production.
_SANDBOX_ORIGIN = (
    ["{0.scheme}://{0.netloc}".format(urlsplit(WILLO_SANDBOX_BASE_URL))]
    if WILLO_SANDBOX_ENABLED
    else []
)

# Content-Security-Policy, the same in every mode so development and the browser
# tests catch what production would block: no inline script or style, no eval
# (htmx is configured for that in base.html). Answer media and images come from
# Willo's storage, whose hosts vary (signed URLs), so only those allow any https source.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "https:", *_SANDBOX_ORIGIN],
        "media-src": [SELF, "https:", *_SANDBOX_ORIGIN],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Every log line carries the request id (``X-Request-ID``, taken from the proxy when it
# sends one, made otherwise, returned on the response and passed on to Celery tasks):
# django-guid. JSON lines in production (python-json-logger), plain text in development.
DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",
    "VALIDATE_GUID": False,
    "RETURN_HEADER": True,
    "EXPOSE_HEADER": False,
    "INTEGRATIONS": [CeleryIntegration(use_django_logging=True, log_parent=False)],
}
LOG_FORMAT = env.str("DJANGO_LOG_FORMAT", default="plain" if DEBUG else "json")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured("DJANGO_LOG_FORMAT is plain or json.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "django_guid.log_filters.CorrelationId"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(correlation_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(correlation_id)s",
            "rename_fields": {
                "asctime": "time",
                "levelname": "level",
                "name": "logger",
                "correlation_id": "request_id",
            },
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # It announces every bucket it creates at INFO; one per Willo client.
        "pyrate_limiter": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # It announces each request id it makes up at INFO.
        "django_guid": {"level": "WARNING"},
    },
}
