"""Settings, read from the environment (django-environ).

Defaults make a development start work with no server at all: SQLite and a
filesystem Celery broker under ``var/``. ``DATABASE_URL`` and ``REDIS_URL``
switch to PostgreSQL and Redis. With ``DJANGO_DEBUG`` off, a real
``SECRET_KEY`` is required and the process refuses to start without one.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("HELPDESK_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)

_INSECURE_KEY_PREFIX = "django-insecure"


def _secret_key() -> str:
    key = env.str("SECRET_KEY", default="")
    if key:
        if not DEBUG and (key.startswith(_INSECURE_KEY_PREFIX) or len(key) < 32):
            raise ImproperlyConfigured("SECRET_KEY is a default or too short; set a real one.")
        return key
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DJANGO_DEBUG is off.")
    # Development only: generate once into var/ so sessions survive restarts.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "organisations",
    "tickets",
    "escalation",
    "knowledgebase",
    "sla",
    "notifications",
    "reporting",
    "mailin",
    "webhooks",
    "timetracking",
    "recurring",
    "savedviews",
    "automation",
    "audit",
    "privacy",
    # Two factors (issue #14): django-otp's authenticator apps (TOTP) and one-time recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "twofactor",
    "apitokens",
    "importers",
    # Single sign-on (issue #14): OpenID Connect through mozilla-django-oidc, group mappings (sso/).
    "mozilla_django_oidc",
    "sso",
    # Live chat (issue #12): Django Channels; depends on tickets and knowledgebase, never the other way.
    "channels",
    "chat",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "audit.context.AuditActorMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "twofactor.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "helpdesk.urls"
WSGI_APPLICATION = "helpdesk.wsgi.application"
ASGI_APPLICATION = "helpdesk.asgi.application"

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
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
IS_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
if not IS_POSTGRES:
    # SQLite (development): web, worker and beat write to one file. Each transaction takes the write lock
    # when it begins (IMMEDIATE) and waits up to 20 s for it, instead of failing with "database is locked"
    # when a transaction that began by reading wants to write while another process writes; WAL lets
    # readers go on while one process writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=20,
        transaction_mode="IMMEDIATE",
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("de", _("German"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date format per kind (date, date and time) in both languages, pages and mails alike (docs/ui.md).
FORMAT_MODULE_PATH = ["helpdesk.formats"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Berlin")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every request without it
FORMS_URLFIELD_ASSUME_HTTPS = True  # Django 6.0's default, now
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Attachments are never served from MEDIA_URL: only through the view that checks visibility.
MEDIA_URL = "/media-not-served/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # Shared between web and worker processes without a server.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="helpdesk@localhost")
# The address in mails' links. Unset, it is this machine at the port the dev server was started on: `make run`
# passes it to all of its processes (honcho gives the worker and beat PORT+100 and PORT+200).
HELPDESK_BASE_URL = env.str("HELPDESK_BASE_URL", default=f"http://127.0.0.1:{env.int('PORT', default=8000)}")

# --- Celery -----------------------------------------------------------------
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {"visibility_timeout": 3600}
else:
    # Embedded broker: kombu's filesystem transport, so worker and beat run with no server.
    _broker_dir = VAR_DIR / "broker"
    for sub in ("queue", "processed", "control"):
        (_broker_dir / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        # The exchange tables (kombu's default is ./control, i.e. inside the checkout).
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves the message for another worker
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fixup closes the database connections around every task unless this is set; then it does
# so only every this many tasks, and helpdesk/celery.py closes them as Django does after a request
# (CONN_MAX_AGE, broken or mid-transaction connections). A new connection per task cost ~25 ms.
CELERY_DB_REUSE_MAX = 1000
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
_ = crontab  # periodic jobs are added below by the apps' sections

# --- REST framework -----------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apitokens.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "helpdesk.api.CursorPagination",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "helpdesk.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "login": env.str("THROTTLE_LOGIN", default="10/min"),
        "anon": "120/min",
    },
    "PAGE_SIZE": 25,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tiered Helpdesk API",
    "DESCRIPTION": "Tickets, escalation, knowledge base, SLA and metrics of a 1st/2nd/3rd-level helpdesk.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Helpdesk ----------------------------------------------------------------
HELPDESK_REOPEN_WINDOW = timedelta(days=env.int("HELPDESK_REOPEN_WINDOW_DAYS", default=7))
HELPDESK_MAX_ATTACHMENT_BYTES = env.int("HELPDESK_MAX_ATTACHMENT_BYTES", default=10 * 1024 * 1024)
HELPDESK_MAX_BODY_CHARS = 50_000
HELPDESK_MAX_SEARCH_CHARS = 200
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Security ----------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 30)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# --- api ---
# One schema name per shared choice set (impact and urgency share Level).
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {"LevelEnum": "tickets.models.Level", "TierEnum": "accounts.models.Tier"}
)
# The attachment download is a plain Django view (sessions and tokens); described here for the schema.
SPECTACULAR_SETTINGS.setdefault("APPEND_PATHS", {})[
    "/api/v1/tickets/{ticket_id}/attachments/{attachment_id}/download/"
] = {
    "get": {
        "operationId": "tickets_attachments_download",
        "summary": "Download an attachment",
        "description": "Always `Content-Disposition: attachment` with `X-Content-Type-Options: nosniff`; "
        "404 when the ticket or the attachment is not visible to the caller. Accepts the session or a token.",
        "tags": ["tickets"],
        "parameters": [
            {"name": n, "in": "path", "required": True, "schema": {"type": "integer"}}
            for n in ("ticket_id", "attachment_id")
        ],
        "security": [{"tokenAuth": []}, {"cookieAuth": []}],
        "responses": {
            "200": {
                "description": "The file",
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            },
            "401": {"description": "Bad token"},
            "404": {"description": "Not found or not visible"},
        },
    }
}
# A ticket create's Idempotency-Key replays its first response for this long.
HELPDESK_IDEMPOTENCY_KEY_TTL = timedelta(hours=env.int("HELPDESK_IDEMPOTENCY_KEY_TTL_HOURS", default=24))
CELERY_BEAT_SCHEDULE["tickets-purge-idempotency-keys"] = {
    "task": "tickets.tasks.purge_idempotency_keys",
    "schedule": crontab(minute=17),
}


# --- ui (sign-in, portal, agent workspace) ----------------------------------
# Failed sign-ins allowed per username and per client address within the window.
HELPDESK_LOGIN_MAX_FAILURES = env.int("HELPDESK_LOGIN_MAX_FAILURES", default=10)
HELPDESK_LOGIN_WINDOW = timedelta(minutes=env.int("HELPDESK_LOGIN_WINDOW_MINUTES", default=15))

# --- two factors and personal API tokens (issue #14) ---
# Agents and supervisors without an authenticator app are sent to its setup after signing in.
HELPDESK_REQUIRE_2FA_FOR_STAFF = env.bool("HELPDESK_REQUIRE_2FA_FOR_STAFF", default=False)
# "Remember this browser" for so many days (0: never remember; every sign-in asks for a code).
HELPDESK_2FA_REMEMBER_DAYS = env.int("HELPDESK_2FA_REMEMBER_DAYS", default=30)
# Wrong codes (app or recovery) per person before a pause, counted in the shared cache.
HELPDESK_2FA_MAX_FAILURES = env.int("HELPDESK_2FA_MAX_FAILURES", default=5)
HELPDESK_2FA_WINDOW = timedelta(minutes=env.int("HELPDESK_2FA_WINDOW_MINUTES", default=5))
# Our per-person counter throttles; django-otp's own growing delays per device would only add to it.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
OTP_TOTP_ISSUER = env.str("HELPDESK_2FA_ISSUER", default="Helpdesk")
# How long a token from POST /api/v1/auth/token/ works.
HELPDESK_API_LOGIN_TOKEN_DAYS = env.int("HELPDESK_API_LOGIN_TOKEN_DAYS", default=30)

# --- single sign-on (issue #14, docs/sso.md) ---
# Passwords go through sso.backends.LocalPasswordBackend (Django's ModelBackend that refuses staff while
# "local passwords off for staff" is on); each configured source adds its backend after it.
AUTHENTICATION_BACKENDS = ["sso.backends.LocalPasswordBackend"]
# OpenID Connect: any provider by its issuer URL; endpoints and keys come from the issuer's
# /.well-known/openid-configuration (read when the first sign-in starts, then cached).
OIDC_ISSUER = env.str("OIDC_ISSUER", default="").rstrip("/")
HELPDESK_SSO_OIDC_ENABLED = bool(OIDC_ISSUER)
OIDC_RP_CLIENT_ID = env.str("OIDC_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_CLIENT_SECRET", default="")
OIDC_PROVIDER_NAME = env.str("OIDC_PROVIDER_NAME", default="")  # the button's "Sign in with <name>"
OIDC_GROUPS_CLAIM = env.str("OIDC_GROUPS_CLAIM", default="groups")
OIDC_RP_SCOPES = env.str("OIDC_SCOPES", default="openid email profile")
OIDC_RP_SIGN_ALGO = env.str("OIDC_SIGN_ALGO", default="RS256")
# An address is linked to an existing account only when the provider vouches for it; with this on, a
# provider that sends no email_verified claim (e.g. Entra ID) is not trusted either.
OIDC_REQUIRE_EMAIL_VERIFIED = env.bool("OIDC_REQUIRE_EMAIL_VERIFIED", default=False)
OIDC_USE_PKCE = True
OIDC_TIMEOUT = env.int("OIDC_TIMEOUT_SECONDS", default=10)
OIDC_VERIFY_SSL = env.bool("OIDC_VERIFY_SSL", default=True)
OIDC_CALLBACK_CLASS = "sso.oidc.CallbackView"
OIDC_AUTHENTICATE_CLASS = "sso.oidc.AuthenticateView"
LOGIN_REDIRECT_URL_FAILURE = LOGIN_URL
if HELPDESK_SSO_OIDC_ENABLED:
    AUTHENTICATION_BACKENDS.append("sso.oidc.OIDCBackend")
# Agents viewing a ticket are forgotten this long after their last heartbeat.
HELPDESK_PRESENCE_TTL_SECONDS = 20
HELPDESK_PRESENCE_POLL_SECONDS = 5  # how often an open ticket page sends its heartbeat
HELPDESK_QUEUE_PAGE_SIZE = 25


# --- escalation ---
# from_tier / to_tier / tier share one choice set: one schema enum instead of one per field name.
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {})["TierEnum"] = "accounts.models.Tier"


# --- sla ---------------------------------------------------------------------
# Warn when this share of a target's business time is used (a policy may set its own).
SLA_WARNING_PERCENT = env.int("SLA_WARNING_PERCENT", default=80)
# How often beat runs the sweep; the end-to-end test shortens it to a second.
SLA_SWEEP_SECONDS = env.float("SLA_SWEEP_SECONDS", default=60.0)
SLA_SWEEP_BATCH_SIZE = env.int("SLA_SWEEP_BATCH_SIZE", default=500)
CELERY_BEAT_SCHEDULE["sla-sweep"] = {
    "task": "sla.tasks.sla_sweep",
    "schedule": SLA_SWEEP_SECONDS,
    # A sweep that waited longer than one interval is superseded by the next one.
    "options": {"expires": SLA_SWEEP_SECONDS},
}


# --- notifications ---
# Delivery of the outbox (notifications/services.py explains the guarantee).
# Seconds per SMTP step; a whole send must stay below half the lease.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
NOTIFICATIONS_LEASE_SECONDS = env.int("NOTIFICATIONS_LEASE_SECONDS", default=300)
NOTIFICATIONS_MAX_ATTEMPTS = env.int("NOTIFICATIONS_MAX_ATTEMPTS", default=6)
NOTIFICATIONS_BACKOFF_SECONDS = env.int("NOTIFICATIONS_BACKOFF_SECONDS", default=60)
NOTIFICATIONS_BACKOFF_MAX_SECONDS = env.int("NOTIFICATIONS_BACKOFF_MAX_SECONDS", default=3600)
NOTIFICATIONS_REDISPATCH_GRACE_SECONDS = env.int("NOTIFICATIONS_REDISPATCH_GRACE_SECONDS", default=30)
NOTIFICATIONS_SURVEY_MAX_AGE = timedelta(days=env.int("NOTIFICATIONS_SURVEY_DAYS", default=14))
CELERY_BEAT_SCHEDULE["notifications-redispatch"] = {
    "task": "notifications.tasks.redispatch_pending",
    "schedule": crontab(),  # every minute
}


# --- mailin ------------------------------------------------------------------
CELERY_BEAT_SCHEDULE["mailin-fetch"] = {"task": "mailin.tasks.fetch_all_mailboxes", "schedule": 60.0}
# Inbound mail from hosted services through django-anymail: basic auth plus the ESP's own signature.
ANYMAIL = {
    "WEBHOOK_SECRET": env.str("ANYMAIL_WEBHOOK_SECRET", default="") or None,
    "MAILGUN_WEBHOOK_SIGNING_KEY": env.str("MAILGUN_WEBHOOK_SIGNING_KEY", default="") or None,
    "POSTMARK_WEBHOOK_SECRET": env.str("POSTMARK_WEBHOOK_SECRET", default="") or None,
}
ANYMAIL = {k: v for k, v in ANYMAIL.items() if v}

# --- webhooks ----------------------------------------------------------------
# Deliveries to private/loopback addresses are refused unless this is on (tests, a local receiver).
WEBHOOKS_ALLOW_PRIVATE = env.bool("WEBHOOKS_ALLOW_PRIVATE", default=False)
CELERY_BEAT_SCHEDULE["webhooks-redispatch"] = {"task": "webhooks.tasks.redispatch", "schedule": 30.0}


# --- reporting ---
# Memory per sort / hash of the metric queries (SET LOCAL in their read transaction, PostgreSQL).
REPORTING_WORK_MEM = env.str("REPORTING_WORK_MEM", default="64MB")
REPORTING_RANDOM_PAGE_COST = env.float("REPORTING_RANDOM_PAGE_COST", default=1.1)
# Up to this many resolved tickets in a period, time percentiles are exact; beyond, from the fixed
# 1-in-16 sample (at a million tickets a year: exact up to about three weeks).
REPORTING_EXACT_PERCENTILES_MAX = env.int("REPORTING_EXACT_PERCENTILES_MAX", default=50_000)
CELERY_BEAT_SCHEDULE["reporting-rollup-refresh"] = {
    "task": "reporting.tasks.rollup_refresh",
    "schedule": env.float("REPORTING_ROLLUP_SECONDS", default=60.0),
}
# Monday 07:00 (CELERY_TIMEZONE): last week's numbers to the supervisors.
CELERY_BEAT_SCHEDULE["reporting-weekly-digest"] = {
    "task": "reporting.tasks.weekly_digest",
    "schedule": crontab(hour=7, minute=0, day_of_week="mon"),
}


# --- recurring ---------------------------------------------------------------
# How often beat looks for due recurring tickets (cron has minute resolution; the end-to-end test
# shortens it to a second). A sweep that waited longer than one interval gives way to the next.
RECURRING_SWEEP_SECONDS = env.float("RECURRING_SWEEP_SECONDS", default=30.0)
CELERY_BEAT_SCHEDULE["recurring-sweep"] = {
    "task": "recurring.tasks.recurring_sweep",
    "schedule": RECURRING_SWEEP_SECONDS,
    "options": {"expires": RECURRING_SWEEP_SECONDS},
}

# --- automation --------------------------------------------------------------
# How often beat runs the time rules ("pending for 3 days"); the end-to-end test shortens it to a second.
AUTOMATION_SWEEP_SECONDS = env.float("AUTOMATION_SWEEP_SECONDS", default=60.0)
CELERY_BEAT_SCHEDULE["automation-time-rules"] = {
    "task": "automation.tasks.rules_time_sweep",
    "schedule": AUTOMATION_SWEEP_SECONDS,
    # A sweep that waited longer than one interval is superseded by the next one.
    "options": {"expires": AUTOMATION_SWEEP_SECONDS},
}


# --- privacy -----------------------------------------------------------------
# Retention rules run this often (idempotent; the end-to-end test shortens it to a second).
PRIVACY_RETENTION_SECONDS = env.float("PRIVACY_RETENTION_SECONDS", default=3600.0)
CELERY_BEAT_SCHEDULE["privacy-retention"] = {
    "task": "privacy.tasks.retention_sweep",
    "schedule": PRIVACY_RETENTION_SECONDS,
    "options": {"expires": PRIVACY_RETENTION_SECONDS},
}


# --- single sign-on: LDAP / Active Directory and SAML 2.0 (issue #14, docs/sso-ldap-saml.md) ----------
# LDAP: the sign-in form's username and password are checked against the directory (django-auth-ldap,
# installed with the `ldap` extra; `make` does so when libldap-dev and libsasl2-dev are there).
LDAP_SERVER_URI = env.str("LDAP_SERVER_URI", default="")
HELPDESK_SSO_LDAP_ENABLED = bool(LDAP_SERVER_URI)
if HELPDESK_SSO_LDAP_ENABLED:
    try:
        from sso.ldap_config import ldap_settings
    except ImportError as error:
        raise ImproperlyConfigured(
            "LDAP_SERVER_URI is set but python-ldap / django-auth-ldap are missing: "
            "apt-get install libldap-dev libsasl2-dev, then pip install '.[ldap]'"
        ) from error
    vars().update(
        ldap_settings(
            server_uri=LDAP_SERVER_URI,
            bind_dn=env.str("LDAP_BIND_DN", default=""),
            bind_password=env.str("LDAP_BIND_PASSWORD", default=""),
            start_tls=env.bool("LDAP_START_TLS", default=False),
            user_search_base=env.str("LDAP_USER_SEARCH_BASE", default=""),
            user_search_filter=env.str("LDAP_USER_SEARCH_FILTER", default="(uid=%(user)s)"),
            user_dn_template=env.str("LDAP_USER_DN_TEMPLATE", default=""),
            group_search_base=env.str("LDAP_GROUP_SEARCH_BASE", default=""),
            group_search_filter=env.str("LDAP_GROUP_SEARCH_FILTER", default=""),
            group_type=env.str("LDAP_GROUP_TYPE", default="groupOfNames"),
            attr_email=env.str("LDAP_ATTR_EMAIL", default="mail"),
            attr_full_name=env.str("LDAP_ATTR_FULL_NAME", default="cn"),
            timeout=env.int("LDAP_TIMEOUT_SECONDS", default=5),
        )
    )
    AUTHENTICATION_BACKENDS.append("sso.ldap.DirectoryBackend")

# SAML 2.0: "Sign in with SAML" on the sign-in page (djangosaml2 on pysaml2, which runs xmlsec1).
SAML_IDP_METADATA_URL = env.str("SAML_IDP_METADATA_URL", default="")
SAML_IDP_METADATA_FILE = env.str("SAML_IDP_METADATA_FILE", default="")
HELPDESK_SSO_SAML_ENABLED = bool(SAML_IDP_METADATA_URL or SAML_IDP_METADATA_FILE)
HELPDESK_SAML_PROVIDER_NAME = env.str("SAML_PROVIDER_NAME", default="")  # the button's "Sign in with <name>"
INSTALLED_APPS.append("djangosaml2")  # its templates (the HTTP-POST form)
# djangosaml2's own session cookie keeps the requests sent to the IdP (no answer without a request).
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") + 1,
    "djangosaml2.middleware.SamlSessionMiddleware",
)
SAML_ACS_FAILURE_RESPONSE_FUNCTION = "sso.saml.acs_failure"
SAML_CSP_HANDLER = ""  # the site sets its own headers
if HELPDESK_SSO_SAML_ENABLED:
    from sso.saml_config import saml_settings

    vars().update(
        saml_settings(
            base_url=HELPDESK_BASE_URL,
            idp_metadata_url=SAML_IDP_METADATA_URL,
            idp_metadata_file=SAML_IDP_METADATA_FILE,
            entity_id=env.str("SAML_SP_ENTITY_ID", default=""),
            attr_email=env.str("SAML_ATTR_EMAIL", default="mail"),
            attr_full_name=env.str("SAML_ATTR_FULL_NAME", default="displayName"),
            attr_groups=env.str("SAML_ATTR_GROUPS", default="isMemberOf"),
            sp_key_file=env.str("SAML_SP_KEY_FILE", default=""),
            sp_cert_file=env.str("SAML_SP_CERT_FILE", default=""),
            want_response_signed=env.bool("SAML_WANT_RESPONSE_SIGNED", default=False),
            metadata_cache_seconds=env.int("SAML_IDP_METADATA_CACHE_SECONDS", default=3600),
            https=HELPDESK_BASE_URL.startswith("https://"),
        )
    )
    AUTHENTICATION_BACKENDS.append("sso.saml.SamlBackend")
# --- live chat (issue #12) -----------------------------------------------------
# Several ASGI processes share one Redis channel layer; without REDIS_URL (the embedded `make run`)
# the in-memory layer serves a single process.
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # redis-py 8 reads with a 5 s socket timeout by default, as long as channels-redis's blocking
            # pop waits: every quiet consumer died after 5 s (django/channels_redis#422, redis-py#4091).
            # No client-side read timeout, as before redis-py 8; the server ends the blocking pop itself.
            "CONFIG": {
                "hosts": [{"address": REDIS_URL, "socket_timeout": None}],
                "capacity": 1500,
                "expiry": 30,
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
# Longest chat message (characters); a longer one is refused and nothing is stored.
CHAT_MAX_MESSAGE_CHARS = env.int("CHAT_MAX_MESSAGE_CHARS", default=5000)
# Per WebSocket connection: at most this many messages in this many seconds, then a refusal.
CHAT_RATE_MESSAGES = env.int("CHAT_RATE_MESSAGES", default=10)
CHAT_RATE_SECONDS = env.float("CHAT_RATE_SECONDS", default=10.0)
# An agent whose last inbox connection closed gets their chats back in the queue after this many seconds.
CHAT_AGENT_GRACE_SECONDS = env.float("CHAT_AGENT_GRACE_SECONDS", default=60.0)
# Per address (all connections of one IP, through the cache): chats started per hour.
CHAT_STARTS_PER_ADDRESS_HOUR = env.int("CHAT_STARTS_PER_ADDRESS_HOUR", default=20)
