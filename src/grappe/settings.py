"""Grappe settings: one module, driven by environment variables (see README, "Configuration")."""

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from grappe.env import env_bool, env_int, env_list, env_path, env_str

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = env_path("GRAPPE_DATA_DIR", Path.cwd() / "var")

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and env_bool("GRAPPE_REQUIRE_SECRET_KEY", False):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("SECRET_KEY must be set in production")
    SECRET_KEY = "grappe-insecure-development-key-change-me-in-production-0123456789"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "modeltranslation",  # must precede django.contrib.admin
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",  # public site's sitemap.xml (showcase)
    "django_htmx",
    "django_countries",
    "django_tasks_db",
    "django_otp",  # two-factor authentication (TOTP) for staff and admins, see grappe.accounts.middleware
    "django_otp.plugins.otp_totp",
    "ninja",  # the API docs page from local static files (no CDN, no inline script: it passes the CSP)
    "grappe.core",
    "grappe.accounts",
    "grappe.referential",
    "grappe.register",
    "grappe.ecosystem",
    "grappe.watch",
    "grappe.events",
    "grappe.partnerships",
    "grappe.showcase",
    "grappe.innovation",
    "grappe.insights",
    "grappe.objectives",
    "grappe.privacy",  # GDPR: export, erasure, retention, register of processing activities
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "grappe.accounts.middleware.StaffTwoFactorMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "grappe.urls"
WSGI_APPLICATION = "grappe.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "grappe.core.context_processors.grappe",
            ],
        },
    }
]

# Database: SQLite file under the data directory unless DATABASE_URL says otherwise.
_default_sqlite = f"sqlite:///{DATA_DIR / 'grappe.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL", _default_sqlite), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers work while the worker writes; IMMEDIATE avoids lock upgrades failing mid-transaction.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "timeout": env_int("SQLITE_BUSY_TIMEOUT", 20),
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["TEST"] = {"NAME": env_str("GRAPPE_TEST_SQLITE_NAME", "") or None}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["grappe.accounts.backends.EmailBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 12)
# Login throttling and lockout (grappe.accounts.throttle) and staff two-factor authentication.
GRAPPE_LOGIN_MAX_FAILURES = env_int("GRAPPE_LOGIN_MAX_FAILURES", 5)
GRAPPE_LOGIN_MAX_FAILURES_PER_IP = env_int("GRAPPE_LOGIN_MAX_FAILURES_PER_IP", 30)
GRAPPE_LOGIN_LOCKOUT_SECONDS = env_int("GRAPPE_LOGIN_LOCKOUT_SECONDS", 15 * 60)
GRAPPE_REQUIRE_STAFF_2FA = env_bool("GRAPPE_REQUIRE_STAFF_2FA", not DEBUG)
# GDPR retention (grappe.privacy): contacts without activity for N years are anonymised once APPLY is on.
GRAPPE_RETENTION_INACTIVE_YEARS = env_int("GRAPPE_RETENTION_INACTIVE_YEARS", 3)
GRAPPE_RETENTION_APPLY = env_bool("GRAPPE_RETENTION_APPLY", False)
OTP_TOTP_ISSUER = env_str("GRAPPE_CLUSTER_NAME", "Grappe")

# Internationalisation: French is the source and default language.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English")), ("nl", _("Nederlands")), ("de", _("Deutsch"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True
MODELTRANSLATION_DEFAULT_LANGUAGE = "fr"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("fr", "en")

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "staticfiles"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Production sets GRAPPE_STATIC_MANIFEST=1 after `collectstatic` (hashed, compressed, cached forever).
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("GRAPPE_STATIC_MANIFEST", False)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# E-mail (Django 6.1 MAILERS): SMTP when EMAIL_HOST is set, otherwise printed on the console.
_email_host = env_str("EMAIL_HOST", "")
if _email_host:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _email_host,
                "port": env_int("EMAIL_PORT", 25),
                "username": env_str("EMAIL_HOST_USER", ""),
                "password": env_str("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", False),
                "use_ssl": env_bool("EMAIL_USE_SSL", False),
                "timeout": env_int("EMAIL_TIMEOUT", 30),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Grappe <noreply@grappe.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background work: django.tasks with a database queue, run by `grappe worker` (with the periodic scheduler).
TASKS = {"default": {"BACKEND": env_str("GRAPPE_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
# `grappe worker` heartbeat and scheduler round, staleness seen by /healthz, default retry policy of a task
# (runs, and the wait before the second run, four times longer before each next one).
GRAPPE_WORKER_HEARTBEAT_SECONDS = env_int("GRAPPE_WORKER_HEARTBEAT_SECONDS", 15)
GRAPPE_WORKER_STALE_SECONDS = env_int("GRAPPE_WORKER_STALE_SECONDS", 120)
GRAPPE_TASK_MAX_ATTEMPTS = env_int("GRAPPE_TASK_MAX_ATTEMPTS", 3)
GRAPPE_TASK_RETRY_BACKOFF_SECONDS = env_int("GRAPPE_TASK_RETRY_BACKOFF_SECONDS", 60)
# Outgoing webhooks (grappe.core.webhooks): attempts, timeout, and whether intranet receivers are allowed.
GRAPPE_WEBHOOK_MAX_ATTEMPTS = env_int("GRAPPE_WEBHOOK_MAX_ATTEMPTS", 6)
GRAPPE_WEBHOOK_TIMEOUT_SECONDS = env_int("GRAPPE_WEBHOOK_TIMEOUT_SECONDS", 10)
GRAPPE_WEBHOOK_ALLOW_PRIVATE = env_bool("GRAPPE_WEBHOOK_ALLOW_PRIVATE", False)
# Public API directory: requests per client IP, and how many proxies set X-Forwarded-For (docs/operations.md).
GRAPPE_API_PUBLIC_RATE = env_str("GRAPPE_API_PUBLIC_RATE", "120/m")
NINJA_NUM_PROXIES = env_int("NINJA_NUM_PROXIES", 0) or None

# Cache shared by every web and worker process (API rate limits): the database by default (table made by
# `migrate`), Redis with GRAPPE_CACHE_URL=redis://host:6379/0 (needs the `redis` package), or
# GRAPPE_CACHE_URL=locmem:// for a per-process cache.
_cache_url = env_str("GRAPPE_CACHE_URL", "db://")
if _cache_url.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}}
elif _cache_url.startswith("locmem://"):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "grappe_cache",
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        }
    }

