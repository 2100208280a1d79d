"""Django settings for jiceng.

Everything an operator may change comes from the environment:
``DATABASE_URL`` (SQLite or PostgreSQL), ``JICENG_DATA_DIR`` (SQLite file and
attachments, default ``./var``), ``JICENG_SECRET_KEY``, ``JICENG_DEBUG``,
``JICENG_ALLOWED_HOSTS``; the deadline settings ``JICENG_WORKING_HOURS``,
``JICENG_DUE_SOON_SHARE``, ``JICENG_SUPERVISE_AFTER_HOURS`` and
``JICENG_ESCALATE_AFTER_HOURS`` (see docs/sla-and-escalation.md).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("JICENG_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Use the configured key, else one generated once and kept in the data dir."""
    if key := os.environ.get("JICENG_SECRET_KEY"):
        return key
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("JICENG_DEBUG", "0") == "1"
ALLOWED_HOSTS = os.environ.get("JICENG_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # serves the API docs' JS and CSS from the package: no CDN
    "jiceng.areas",
    "jiceng.accounts",
    "jiceng.cases",
    "jiceng.triage",
    "jiceng.insurance",
    "jiceng.api",
    "jiceng.web",
    "jiceng.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "jiceng.web.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
]

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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("JICENG_LOG_LEVEL", "WARNING")},
    "loggers": {"jiceng": {"level": os.environ.get("JICENG_LOG_LEVEL", "INFO")}},
}
