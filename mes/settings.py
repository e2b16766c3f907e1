"""Settings for every mode, driven by environment variables (see deploy/env.example).

Embedded mode (nothing set): SQLite in var/, Celery tasks run in-process.
Services mode: DATABASE_URL (PostgreSQL) and REDIS_URL (Celery broker) set.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from mes.audit_keys import audit_keys
from mes.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("MES_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# Off unless asked for: a forgotten variable must not put a plant's server in debug mode. `make`
# (demo, tests) and the test suite's plugin (tests/dev_env.py) set DEBUG=1 for laptops.
DEBUG = env_bool("DEBUG", False)
# The key dev mode falls back to; the deploy check (mes/checks.py) refuses it.
DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (production: deploy/production.env.example; "
            "a laptop demo: DEBUG=1, which `make demo` sets)"
        )
    SECRET_KEY = DEV_SECRET_KEY
# HMAC keys that seal audit entries and signatures: kept outside the database, rotated by id.
MES_AUDIT_KEYS, MES_AUDIT_KEY_ID = audit_keys(
    raw=env_str("MES_AUDIT_KEYS", ""), current=env_str("MES_AUDIT_KEY_ID", ""), debug=DEBUG
)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
CSRF_FAILURE_VIEW = "mes.web.session_loss.csrf_failure"

# --- transport security: on by default whenever DEBUG is off (docs/operations.md) ---------------
# Behind a TLS-terminating proxy (nginx, Traefik) that sets X-Forwarded-Proto.
if env_bool("MES_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# Probes and Prometheus talk plain HTTP inside the plant network.
SECURE_REDIRECT_EXEMPT = [r"^health/", r"^metrics$"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
X_FRAME_OPTIONS = "DENY"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served by us (air-gapped plants)
    "django_htmx",
    "axes",  # sign-in throttling (block "sign-in throttling" below)
    "mes",
    "lines",
    "quality",
    "finishing",  # after quality: its hooks run after quality's
    "conditions",
    "oee",
    "opcua_bridge",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions (a user's chosen language), before common (language-aware redirects).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: signs out a tablet left alone (MES_IDLE_SIGNOUT_S).
    "mes.web.idle.IdleSignOutMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A panel whose session is gone loads sign-in as a page and comes back (mes/web/session_loss.py).
    "mes.web.session_loss.HtmxSignInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Sign-in POSTs at one user name one at a time, so that axes' count holds under parallel ones.
    "mes.web.signin_queue.SerialSignInMiddleware",
    # Last: turns a sign-in axes refused into our lockout page or JSON error (AXES_LOCKOUT_CALLABLE).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "mes.urls"
WSGI_APPLICATION = "mes.wsgi.application"
ASGI_APPLICATION = "mes.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- database -----------------------------------------------------------------------------------
SQLITE_PATH = VAR_DIR / "mes.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{SQLITE_PATH}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers (tablets, API) proceed while a writer (ingest) commits; IMMEDIATE takes the
    # write lock at BEGIN, so two concurrent writers queue instead of failing mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # The test database is a real file (not shared-cache memory) so threads behave as in production.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test_mes.sqlite3")}
else:
    # A kept connection (DB_CONN_MAX_AGE) is checked before it is used again: a restarted
    # PostgreSQL costs one failed check, not a failed task.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # No JIT: every query here is a short look-up. On a telemetry table whose statistics lag its
    # growth, the planner took a 4-row fetch by id for 65,000 rows and spent 57 ms compiling it.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# SQLite builds covering indexes (Index.include) as plain ones, which is what we want there.
# SQLite cannot make the spec scope unique with NULLs not distinct (W047); spec_create checks it.
SILENCED_SYSTEM_CHECKS = ["models.W040", "models.W047"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# The screens speak English and Simplified Chinese; a user's choice, else the browser's language.
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
TIME_ZONE = env_str("TIME_ZONE", "UTC")  # display zone; timestamps are always stored in UTC
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise looks there at start
# With DEBUG off the web process serves hashed, compressed files that `collectstatic` made.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

LOGIN_URL = "signin"
LOGIN_REDIRECT_URL = "home"

# --- sign-in throttling (docs/operations.md "Sign-in lockout") ---------------------------------
# Operators sign in at the tablet with a badge and a PIN as well as with a password. axes checks
# every authenticate() first and counts the failed ones (per user name and address, in the
# database, so both modes): /signin/, /api/auth/login/, /admin/login/. Badges skip axes and have
# their own lockout, counted atomically per badge before the PIN is checked (mes/lockout.py).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "mes.auth.BadgePinBackend",
]
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
# Per user name from one address: a wrong guesser elsewhere cannot lock a user out plant-wide.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The lockout runs from the limit-th failure; attempts while locked do not extend it, so the
# refusal can say when to come back.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_WHITELIST_CALLABLE = "mes.auth.axes_skips_badges"
AXES_LOCKOUT_CALLABLE = "mes.web.lockout.lockout_response"
AXES_SENSITIVE_PARAMETERS = ["password", "pin"]
# The sign-in field axes reads the user name from (its default, stated: mes.web.signin_queue reads it).
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False  # no start-up banner; failures and lockouts are still logged
# Behind the reverse proxy every request comes from the proxy's address: the number of proxies in
# front that append to X-Forwarded-For (0: none, the peer's address counts; mes.auth.client_ip).
MES_PROXY_COUNT = env_int("MES_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "mes.auth.client_ip"
MES_PIN_FAILURE_LIMIT = env_int("MES_PIN_FAILURE_LIMIT", 5)
MES_PIN_COOLOFF_S = env_int("MES_PIN_COOLOFF_S", 300)

# A signed-in screen with no one using it signs out after this many seconds (0 = never). Polling
# of live values does not count as use.
MES_IDLE_SIGNOUT_S = env_int("MES_IDLE_SIGNOUT_S", 900)

# --- REST API -----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes an anonymous request a 401, not a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # DRF's parsers, with JSON refusing absurd nesting (mes/api_parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "mes.api_parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "mes.api_errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Cell-line MES API",
    "DESCRIPTION": "Units, routes, operations and genealogy of a battery cell line.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI from our static files at the version pinned by drf-spectacular-sidecar, not from
    # a CDN at @latest: a plant network often has no internet, and @latest changes under us.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Every operation documents the error answers any request can get (mes/api_schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "mes.api_schema.document_errors",
    ],
    # Several models have a `kind`; name each choice set once so the schema's enums stay stable.
    "ENUM_NAME_OVERRIDES": {
        "UnitKindEnum": "lines.choices.UnitKind",
        "StationKindEnum": "lines.choices.StationKind",
    },
}

# Shared by every process of an install: Redis in services mode, files in var/ in embedded mode.
# Holds the counters behind /metrics (mes/ops/counters.py).
REDIS_URL = env_str("REDIS_URL", "")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    else {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "cache"),
    }
}
# --- who may read what without signing in (docs/operations.md, "Who may read what") ----------
# When set, /metrics asks for `Authorization: Bearer <token>`. Unset, /metrics is closed unless
# MES_METRICS_PUBLIC (default: on with DEBUG only, for the laptop demo).
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
MES_METRICS_PUBLIC = env_bool("MES_METRICS_PUBLIC", DEBUG)
# The OpenAPI schema and Swagger UI (/api/schema/, /api/docs/) need a signed-in user unless set.
MES_API_DOCS_PUBLIC = env_bool("MES_API_DOCS_PUBLIC", False)

# --- Celery -------------------------------------------------------------------------------------
MES_EMBEDDED = not REDIS_URL
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
# Embedded mode: tasks run in the caller's process through the same task code path.
CELERY_TASK_ALWAYS_EAGER = MES_EMBEDDED
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_ACCEPT_CONTENT = ["json", "plain-json"]  # plain-json: the ingest's batches (mes.celery)
# Celery's Django fix-up closes the database connections before and after every task unless this
# is set; mes.celery closes them as Django does after a request instead (DB_CONN_MAX_AGE).
CELERY_DB_REUSE_MAX = 10**9
# A killed worker's batch comes back after this many seconds (Redis' default is an hour); it
# must exceed the task time limit, or a slow batch would run twice (harmless: ingest is idempotent).
# kombu looks for such batches every 10 s but by default scans only every 10th time (up to
# 100 s more); a scan of the unacked index is cheap, so scan every time.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 600),
    "unacked_restore_throttle": 1,
}

# A roll the coater starts that the MES has not seen yet gets this length (m) until corrected.
MES_DEFAULT_ROLL_LENGTH_M = env_int("MES_DEFAULT_ROLL_LENGTH_M", 1200)

# Telemetry retention (docs/telemetry.md, "Retention"; manage.py telemetry_retention). Raw
# telemetry (samples no unit is attributed to) is kept this many days: two years lets a season be
# compared with the same season a year before and spans a yearly audit. Samples of a unit (cell,
# roll) and samples a quality record refers to are kept this many years: the life of a cell in
# a vehicle plus its warranty and recall period.
MES_RETENTION_TELEMETRY_DAYS = env_int("MES_RETENTION_TELEMETRY_DAYS", 730)
MES_RETENTION_PRODUCT_YEARS = env_int("MES_RETENTION_PRODUCT_YEARS", 15)

# --- Telemetry compaction (docs/telemetry.md, "Compaction") -------------------------------------
# Samples younger than this stay hot rows; older ones become segments (lines.telemetry_compact).
TELEMETRY_HOT_HOURS = env_int("MES_TELEMETRY_HOT_HOURS", 24)
# After each 10-minute window it sleeps this many times as long as the window took: a backlog
# (the first run, a long stop) is worked off without taking the CPUs from the ingest.
TELEMETRY_COMPACT_REST = env_int("MES_TELEMETRY_COMPACT_REST", 1)
# Windows compacted at once, each in a thread and a PostgreSQL connection of its own: 2 works
# off a backlog ~1.3x as fast on 2 cores, and takes that much more CPU from the ingest.
TELEMETRY_COMPACT_WORKERS = env_int("MES_TELEMETRY_COMPACT_WORKERS", 1)
# Services mode: celery beat starts the compaction every 10 minutes (deploy/: the beat service).
CELERY_BEAT_SCHEDULE = (
    {}
    if MES_EMBEDDED
    else {"telemetry-compact": {"task": "lines.telemetry_compact", "schedule": 600.0}}
)

# Tests (and CI's services run) set this so that a missing service fails instead of skipping.
MES_REQUIRE_SERVICES = env_bool("MES_REQUIRE_SERVICES", False)
# Browser tests drive this chromium (Debian's package); CI sets MES_REQUIRE_BROWSER=1 so that a
# missing browser fails the run. Without it, a machine with no chromium deselects those tests.
MES_CHROMIUM = env_str("MES_CHROMIUM", "/usr/bin/chromium")
MES_REQUIRE_BROWSER = env_bool("MES_REQUIRE_BROWSER", False)

# plain for people at a terminal, json (one object per line) for journald / Loki / Elasticsearch.
LOG_FORMAT = env_str("LOG_FORMAT", "plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "mes.ops.logging.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