# Security (see `grappe check --deploy`)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"  # a page meant to be embedded (the showcase widget) uses @xframe_options_exempt
# Content Security Policy (Django's built-in): scripts only from our origin or inline with the request's
# nonce ({{ csp_nonce }}); no inline event handlers. Styles allow inline (style attributes, htmx indicators).
from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG and env_bool("GRAPPE_HTTPS", False))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
# Off by default (plain-HTTP local runs); production sets both with SECURE_HSTS_SECONDS (docs/operations.md).
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None

# The cluster this instance serves (one instance per cluster).
GRAPPE_CLUSTER_NAME = env_str("GRAPPE_CLUSTER_NAME", "Construction Circulaire Wallonie")
GRAPPE_CLUSTER_ENTERPRISE_NUMBER = env_str("GRAPPE_CLUSTER_ENTERPRISE_NUMBER", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "grappe.core.logformat.JsonFormatter"},  # LOG_FORMAT=json: one JSON object per line
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": env_str("LOG_FORMAT", "plain")}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # httpx logs every request at INFO: the watch poller would flood the logs.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "httpx": {"level": "WARNING"}},
}

# --- Watch (veille): polling limits and guards (grappe.watch.fetching) ---
# Tests set WATCH_ALLOW_PRIVATE_ADDRESSES for their loopback server; production keeps the SSRF guard on.
WATCH_ALLOW_PRIVATE_ADDRESSES = env_bool("WATCH_ALLOW_PRIVATE_ADDRESSES", False)
WATCH_FETCH_TIMEOUT_SECONDS = env_int("WATCH_FETCH_TIMEOUT_SECONDS", 20)
WATCH_MAX_BODY_BYTES = env_int("WATCH_MAX_BODY_BYTES", 5 * 1024 * 1024)
WATCH_MAX_REDIRECTS = env_int("WATCH_MAX_REDIRECTS", 5)
WATCH_HOST_MIN_DELAY_MS = env_int("WATCH_HOST_MIN_DELAY_MS", 2000)
WATCH_AUTO_PAUSE_AFTER = env_int("WATCH_AUTO_PAUSE_AFTER", 5)
WATCH_USER_AGENT = env_str("WATCH_USER_AGENT", "Grappe-watch/0.1 (+https://grappe.example/veille)")

# Register (KBO/BCE import, grappe.register): the territory whose enterprises form the register universe.
# Postal code ranges ("1300-1499,4000-7999", the Walloon Region, by default) or province NIS codes
# ("province:60000,90000"). An enterprise belongs to the universe when its seat or one of its
# establishments has a non-struck-off Belgian address in the territory.
GRAPPE_REGISTER_TERRITORY = env_str("GRAPPE_REGISTER_TERRITORY", "1300-1499,4000-7999")
# Imports from the staff workspace: upload size limit, and the only server directory a path may point into
# (empty: no server paths, uploads only).
GRAPPE_REGISTER_UPLOAD_MAX_MB = env_int("GRAPPE_REGISTER_UPLOAD_MAX_MB", 1024)
GRAPPE_REGISTER_IMPORT_DIR = env_str("GRAPPE_REGISTER_IMPORT_DIR", "")
# PostgreSQL: memory for the index builds of a full import (that transaction only; in MB). A full
# national import builds indexes over 15 M activity rows; lower it on a small database server.
GRAPPE_REGISTER_PG_INDEX_MEMORY_MB = env_int("GRAPPE_REGISTER_PG_INDEX_MEMORY_MB", 512)
