"""Django settings for jiceng.

Everything an operator may change comes from the environment:
``DATABASE_URL`` (SQLite or PostgreSQL), ``JICENG_DATA_DIR`` (SQLite file and
attachments, default ``./var``), ``JICENG_SECRET_KEY``, ``JICENG_DEBUG``,
``JICENG_ALLOWED_HOSTS``; the deadline settings ``JICENG_WORKING_HOURS``,
``JICENG_DUE_SOON_SHARE``, ``JICENG_SUPERVISE_AFTER_HOURS`` and
``JICENG_ESCALATE_AFTER_HOURS`` (see docs/sla-and-escalation.md); the security
baseline (docs/security.md): ``JICENG_HTTPS``, ``JICENG_HSTS_SECONDS``,
``JICENG_CSP``, ``JICENG_SESSION_IDLE_MINUTES``, ``JICENG_LOGIN_FAILURE_LIMIT``,
``JICENG_LOCKOUT_MINUTES``, ``JICENG_PASSWORD_MIN_LENGTH``.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent

# Files jiceng creates (database, attachments, keys, anchors, backups) are the
# service account's alone: 0600 files, 0700 directories (等保: 访问控制).
os.umask(0o077)
DATA_DIR = Path(os.environ.get("JICENG_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
if DATA_DIR.stat().st_uid == os.getuid():
    DATA_DIR.chmod(0o700)  # also tightens a data directory made before this rule


def _secret_key() -> str:
    """Use the configured key, else one generated once and kept in the data dir (created 0600)."""
    if key := os.environ.get("JICENG_SECRET_KEY"):
        return key
    key_file = DATA_DIR / "secret_key"
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("JICENG_DEBUG", "0") == "1"
# Exactly the documented hosts; Django's test setup adds "testserver" for tests itself.
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("JICENG_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",  # login throttling and lockout
    "django_tasks",  # background tasks (the notifications' outbox), backport of Django 6's django.tasks
    "django_tasks_db",  # their database backend: jobs are rows, SQLite needs no broker
    "ninja",  # serves the API docs' JS and CSS from the package: no CDN
    "jiceng.areas",
    "jiceng.accounts",
    "jiceng.people",
    "jiceng.cases",
    "jiceng.triage",
    "jiceng.insurance",
    "jiceng.programmes",
    "jiceng.notifications",
    "jiceng.stats",
    "jiceng.api",
    "jiceng.web",
    "jiceng.demo",
    "jiceng.security",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "jiceng.web.middleware.ChineseFirstLocaleMiddleware",
    "jiceng.security.middleware.HostileInputMiddleware",  # after the locale: its 400s speak the user's language
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "jiceng.urls"
WSGI_APPLICATION = "jiceng.wsgi.application"

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
                "jiceng.web.context_processors.capabilities",
                "jiceng.notifications.context_processors.unread",
            ],
        },
    },
]


def _database() -> dict:
    url = os.environ.get("DATABASE_URL")
    if url:
        db = dj_database_url.parse(url, conn_max_age=60)
    else:
        db = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(DATA_DIR / "jiceng.sqlite3")}
    if db["ENGINE"] == "django.db.backends.sqlite3":
        # IMMEDIATE transactions take the write lock up front, so two writers
        # queue instead of failing with "database is locked" on lock upgrade.
        db["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        }
    return db


DATABASES = {"default": _database()}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    for _suffix in ("", "-wal", "-shm"):  # a database file made before the 0600 rule is tightened too
        _file = Path(f"{DATABASES['default']['NAME']}{_suffix}")
        if _file.exists() and _file.stat().st_uid == os.getuid():
            _file.chmod(0o600)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Security baseline (docs/security.md) -----------------------------------

# Identification: Argon2 first; older hashes (PBKDF2 …) still check and are
# rehashed with Argon2 at the user's next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
PASSWORD_MIN_LENGTH = int(os.environ.get("JICENG_PASSWORD_MIN_LENGTH", "10"))
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "jiceng.security.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "jiceng.security.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
]

# Login failures: lock the account name after N failures for M minutes
# (django-axes); an administrator unlocks with `jiceng unlock NAME` or in /admin/.
# axes' backend only checks the lockout (it never logs anyone in); Django's model backend checks the password.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = int(os.environ.get("JICENG_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("JICENG_LOCKOUT_MINUTES", "30")))
# By account name, whatever the address: rotating addresses does not buy more guesses.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]  # that check assumes address-based locking
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "jiceng.security.lockout.lockout_response"
AXES_VERBOSE = False

# Sessions end after this many idle minutes (every request renews the clock)
# and when the browser closes.
SESSION_IDLE_MINUTES = int(os.environ.get("JICENG_SESSION_IDLE_MINUTES", "30"))
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# A refused form says why in the user's language, inside the site frame.
CSRF_FAILURE_VIEW = "jiceng.web.error_views.csrf_failure"

# HTTPS deployments (JICENG_HTTPS=1): cookies only over TLS, HSTS; behind a
# TLS-terminating proxy set JICENG_BEHIND_PROXY=1 so Django knows the scheme.
HTTPS = os.environ.get("JICENG_HTTPS", "0") == "1"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("JICENG_HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS and os.environ.get("JICENG_HSTS_SUBDOMAINS", "0") == "1"
SECURE_SSL_REDIRECT = HTTPS and os.environ.get("JICENG_SSL_REDIRECT", "1") == "1"
if os.environ.get("JICENG_BEHIND_PROXY", "0") == "1":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy: only jiceng's own (vendored) scripts, no inline
# script; inline style attributes stay allowed. JICENG_CSP=enforce (default),
# report-only, or off.
_CSP_MODE = os.environ.get("JICENG_CSP", "enforce")
_CSP = {
    "DIRECTIVES": {
        "default-src": ["'self'"], "script-src": ["'self'"], "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"], "font-src": ["'self'", "data:"], "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"], "form-action": ["'self'"], "base-uri": ["'self'"], "object-src": ["'none'"],
    },
}
CONTENT_SECURITY_POLICY = _CSP if _CSP_MODE == "enforce" else None
CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP if _CSP_MODE == "report-only" else None

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise serves from the package via finders; the folder only has to exist
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "attachments"
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
ATTACHMENT_MAX_BYTES = int(os.environ.get("JICENG_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024))
DATA_UPLOAD_MAX_MEMORY_SIZE = ATTACHMENT_MAX_BYTES + 1024 * 1024

# Anonymous submissions through the public API and Open311, per client address.
PUBLIC_SUBMIT_RATE = os.environ.get("JICENG_PUBLIC_SUBMIT_RATE", "20/h")
# Public look-ups of a case (tracking page, public API, Open311 without a key), per client address.
PUBLIC_TRACK_RATE = os.environ.get("JICENG_PUBLIC_TRACK_RATE", "60/h")

# Deadlines (docs/sla-and-escalation.md): working periods of a working day in
# Asia/Shanghai, the share of a limit left at which a case is due soon (临期),
# and how long (working hours) a case may be overdue before tick supervises it
# (督办) or, where its category allows, escalates it to the next tier.
JICENG_WORKING_HOURS = os.environ.get("JICENG_WORKING_HOURS", "08:30-12:00,14:30-17:30")
JICENG_DUE_SOON_SHARE = float(os.environ.get("JICENG_DUE_SOON_SHARE", "0.2"))
JICENG_SUPERVISE_AFTER_HOURS = int(os.environ.get("JICENG_SUPERVISE_AFTER_HOURS", "4"))
JICENG_ESCALATE_AFTER_HOURS = int(os.environ.get("JICENG_ESCALATE_AFTER_HOURS", "13"))
JICENG_SUPERVISE_REPLY_DAYS = int(os.environ.get("JICENG_SUPERVISE_REPLY_DAYS", "2"))  # working days to answer a 督办

# Backups (jiceng backup): JSON whose times keep their microseconds (the hash chain covers them).
SERIALIZATION_MODULES = {"json-exact": "jiceng.security.serializer"}

# The record (docs/security-record.md): the daily signed anchor of every case's
# chain head, kept outside the database; the signing key (Ed25519, created on
# first use with mode 0600) in the data directory unless JICENG_ANCHOR_KEY names
# another path; an anchor is due when the last is older than this many hours.
ANCHOR_DIR = Path(os.environ.get("JICENG_ANCHOR_DIR", str(DATA_DIR / "anchors"))).resolve()
ANCHOR_KEY_PATH = Path(os.environ.get("JICENG_ANCHOR_KEY", str(DATA_DIR / "anchor-key.pem"))).resolve()
# Encryption at rest of phones and ID numbers (jiceng.sealed, docs/security.md):
# the field key ring (AES-GCM and HMAC keys with ids), created 0600 on first use;
# keep it out of database backups (jiceng backup writes it only with --keys DIR).
FIELD_KEY_PATH = Path(os.environ.get("JICENG_FIELD_KEY_FILE", str(DATA_DIR / "field-keys.json"))).resolve()
ANCHOR_INTERVAL_HOURS = float(os.environ.get("JICENG_ANCHOR_INTERVAL_HOURS", "24"))
# A client's claimed time (a sensor's alert time) is data, refused outside this
# window around the server clock; a series records at most one alert_repeat
# event per this many seconds (the rest is counted and recorded by the next one).
CLAIMED_TIME_MAX_AGE_DAYS = float(os.environ.get("JICENG_CLAIMED_TIME_MAX_AGE_DAYS", "7"))
CLAIMED_TIME_MAX_AHEAD_MINUTES = float(os.environ.get("JICENG_CLAIMED_TIME_MAX_AHEAD_MINUTES", "5"))
ALERT_RECORD_SECONDS = float(os.environ.get("JICENG_ALERT_RECORD_SECONDS", "60"))

# Notifications (docs/notifications.md): the in-app inbox always; the outbox sends
# over the channels configured here, each delivery retried with exponential
# back-off by the task worker (`jiceng worker`, or a thread of `jiceng serve`).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "notifications"]}}
NOTIFICATIONS = {
    # Absolute links in SMS, WeChat and e-mail texts start with this.
    "SITE_URL": os.environ.get("JICENG_SITE_URL", "http://127.0.0.1:8000").rstrip("/"),
    "MAX_ATTEMPTS": int(os.environ.get("JICENG_NOTIFY_MAX_ATTEMPTS", "6")),
    "BACKOFF_SECONDS": float(os.environ.get("JICENG_NOTIFY_BACKOFF_SECONDS", "60")),  # 1, 2, 4, 8 … minutes
    "BACKOFF_MAX_SECONDS": float(os.environ.get("JICENG_NOTIFY_BACKOFF_MAX_SECONDS", str(6 * 3600))),
    "TIMEOUT_SECONDS": float(os.environ.get("JICENG_NOTIFY_TIMEOUT_SECONDS", "10")),
    # An SMS gateway that takes POSTed JSON; "fake" records messages in the outbox without sending (demos).
    "SMS": {"URL": os.environ.get("JICENG_SMS_URL", ""), "TOKEN": os.environ.get("JICENG_SMS_TOKEN", ""),
            "SIGN": os.environ.get("JICENG_SMS_SIGN", "基层治理")},
    # WeChat official-account template messages (cgi-bin/message/template/send).
    "WECHAT": {"URL": os.environ.get("JICENG_WECHAT_URL", ""), "ACCESS_TOKEN": os.environ.get("JICENG_WECHAT_ACCESS_TOKEN", ""),
               "TEMPLATE_ID": os.environ.get("JICENG_WECHAT_TEMPLATE_ID", "")},
    # E-mail through Django's mail backend (EMAIL_* below).
    "EMAIL": {"ENABLED": os.environ.get("JICENG_NOTIFY_EMAIL", "0") == "1"},
}
EMAIL_HOST = os.environ.get("JICENG_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("JICENG_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("JICENG_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("JICENG_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("JICENG_EMAIL_TLS", "0") == "1"
DEFAULT_FROM_EMAIL = os.environ.get("JICENG_EMAIL_FROM", "jiceng@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("JICENG_LOG_LEVEL", "WARNING")},
    "loggers": {"jiceng": {"level": os.environ.get("JICENG_LOG_LEVEL", "INFO")}},
}
