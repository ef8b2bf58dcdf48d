"""Settings, read from the environment only.

Every value has a safe default for the embedded demo (SQLite under ``var/``); production
sets ``DATABASE_URL``, ``SECRET_KEY``, ``ALLOWED_HOSTS`` and ``EMAIL_URL``. ``DEBUG`` is off
unless asked.
"""

import importlib.util
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from coproduce.production import check_production_secret_key

env = environ.Env()

PACKAGE_DIR = Path(__file__).resolve().parent
# In a source checkout (``pip install -e .``) data lives beside the code; elsewhere, in the
# working directory unless COPRODUCE_HOME says otherwise.
_checkout = PACKAGE_DIR.parents[1]
BASE_DIR = Path(
    env.str(
        "COPRODUCE_HOME",
        default=str(_checkout if (_checkout / "pyproject.toml").exists() else Path.cwd()),
    )
)
# Nothing is created at import: the ``coproduce`` command makes the SQLite directory before it
# runs (see ``coproduce.cli``), collectstatic makes STATIC_ROOT, file storage makes MEDIA_ROOT.
VAR_DIR = BASE_DIR / "var"

DEBUG = env.bool("DEBUG", default=False)
HTTPS = env.bool("HTTPS", default=False)
# The demo key only ever protects a local demo: it is public, so anyone could sign an email
# confirmation or a session with it. Behind TLS (production) the site refuses to start with it.
DEMO_SECRET_KEY = "coproduce-demo-key-not-for-production-use-0123456789"
SECRET_KEY = env.str("SECRET_KEY", default=DEMO_SECRET_KEY)
if HTTPS:
    check_production_secret_key(SECRET_KEY, demo_key=DEMO_SECRET_KEY)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Where people reach the site: the base of links in emails and feeds, which are written outside
# any request (after commit, by commands, by scheduled jobs).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rules.apps.AutodiscoverRulesConfig",
    "allauth",
    "allauth.account",
    "coproduce.audit",
    "coproduce.people",
    "coproduce.initiatives",
    "coproduce.ledger",
    "coproduce.commissioning",
    "coproduce.delivery",
    "coproduce.timebank",
    "coproduce.service_requests",
    "coproduce.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "coproduce.middleware.StaffIdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "coproduce.middleware.HelpfulMethodNotAllowedMiddleware",
    "coproduce.middleware.ReadFormFirstMiddleware",
    "coproduce.middleware.RefusedFormIs400Middleware",
]

ROOT_URLCONF = "coproduce.urls"
WSGI_APPLICATION = "coproduce.wsgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'coproduce.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while a writer commits; IMMEDIATE transactions stop two writers
    # from both reading the audit chain's head before either writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
# The cache holds the throttling counters: in the database by default, so every worker process
# sees the same counts (``coproduce createcachetable`` makes the table); CACHE_URL overrides it.
CACHES = {"default": env.cache_url("CACHE_URL", default="dbcache://coproduce_cache")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "people.Person"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    # Logs in by email address whatever its case, and runs allauth's throttling (ADR 0006).
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "initiatives:mine"
LOGOUT_REDIRECT_URL = "initiatives:list"

# Accounts: sign-up, log-in, email confirmation, password reset and change come from
# django-allauth (ADR 0006). People sign in with their email address; there is no username.
ACCOUNT_ADAPTER = "coproduce.people.accounts.AccountAdapter"
ACCOUNT_FORMS = {
    "login": "coproduce.people.accounts.LogInForm",
    "signup": "coproduce.people.accounts.SignUpForm",
}
ACCOUNT_SIGNUP_FORM_CLASS = "coproduce.people.forms.SignUpDetailsForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
# Signing in before confirming is allowed; what counts (voting, co-leading, recording hours)
# waits for the confirmation (people.rules.has_verified_email).
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 7
# A new address replaces the old one only once it is confirmed, so "confirmed" stays true.
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_MAX_EMAIL_ADDRESSES = 2
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Coproduce: "
ACCOUNT_LOGOUT_REDIRECT_URL = LOGOUT_REDIRECT_URL
# A newcomer lands on the initiatives they can join.
ACCOUNT_SIGNUP_REDIRECT_URL = "initiatives:list"
ACCOUNT_SESSION_REMEMBER = None
# Throttling, per address ("key"), per account ("user") and per network address ("ip"). The
# cache below is shared by every worker, so the limits hold across processes.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/15m/key",
    "signup": "5/h/ip",
    "reset_password": "5/m/ip,3/h/key",
    "confirm_email": "1/3m/key",
    "invite": "20/h/user,3/d/key",
}

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.str("STATIC_ROOT", default=str(VAR_DIR / "static"))
# The Leaflet map library comes from the django-leaflet package (installed from the package
# registry, never committed). Only its static files are used: the app itself needs GeoDjango.
_leaflet = importlib.util.find_spec("leaflet")
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
if _leaflet is not None and _leaflet.submodule_search_locations:
    STATICFILES_DIRS.append(Path(_leaflet.submodule_search_locations[0]) / "static")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(VAR_DIR / "media"))
MEDIA_URL = "media/"

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Coproduce <noreply@coproduce.invalid>")

# The audit log's checkpoints are signed with an Ed25519 key the database does not hold
# (coproduce/audit/keys.py, docs/security.md). Unset, the demo makes var/audit-signing-key.pem.
AUDIT_SIGNING_KEY = env.str("AUDIT_SIGNING_KEY", default="")
AUDIT_SIGNING_KEY_FILE = env.str("AUDIT_SIGNING_KEY_FILE", default="")
AUDIT_PREVIOUS_PUBLIC_KEYS = env.list("AUDIT_PREVIOUS_PUBLIC_KEYS", default=[])

# Security headers: on everywhere; HTTPS-only ones when the deployment says it is behind TLS.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=HTTPS)
# Joining the browsers' preload list is a deployment's own, hard to undo, decision: off unless
# asked, and check --deploy is not told to nag about it.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = ["security.W021"]
# Staff sessions end after this many seconds without a request (coproduce.middleware).
STAFF_SESSION_IDLE_SECONDS = env.int("STAFF_SESSION_IDLE_SECONDS", default=30 * 60)
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp): pages run only the site's own script files, with no
# inline script, style attribute or event handler; the map's tiles are the only outside images.
DELIVERY_MAP_TILE_URL = env.str(
    "DELIVERY_MAP_TILE_URL", default="https://tile.openstreetmap.org/{z}/{x}/{y}.png"
)
_tiles = urlsplit(DELIVERY_MAP_TILE_URL)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", f"{_tiles.scheme}://{_tiles.netloc.replace('{s}', '*')}"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

# Privacy (docs/security.md). The contact details sent with a service request are erased this
# many days after it is closed, by `coproduce erase_expired_contacts` (run daily from cron);
# each Open311 API key may post this many requests a minute.
SERVICE_REQUEST_CONTACT_RETENTION_DAYS = env.int(
    "SERVICE_REQUEST_CONTACT_RETENTION_DAYS", default=180
)
OPEN311_POSTS_PER_MINUTE = env.int("OPEN311_POSTS_PER_MINUTE", default=30)
if not 0 <= SERVICE_REQUEST_CONTACT_RETENTION_DAYS <= 3650:
    raise ImproperlyConfigured("SERVICE_REQUEST_CONTACT_RETENTION_DAYS must be 0 to 3650 days.")
if not 1 <= OPEN311_POSTS_PER_MINUTE <= 10000:
    raise ImproperlyConfigured("OPEN311_POSTS_PER_MINUTE must be 1 to 10000.")
