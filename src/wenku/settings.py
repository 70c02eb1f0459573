"""Django settings, derived from the declared WENKU_* environment settings (wenku.config)."""

from __future__ import annotations

from pathlib import Path

from wenku import config
from wenku.core.cache import cache_settings
from wenku.core.datadir import database_settings, prepare_data_dir
from wenku.core.logs import logging_settings

WENKU = config.load()
DATA_DIR: Path = WENKU.data_dir
SECRET_KEY = prepare_data_dir(DATA_DIR, WENKU.secret_key)
DEBUG = WENKU.debug
ALLOWED_HOSTS = config.allowed_hosts(WENKU)
CSRF_TRUSTED_ORIGINS = config.trusted_origins(WENKU)
PACKAGE_DIR = Path(__file__).resolve().parent

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "wenku.core",
    "wenku.accounts",
    "wenku.library",
    "wenku.ingest",
    "wenku.worker",
    "wenku.search",
    "wenku.notifications",
    "wenku.moderation",
    "wenku.community",
    "wenku.economy",
    "wenku.publishing",
]

MIDDLEWARE = [
    "wenku.core.requests.request_id",
    "wenku.core.middleware.request_metrics",
    "wenku.core.security.https_from_trusted_proxy",
    "django.middleware.security.SecurityMiddleware",
    "wenku.core.security.security_headers",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "wenku.core.middleware.upload_size_limit",
    "wenku.core.security.no_nul_characters",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "wenku.core.middleware.site_language",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "wenku.urls"
WSGI_APPLICATION = "wenku.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["wenku.accounts.backends.UsernameOrEmailBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]
PASSWORD_RESET_TIMEOUT = WENKU.email_link_hours * 3600
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wenku.core.context_processors.site",
                "wenku.notifications.context_processors.notifications",
                "wenku.economy.context_processors.account",
            ],
        },
    }
]

DATABASES = {"default": database_settings(WENKU.database_url, DATA_DIR)}
# One cache shared by every process (never per process): Redis, the database or files.
CACHES = {
    "default": cache_settings(
        WENKU, DATA_DIR, "postgresql" if "postgresql" in DATABASES["default"]["ENGINE"] else ""
    )
}
# Sessions live in the database; with Redis they are read through the cache as well.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db" if WENKU.redis_url else "wenku.accounts.sessions"
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default", "ingest", "ocr"],
    }
}

STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": DATA_DIR / "files", "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

LANGUAGE_CODE = WENKU.language
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = WENKU.time_zone
USE_I18N = True
USE_TZ = True

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_TEMP_DIR = str(DATA_DIR / "tmp")
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Sent only on HTTPS requests (through a trusted proxy: wenku.core.security).
SECURE_HSTS_SECONDS = WENKU.hsts_seconds

# E-mail: files under DATA_DIR/mail by default (an operator reads them), SMTP by settings.
EMAIL_BACKEND = {
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
}[WENKU.email_backend]
EMAIL_FILE_PATH = DATA_DIR / "mail"
DEFAULT_FROM_EMAIL = WENKU.email_from
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = WENKU.smtp_host
EMAIL_PORT = WENKU.smtp_port
EMAIL_HOST_USER = WENKU.smtp_user
EMAIL_HOST_PASSWORD = WENKU.smtp_password
EMAIL_USE_TLS = WENKU.smtp_security == "starttls"
EMAIL_USE_SSL = WENKU.smtp_security == "ssl"
EMAIL_TIMEOUT = 20

# JSON lines in DATA_DIR/logs/wenku.log, and text (or JSON) on standard output; every
# record names the request it was written for (core.requests). Unhandled exceptions
# reach django.request at ERROR, with their traceback; 404s are not logged.
LOGGING = logging_settings(DATA_DIR, WENKU.log_level, WENKU.log_format)
