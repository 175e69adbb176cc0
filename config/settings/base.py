"""All settings of mashang, driven by environment variables (see docs/configuration.md).

The defaults are safe for the embedded case: SQLite in the project folder, debug off,
no broker. ``MASHANG_ENV=production`` refuses to start with an unsafe configuration.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(env_str("MASHANG_DATA_DIR", str(BASE_DIR / "var")))

ENVIRONMENT = env_str("MASHANG_ENV", "development")
if ENVIRONMENT not in {"development", "production", "test"}:
    raise ImproperlyConfigured("MASHANG_ENV must be development, production or test")

_INSECURE_KEY = "mashang-insecure-development-key-do-not-use-in-production"
SECRET_KEY = env_str("SECRET_KEY", _INSECURE_KEY)
DEBUG = env_bool("DEBUG", default=False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "mashang.core",
    "mashang.audit",
    "mashang.org",
    "mashang.workcal",
    "mashang.demands",
    "mashang.notify",
    "mashang.supervision",
    "mashang.projects",
    "mashang.landstart",
    "mashang.routing",
    "mashang.meetings",
    "mashang.api",
    "mashang.web",
    "mashang.operations",
    "mashang.demo",
    # The second factor (TOTP, with backup codes): mashang.org.second_factor.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Sign-in throttling, its failures in the database: mashang.org.signin.
    "axes",
]

MIDDLEWARE = [
    # First: the request id every log line of the request carries, then the request metrics
    # (mashang.operations; docs/operations.md).
    "mashang.operations.requestid.RequestIdMiddleware",
    "mashang.operations.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Permissions-Policy everywhere (static files too), no-store on the API and signed-in pages.
    "mashang.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "mashang.web.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # An expired password or a missing second factor: to its page before any other.
    "mashang.org.middleware.AccountSecurityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Signs out beyond MASHANG_SESSION_IDLE_MINUTES / MASHANG_SESSION_MAX_HOURS (needs messages).
    "mashang.core.middleware.SessionLimitsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "mashang.api.middleware.ApiMethodNotAllowedMiddleware",
    "mashang.audit.middleware.SecurityLogMiddleware",
    # Last: turns a locked-out sign-in into mashang.org.signin.lockout_response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

_DEFAULT_DATABASE_URL = f"sqlite:///{DATA_DIR / 'mashang.sqlite3'}"
DATABASE_URL = env_str("DATABASE_URL", _DEFAULT_DATABASE_URL)
if DATABASE_URL == _DEFAULT_DATABASE_URL:
    # The embedded default needs nothing installed: its folder is made on first use.
    (DATA_DIR / "static").mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("MASHANG_DB_CONN_MAX_AGE", 60)
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several workers may share one file: wait for the write lock instead of failing,
    # and take it at the start of a transaction so a read never has to upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Writers take turns in order (a lock file beside the database) instead of polling.
    DATABASES["default"]["ENGINE"] = "mashang.core.sqlite"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The period index on demands carries extra columns for PostgreSQL (an index-only scan for
# scorecards); SQLite keeps the plain index, which is all it can do: nothing to warn about.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
AUTH_USER_MODEL = "org.User"

# The password policy (docs/security.md): 8 characters or more, of 3 kinds at least, not like
# the person's name, not a common password (mashang.org.passwords).
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "display_name", "email", "phone")},
    },
    {
        "NAME": "mashang.org.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "mashang.org.passwords.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
]
# Days a staff member's password stays valid before a change is forced (0: never); the same
# for enterprise contacts (0 by default: theirs does not expire).
MASHANG_PASSWORD_MAX_DAYS = env_int("MASHANG_PASSWORD_MAX_DAYS", 90)
MASHANG_CONTACT_PASSWORD_MAX_DAYS = env_int("MASHANG_CONTACT_PASSWORD_MAX_DAYS", 0)
# The second factor (TOTP): required of administrators (the admin, security and audit roles,
# superusers and anyone with the Django admin), open to every member of staff.
MASHANG_ADMIN_OTP_REQUIRED = env_bool("MASHANG_ADMIN_OTP_REQUIRED", default=True)
OTP_TOTP_ISSUER = env_str("MASHANG_OTP_ISSUER", "mashang")
# A wrong code waits 1, 2, 4, 8 … seconds before the next one is checked (django-otp).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "mashang" / "locale"]
TIME_ZONE = env_str("MASHANG_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# WhiteNoise serves the static files straight from the apps (no collectstatic step needed).
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"
# Uploaded files (attachments, step documents, held uploads) go through Django's storage API:
# on this machine's disk under MEDIA_ROOT ("local"), or in an S3-compatible object store
# ("s3": a government cloud's, a self-hosted MinIO) that every machine running mashang reaches.
# Objects stay private (no ACL, no public URL): downloads stream through mashang after its
# permission check. Static files stay with WhiteNoise either way.
MASHANG_FILE_STORAGE = env_str("MASHANG_FILE_STORAGE", "local")
MASHANG_S3_BUCKET = env_str("MASHANG_S3_BUCKET", "")
MASHANG_S3_ACCESS_KEY_ID = env_secret("MASHANG_S3_ACCESS_KEY_ID")
MASHANG_S3_SECRET_ACCESS_KEY = env_secret("MASHANG_S3_SECRET_ACCESS_KEY")
if MASHANG_FILE_STORAGE == "local":
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif MASHANG_FILE_STORAGE == "s3":
    if not MASHANG_S3_BUCKET:
        raise ImproperlyConfigured("MASHANG_FILE_STORAGE=s3 needs MASHANG_S3_BUCKET")
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MASHANG_S3_BUCKET,
            "endpoint_url": env_str("MASHANG_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("MASHANG_S3_REGION", "") or None,
            # Empty: boto3's own chain (AWS_* variables, an instance role); production wants both.
            "access_key": MASHANG_S3_ACCESS_KEY_ID or None,
            "secret_key": MASHANG_S3_SECRET_ACCESS_KEY or None,
            "addressing_style": env_str("MASHANG_S3_ADDRESSING_STYLE", "path"),
            "signature_version": "s3v4",
            "location": env_str("MASHANG_S3_PREFIX", "").strip("/"),
            "default_acl": None,  # private: the bucket's policy, never public-read
            "querystring_auth": True,  # a URL of the storage, if one is ever made, is signed
            "file_overwrite": False,  # a name taken gets another, nothing is replaced
            # A download is fetched whole before it streams: in memory up to 2 MiB, then a
            # temporary file (FILE_UPLOAD_TEMP_DIR), never all of a large file in memory.
            "max_memory_size": 2 * 1024 * 1024,
        },
    }
    if _default_storage["OPTIONS"]["addressing_style"] not in ("path", "virtual"):
        raise ImproperlyConfigured("MASHANG_S3_ADDRESSING_STYLE must be path or virtual")
else:
    raise ImproperlyConfigured("MASHANG_FILE_STORAGE must be local or s3")
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Browser features no page of mashang uses, turned off for every response.
MASHANG_PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), "
    "magnetometer=(), gyroscope=(), accelerometer=(), midi=(), display-capture=()"
)
# A signed-in session ends after this many minutes without a request, and this many hours
# after signing in whatever the activity (mashang.core.middleware.SessionLimitsMiddleware).
MASHANG_SESSION_IDLE_MINUTES = env_int("MASHANG_SESSION_IDLE_MINUTES", 30)
MASHANG_SESSION_MAX_HOURS = env_int("MASHANG_SESSION_MAX_HOURS", 12)
if MASHANG_SESSION_IDLE_MINUTES < 1 or MASHANG_SESSION_MAX_HOURS < 1:
    raise ImproperlyConfigured(
        "MASHANG_SESSION_IDLE_MINUTES and MASHANG_SESSION_MAX_HOURS must be at least 1"
    )
# The session cookie and its stored row expire with the absolute limit too.
SESSION_COOKIE_AGE = MASHANG_SESSION_MAX_HOURS * 3600
X_FRAME_OPTIONS = "DENY"

# A strict Content-Security-Policy: scripts, styles and everything else only from mashang
# itself, no inline script or style, nothing framed. User text can never become code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# The console log: "plain" lines for development, "json" (one JSON object a line) in production;
# every record carries the request id of the request or job it belongs to (mashang.operations).
MASHANG_LOG_FORMAT = env_str("MASHANG_LOG_FORMAT", "plain")
if MASHANG_LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured("MASHANG_LOG_FORMAT must be plain or json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "mashang.operations.requestid.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": MASHANG_LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("MASHANG_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # django-axes: failures and lock-outs (warnings) without its per-attempt chatter.
        "axes": {"level": "WARNING"},
    },
}

# Office hours of the zone: comma-separated periods, each HH:MM-HH:MM, local time.
MASHANG_OFFICE_HOURS = env_str("MASHANG_OFFICE_HOURS", "08:30-12:00,14:00-17:30")
# How long (seconds) a worker keeps the loaded calendar before reading overrides again.
MASHANG_CALENDAR_CACHE_SECONDS = env_int("MASHANG_CALENDAR_CACHE_SECONDS", 60)
# Sign-in throttling for every way in (the page, /admin/login/, POST /api/v1/auth/token) with
# django-axes, its failures in the database (mashang.org.signin): this many wrong passwords for
# one username from one client address lock that pair, this many failures from one address
# for any usernames lock the address (0: no such limit), for this many seconds after the last
# failure. The client address is mashang.audit.security.client_address (MASHANG_PROXY_COUNT).
MASHANG_SIGNIN_MAX_FAILURES = env_int("MASHANG_SIGNIN_MAX_FAILURES", 5)
MASHANG_SIGNIN_ADDRESS_MAX_FAILURES = env_int("MASHANG_SIGNIN_ADDRESS_MAX_FAILURES", 15)
MASHANG_SIGNIN_LOCK_SECONDS = env_int("MASHANG_SIGNIN_LOCK_SECONDS", 900)
if MASHANG_SIGNIN_MAX_FAILURES < 1 or MASHANG_SIGNIN_ADDRESS_MAX_FAILURES < 0 or MASHANG_SIGNIN_LOCK_SECONDS < 1:
    raise ImproperlyConfigured(
        "MASHANG_SIGNIN_MAX_FAILURES and MASHANG_SIGNIN_LOCK_SECONDS must be at least 1, "
        "MASHANG_SIGNIN_ADDRESS_MAX_FAILURES at least 0"
    )
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out client before the password
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "mashang.org.signin.SigninThrottle"
AXES_FAILURE_LIMIT = "mashang.org.signin.failure_limit"
AXES_COOLOFF_TIME = "mashang.org.signin.cool_off"
AXES_LOCKOUT_PARAMETERS = "mashang.org.signin.lockout_parameters"
AXES_USERNAME_CALLABLE = "mashang.org.signin.signin_username"
AXES_CLIENT_IP_CALLABLE = "mashang.audit.security.client_address"
AXES_LOCKOUT_CALLABLE = "mashang.org.signin.lockout_response"
AXES_RESET_ON_SUCCESS = False  # SigninThrottle forgets the pair's failures, not the address's
AXES_DISABLE_ACCESS_LOG = True  # sign-ins are in the security log (mashang.audit)
# Lifetime of an API token in hours (POST /api/v1/auth/token/refresh renews it), and the days
# after the password was given beyond which no refresh reaches (then: the password again).
MASHANG_API_TOKEN_HOURS = env_int("MASHANG_API_TOKEN_HOURS", 8)
MASHANG_API_TOKEN_MAX_DAYS = env_int("MASHANG_API_TOKEN_MAX_DAYS", 30)
# The security audit log (mashang.audit): days it is kept (at least 180), and how many trusted
# reverse proxies stand in front (their X-Forwarded-For gives the client's address; 0: none).
MASHANG_SECURITY_LOG_DAYS = env_int("MASHANG_SECURITY_LOG_DAYS", 180)
MASHANG_PROXY_COUNT = env_int("MASHANG_PROXY_COUNT", 0)

# --- Health and metrics (mashang.operations, docs/operations.md) ------------------------------
# /readyz: not ready when a due outbox message has waited longer than this (seconds).
MASHANG_READY_OUTBOX_MAX_AGE_SECONDS = env_int("MASHANG_READY_OUTBOX_MAX_AGE_SECONDS", 900)
# /readyz: not ready when the holidays are not known this many days ahead.
MASHANG_READY_CALENDAR_DAYS = env_int("MASHANG_READY_CALENDAR_DAYS", 60)
# /metrics answers only clients in these networks (comma-separated CIDRs; the client address as
# MASHANG_PROXY_COUNT gives it); others get 404.
MASHANG_METRICS_ALLOWED_NETWORKS = env_list(
    "MASHANG_METRICS_ALLOWED_NETWORKS", ["127.0.0.1/32", "::1/128"]
)
for _network in MASHANG_METRICS_ALLOWED_NETWORKS:
    try:
        ipaddress.ip_network(_network, strict=False)
    except ValueError as _exc:
        raise ImproperlyConfigured(f"MASHANG_METRICS_ALLOWED_NETWORKS: {_exc}") from None
# Several gunicorn workers: a directory they share (emptied before the start) where
# prometheus-client keeps each process's figures; /metrics adds them up. Empty: one process.
PROMETHEUS_MULTIPROC_DIR = env_str("PROMETHEUS_MULTIPROC_DIR", "")

# --- Notifications and background work (mashang.notify, config/celery.py) ---------------------
# The address people open mashang at, for the links in chat messages and e-mails
# (empty: the messages carry the path only).
MASHANG_BASE_URL = env_str("MASHANG_BASE_URL", "").rstrip("/")
# Celery's broker (redis://host:6379/0). Empty: no broker, `mashang worker` runs the same jobs
# in an embedded loop.
MASHANG_BROKER_URL = env_str("MASHANG_BROKER_URL", "")
MASHANG_WORKER_CONCURRENCY = env_int("MASHANG_WORKER_CONCURRENCY", 4)
# Seconds between two deadline sweeps of the embedded worker (no broker; the demo, the tests).
MASHANG_SWEEP_SECONDS = env_int("MASHANG_SWEEP_SECONDS", 60)
if MASHANG_SWEEP_SECONDS < 1:
    raise ImproperlyConfigured("MASHANG_SWEEP_SECONDS must be at least 1")
# Delivery: attempts before a message is dead, retry backoff, HTTP timeout towards the chat
# platforms, and how long a sender may hold a message before another worker takes it over.
MASHANG_NOTIFY_MAX_ATTEMPTS = env_int("MASHANG_NOTIFY_MAX_ATTEMPTS", 8)
MASHANG_NOTIFY_RETRY_BASE_SECONDS = 30
MASHANG_NOTIFY_RETRY_MAX_SECONDS = 3600
MASHANG_NOTIFY_HTTP_TIMEOUT = env_int("MASHANG_NOTIFY_HTTP_TIMEOUT", 5)
MASHANG_NOTIFY_LEASE_SECONDS = env_int("MASHANG_NOTIFY_LEASE_SECONDS", 300)
if MASHANG_NOTIFY_LEASE_SECONDS < MASHANG_NOTIFY_HTTP_TIMEOUT + 1:
    raise ImproperlyConfigured("MASHANG_NOTIFY_LEASE_SECONDS must be longer than MASHANG_NOTIFY_HTTP_TIMEOUT")
# Deliver right after the commit in the committing process (tests); otherwise the worker does.
MASHANG_NOTIFY_DELIVER_INLINE = False
# Who turns a move's message into its rows per person and chat robot (docs/decisions/0016):
# "worker" (the default with a broker) writes one outbox row in the move and leaves the rest
# to the worker; "inline" (the default without) writes every row in the move's transaction.
MASHANG_NOTIFY_FAN_OUT = env_str("MASHANG_NOTIFY_FAN_OUT", "worker" if MASHANG_BROKER_URL else "inline")
if MASHANG_NOTIFY_FAN_OUT not in ("worker", "inline"):
    raise ImproperlyConfigured("MASHANG_NOTIFY_FAN_OUT must be worker or inline")
# How long the pass a commit asks for waits before it starts, gathering the messages of the
# moves that follow into one pass (milliseconds; messages reach people that much later).
MASHANG_NOTIFY_GATHER_MS = env_int("MASHANG_NOTIFY_GATHER_MS", 500)
# Chat robots (docs/decisions/0019): how long a message that may be digested (a supervision
# notice, not a red card) waits for others bound to the same robot, in seconds; and how much
# longer than the platform's rolling minute (and second) a robot's sends are counted.
MASHANG_NOTIFY_DIGEST_SECONDS = env_int("MASHANG_NOTIFY_DIGEST_SECONDS", 60)
MASHANG_NOTIFY_ROBOT_MARGIN_SECONDS = env_int("MASHANG_NOTIFY_ROBOT_MARGIN_SECONDS", 1)
if MASHANG_NOTIFY_DIGEST_SECONDS < 0 or MASHANG_NOTIFY_ROBOT_MARGIN_SECONDS < 0:
    raise ImproperlyConfigured("MASHANG_NOTIFY_DIGEST_SECONDS and MASHANG_NOTIFY_ROBOT_MARGIN_SECONDS must not be negative")

# Smart dispatch (mashang.routing): how often the worker retrains the suggestion classifiers
# (seconds; 0: only on demand), the folds of their cross-validation and the rows it samples at
# most, and the dispatched demands needed before a first classifier is trained.
MASHANG_ROUTING_RETRAIN_SECONDS = env_int("MASHANG_ROUTING_RETRAIN_SECONDS", 86400)
MASHANG_ROUTING_CV_FOLDS = env_int("MASHANG_ROUTING_CV_FOLDS", 5)
MASHANG_ROUTING_CV_ROWS = env_int("MASHANG_ROUTING_CV_ROWS", 100_000)
MASHANG_ROUTING_MIN_DEMANDS = env_int("MASHANG_ROUTING_MIN_DEMANDS", 50)
if MASHANG_ROUTING_RETRAIN_SECONDS < 0 or not 2 <= MASHANG_ROUTING_CV_FOLDS <= 20 or MASHANG_ROUTING_CV_ROWS < 100:
    raise ImproperlyConfigured(
        "MASHANG_ROUTING_RETRAIN_SECONDS must not be negative, MASHANG_ROUTING_CV_FOLDS must be 2-20 "
        "and MASHANG_ROUTING_CV_ROWS at least 100"
    )

# Hot topics (未诉先办, mashang.routing.topics): the window the worker groups demands over, in
# days, and how many demands a topic needs in it before its growth makes it "rising".
MASHANG_HOT_TOPICS_DAYS = env_int("MASHANG_HOT_TOPICS_DAYS", 30)
MASHANG_HOT_TOPICS_RISING_MIN = env_int("MASHANG_HOT_TOPICS_RISING_MIN", 8)
if not 1 <= MASHANG_HOT_TOPICS_DAYS <= 366 or MASHANG_HOT_TOPICS_RISING_MIN < 1:
    raise ImproperlyConfigured("MASHANG_HOT_TOPICS_DAYS must be 1-366 and MASHANG_HOT_TOPICS_RISING_MIN at least 1")

CELERY_BROKER_URL = MASHANG_BROKER_URL or "memory://"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# `celery worker` without --concurrency (deploy/systemd/mashang-worker.service) takes this.
CELERY_WORKER_CONCURRENCY = MASHANG_WORKER_CONCURRENCY
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
# The worker logs through LOGGING above (its format, the request id), not Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# E-mail: SMTP when EMAIL_HOST is set, else the console (messages are printed, not sent).
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "mashang@localhost")
# Whether people with an e-mail address get their messages by e-mail too (on when SMTP is set).
MASHANG_NOTIFY_EMAIL = env_bool("MASHANG_NOTIFY_EMAIL", default=bool(EMAIL_HOST))

# Supervision sweep (docs/configuration.md): a reminder this many working minutes before a
# deadline counted in working hours (triage, first contact) …
MASHANG_REMINDER_BEFORE_MINUTES = env_int("MASHANG_REMINDER_BEFORE_MINUTES", 30)
# … and before one counted in working days (interim reply, resolution): half a working day;
MASHANG_REMINDER_BEFORE_DAYS_MINUTES = env_int("MASHANG_REMINDER_BEFORE_DAYS_MINUTES", 210)
# a yellow card at the deadline, a red card this many working minutes after it.
MASHANG_RED_GRACE_MINUTES = env_int("MASHANG_RED_GRACE_MINUTES", 210)
# Scorecards: the weights of the composite score, "name=weight" pairs (response, on_time,
# resolution, satisfaction), and what a "basically satisfied" rating counts in the
# satisfaction rate (satisfied 1, unsatisfied 0). Both are checked when first used.
MASHANG_SATISFACTION_BASIC_WEIGHT = env_str("MASHANG_SATISFACTION_BASIC_WEIGHT", "1")
# Review meetings (docs/configuration.md): the thresholds of the rules that propose an agenda.
MASHANG_AGENDA = {
    "overdue_days": env_int("MASHANG_AGENDA_OVERDUE_DAYS", 5),
    "repeat_min": env_int("MASHANG_AGENDA_REPEAT_MIN", 3),
    "volume_min": env_int("MASHANG_AGENDA_VOLUME_MIN", 10),
    "volume_rise": env_int("MASHANG_AGENDA_VOLUME_RISE_PERCENT", 50) / 100,
    "assessment_fall": float(env_int("MASHANG_AGENDA_ASSESSMENT_FALL", 10)),
    "limit": env_int("MASHANG_AGENDA_ITEMS_PER_RULE", 30),
}
# Upgrades (docs/upgrading.md): a migration's data change runs inline on a table of at most this
# many rows; on a larger one it is left pending for `mashang backfill`.
MASHANG_MIGRATION_INLINE_MAX = env_int("MASHANG_MIGRATION_INLINE_MAX", 100_000)

if ENVIRONMENT == "production":
    _problems = []
    if SECRET_KEY == _INSECURE_KEY or not SECRET_KEY or len(SECRET_KEY) < 32:
        _problems.append("SECRET_KEY must be set to a random value of at least 32 characters")
    if DEBUG:
        _problems.append("DEBUG must be off")
    if "*" in ALLOWED_HOSTS:
        _problems.append("ALLOWED_HOSTS must name the hosts, not '*'")
    _s3_keys = MASHANG_S3_ACCESS_KEY_ID and MASHANG_S3_SECRET_ACCESS_KEY
    if MASHANG_FILE_STORAGE == "s3" and not _s3_keys:
        _problems.append(
            "MASHANG_FILE_STORAGE=s3 needs MASHANG_S3_ACCESS_KEY_ID and"
            " MASHANG_S3_SECRET_ACCESS_KEY (or their _FILE variants)"
        )
    if _problems:
        raise ImproperlyConfigured(
            "mashang refuses to start in production with an unsafe configuration: "
            + "; ".join(_problems)
        )
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_HSTS_SECONDS = env_int("MASHANG_HSTS_SECONDS", 31536000)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
