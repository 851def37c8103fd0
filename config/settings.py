"""Django settings for Elevdialog.

Everything that differs between machines comes from the environment, read once here
through ``config.env.Env``. Three modes, chosen by ``ELEVDIALOG_ENV``:

* ``development`` (default, what ``make run`` uses): SQLite in ``var/`` and the in-memory
  channel layer unless ``DATABASE_URL`` / ``REDIS_URL`` are set; static files and the
  service worker are read again on every request. A secret key is generated once into
  ``var/secret_key`` (never committed).
* ``test``: ``DATABASE_URL`` and ``REDIS_URL`` required (the suite runs against real
  PostgreSQL and Redis), a cheap Argon2 cost so the suite stays fast.
* ``production``: every security setting on; ``SECRET_KEY``, ``ALLOWED_HOSTS``,
  ``DATABASE_URL`` and ``REDIS_URL`` required. ``manage.py check --deploy`` is silent.
"""

from __future__ import annotations

import base64
import re
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from cryptography.hazmat.primitives.asymmetric import ec

from config import saml
from config.env import ConfigurationError, Env

env = Env()
BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env.string("ELEVDIALOG_VAR_DIR", str(BASE_DIR / "var")))

MODE = env.choice("ELEVDIALOG_ENV", ("development", "test", "production"), "development")
PRODUCTION = MODE == "production"
TESTING = MODE == "test"
DEVELOPMENT = MODE == "development"


def _development_secret_key() -> str:
    """A per-checkout key for local runs; production must bring its own."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


if PRODUCTION:
    SECRET_KEY = env.string("SECRET_KEY")
    if len(SECRET_KEY) < 50:
        raise ConfigurationError("SECRET_KEY must be at least 50 characters in production.")
else:
    SECRET_KEY = env.optional_string("SECRET_KEY") or _development_secret_key()
SECRET_KEY_FALLBACKS = env.strings("SECRET_KEY_FALLBACKS", [])

# Off in every mode, the demo included: with DEBUG on, Django answers a missing or forbidden
# page with its own debug page (English, listing every URL pattern) and an error with a
# traceback, instead of the app's error pages. A developer who wants those sets DEBUG=true.
DEBUG = env.boolean("DEBUG", False)
ALLOWED_HOSTS = (
    env.strings("ALLOWED_HOSTS")
    if PRODUCTION
    else env.strings("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
)
CSRF_TRUSTED_ORIGINS = env.strings("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin.apps.SimpleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "djangosaml2",
    "accounts",
    "notifications",
    "roster",
    "writing",
    "dialogue",
    "classblog",
    "records",
    "frontend",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Cache-Control: no-store on everything but static files (served just above) and views
    # marked as holding nothing personal: pages about a child never stay in a cache.
    "frontend.caching.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The SAML login's own session (its outstanding requests), in a cookie the identity
    # provider's cross-site POST back to us still carries (SameSite=None over https).
    "djangosaml2.middleware.SamlSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.VerificationMiddleware",
    "accounts.middleware.RequireOTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "frontend.answers.ActionErrorMiddleware",
    # Openings of a request that followed a notification are logged with that channel.
    "frontend.opening_channel.OpeningChannelMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Overrides of Django's own templates (the admin's base_site.html adds frontend/admin.css):
        # the apps' template folders come after django.contrib.admin's, so they cannot.
        "DIRS": [BASE_DIR / "frontend" / "overrides"],
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

# --- Data stores -------------------------------------------------------------------------
DATABASES: dict[str, Any]
CHANNEL_LAYERS: dict[str, Any]
_database_url = env.optional_string("DATABASE_URL")
if _database_url is None:
    if PRODUCTION or TESTING:
        raise ConfigurationError("DATABASE_URL is required outside development.")
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            # The embedded default serves one Daphne process; wait for locks rather than fail.
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
else:
    # Persistent connections: every socket frame touches the database, and opening a
    # PostgreSQL connection per frame cost more than the frame's own work. Tests keep none:
    # a socket's worker thread would hold the test database open past its teardown.
    DATABASES = {
        "default": dict(
            dj_database_url.parse(
                _database_url,
                conn_max_age=env.integer("DB_CONN_MAX_AGE", 0 if TESTING else 600),
                conn_health_checks=True,
            )
        )
    }
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # A database host that does not answer must fail a frame in seconds (the socket
        # then answers "unavailable"), not hold a thread for the system's TCP timeout.
        DATABASES["default"].setdefault("OPTIONS", {})
        DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", env.integer("DB_CONNECT_TIMEOUT", 5))
        # The statements of ``accounts.statements`` are prepared unless this is off (None
        # turns psycopg's preparing off). The ORM's cursors bind on the client and never are.
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = (
            5 if env.boolean("DB_PREPARED_STATEMENTS", True) else None
        )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def _seconds(name: str, default: float) -> float:
    """A positive number of seconds (fractions allowed) from the environment."""
    raw = env.string(name, str(default))
    try:
        value = float(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a number of seconds, not {raw!r}.") from None
    if not 0 < value < 3600:
        raise ConfigurationError(f"{name} must be above 0 and below 3600 seconds, not {raw!r}.")
    return value


# A server process's subscription to Redis (config/channel_layer.py) is pinged after this
# many quiet seconds, and Redis counts as unreachable when a command, or that ping, has had no
# answer within REDIS_SOCKET_TIMEOUT. A Redis that is down or restarting is noticed at once
# (the connection is refused or reset); one that hangs, within the two together.
CHANNEL_LAYER_PING_SECONDS = _seconds("CHANNEL_LAYER_PING_SECONDS", 5)
REDIS_SOCKET_TIMEOUT = _seconds("REDIS_SOCKET_TIMEOUT", 2 * CHANNEL_LAYER_PING_SECONDS)

REDIS_URL = env.optional_string("REDIS_URL")
if REDIS_URL is None:
    if PRODUCTION or TESTING:
        raise ConfigurationError("REDIS_URL is required outside development.")
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
else:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "config.channel_layer.ResilientRedisChannelLayer",
            # Test runs sharing one Redis must not hear each other's groups.
            "CONFIG": {
                "hosts": [{"address": REDIS_URL, "socket_timeout": REDIS_SOCKET_TIMEOUT}],
                "ping_seconds": CHANNEL_LAYER_PING_SECONDS,
                "prefix": f"test-{DATABASES['default']['NAME']}" if TESTING else "asgi",
            },
        }
    }

# Seconds between a browser's heartbeats on its WebSocket; a reply that does not come in
# time makes it reconnect. Each heartbeat also re-asserts group memberships and lets the
# browser catch up on anything the channel layer dropped.
WEBSOCKET_HEARTBEAT_SECONDS = env.integer("WEBSOCKET_HEARTBEAT_SECONDS", 20)
# Live sockets one person may have open at once, over all their tabs, devices and the
# server processes (counted in Redis): one session once opened 200.
WEBSOCKETS_PER_PERSON = env.integer("WEBSOCKETS_PER_PERSON", 20)
# A socket's place in that count lasts this long unless its server process renews it (every
# third of it), so the places of a process that died without closing its sockets free up.
WEBSOCKET_SLOT_SECONDS = env.integer("WEBSOCKET_SLOT_SECONDS", 60)
# A directory of extra sensitive-text word lists (<language>/<category>.txt) that a
# municipality adds to the shipped ones.
GUARD_EXTRA_WORDS_DIR = env.optional_string("GUARD_EXTRA_WORDS_DIR")
# Messages one person may send per minute, over all their tabs and devices.
DIALOGUE_SEND_LIMIT_PER_MINUTE = env.integer("DIALOGUE_SEND_LIMIT_PER_MINUTE", 30)

# --- Accounts, passwords, sessions ---------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "start"
LOGOUT_REDIRECT_URL = "login"

PASSWORD_HASHERS = [
    # Argon2id (OWASP's first choice). Tests use the same algorithm at a lower cost.
    "tests.support.hashers.FastArgon2PasswordHasher"
    if TESTING
    else "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

# NIST SP 800-63B: length and a blocklist, no composition rules, long passphrases welcome.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "accounts.passwords.LengthValidator", "OPTIONS": {"min_length": 8, "max_length": 256}},
    {"NAME": "accounts.passwords.BlocklistValidator"},
    {"NAME": "accounts.passwords.RepetitionValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]

SESSION_COOKIE_AGE = env.integer("SESSION_COOKIE_AGE", 14 * 24 * 3600)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# Failed logins: after LOGIN_FAILURE_LIMIT failures for one username within the window
# further attempts are refused until the window has passed; an address gets a larger budget
# because a whole school can share one.
LOGIN_FAILURE_LIMIT = env.integer("LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_LIMIT_PER_ADDRESS = env.integer("LOGIN_FAILURE_LIMIT_PER_ADDRESS", 50)
LOGIN_FAILURE_WINDOW_SECONDS = env.integer("LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60)

OTP_TOTP_ISSUER = "Elevdialog"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

# --- Security headers ------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No inline scripts or styles anywhere: every asset is a file served by the app itself.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; manifest-src 'self'; worker-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

if PRODUCTION:
    SECURE_SSL_REDIRECT = env.boolean("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.integer("SECURE_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.boolean("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env.boolean("SECURE_HSTS_PRELOAD", True)
    if env.boolean("BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Languages and time ------------------------------------------------------------------------
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Stockholm"
# One way to write a date and a time, the same in both languages (config/formats/).
FORMAT_MODULE_PATH = ["config.formats"]
USE_TZ = True

# --- Static files ------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing root
# Outside production the files are served straight from the apps, so no collectstatic step.
WHITENOISE_USE_FINDERS = not PRODUCTION
# While developing, static files (and the service worker, frontend/views/pwa.py) are read
# again on every request and not cached by the browser, so an edited file shows on reload.
RELOAD_ASSETS = DEVELOPMENT or DEBUG
WHITENOISE_AUTOREFRESH = RELOAD_ASSETS
WHITENOISE_MAX_AGE = 0 if RELOAD_ASSETS else 60
# Attachments are private: no URL maps to this directory; a view serves each file after
# asking the access policy.
ATTACHMENTS_DIR = Path(env.string("ATTACHMENTS_DIR", str(VAR_DIR / "attachments")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "attachments": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": ATTACHMENTS_DIR},
    },
    "staticfiles": {
        "BACKEND": "config.static_storage.StaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- E-mail ------------------------------------------------------------------------------------
# SMTP when EMAIL_HOST is set. Otherwise the demo and tests keep each e-mail in a file under
# var/mail/ (printed, they would bury the demo logins in `make run`'s output), and production
# prints them to the log.
EMAIL_HOST = env.string("EMAIL_HOST", "localhost")
if env.optional_string("EMAIL_HOST"):
    _email_backend = "smtp"
elif PRODUCTION:
    _email_backend = "console"
else:
    _email_backend = "filebased"
EMAIL_BACKEND = env.string("EMAIL_BACKEND", f"django.core.mail.backends.{_email_backend}.EmailBackend")
EMAIL_FILE_PATH = Path(env.string("EMAIL_FILE_PATH", str(VAR_DIR / "mail")))
EMAIL_PORT = env.integer("EMAIL_PORT", 25)
EMAIL_HOST_USER = env.string("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env.string("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env.boolean("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env.boolean("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env.integer("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env.string("DEFAULT_FROM_EMAIL", "Elevdialog <noreply@elevdialog.localhost>")

# --- Notifications -------------------------------------------------------------------------------
# Links in e-mails and pushes point here (no request to take the host from in the worker).
SITE_URL = env.string("SITE_URL") if PRODUCTION else env.string("SITE_URL", "http://127.0.0.1:8000")


def _development_vapid_key() -> str:
    """A per-checkout VAPID key (raw P-256 private value, base64url) so push works locally;
    production brings its own (``manage.py create_vapid_keys``)."""
    key_file = VAR_DIR / "vapid_private_key"
    if not key_file.exists():
        private = ec.generate_private_key(ec.SECP256R1()).private_numbers().private_value
        raw = base64.urlsafe_b64encode(private.to_bytes(32, "big")).rstrip(b"=").decode()
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(raw)
        key_file.chmod(0o600)
    return key_file.read_text().strip()


# Web Push (VAPID). Without a private key push is off and the settings page says so.
VAPID_PRIVATE_KEY = env.optional_string("VAPID_PRIVATE_KEY") or (
    None if PRODUCTION else _development_vapid_key()
)
VAPID_SUBJECT = env.string("VAPID_SUBJECT", "mailto:noreply@elevdialog.localhost")
WEB_PUSH_TTL = env.integer("WEB_PUSH_TTL", 24 * 3600)
if WEB_PUSH_TTL <= 0:
    raise ConfigurationError("WEB_PUSH_TTL must be above zero (a push service drops TTL 0 pushes).")
# Push endpoints over plain http (the test suite's local push service); never in production.
WEB_PUSH_ALLOW_HTTP = False if PRODUCTION else env.boolean("WEB_PUSH_ALLOW_HTTP", True)
# The embedded default (make run) delivers from a thread of the web process; with a
# separate worker (the Procfile's ``worker:`` line) set this to false.
NOTIFICATIONS_IN_PROCESS_WORKER = env.boolean("NOTIFICATIONS_IN_PROCESS_WORKER", MODE == "development")
NOTIFICATIONS_PUSH_CONCURRENCY = env.integer("NOTIFICATIONS_PUSH_CONCURRENCY", 8)
# How long a worker holds what it took before another worker may take it again (a worker
# that died mid-batch); longer than the slowest send.
NOTIFICATIONS_LEASE_SECONDS = env.integer("NOTIFICATIONS_LEASE_SECONDS", 300)
# Notifications (not the documents they point to) are removed after this many days.
NOTIFICATIONS_KEEP_DAYS = env.integer("NOTIFICATIONS_KEEP_DAYS", 365)
# The worker's daily purge of what the retention rules say is due (records.retention). Off by
# default in development: `make run`'s demo keeps a student whose purge is due, for the dry run.
RETENTION_DAILY_PURGE = env.boolean("RETENTION_DAILY_PURGE", not DEVELOPMENT)

# --- The access log --------------------------------------------------------------------------------
# The principal's review lists anyone who opened more than this many different students'
# records of the school in one day.
ACCESS_REVIEW_DAILY_STUDENTS = env.integer("ACCESS_REVIEW_DAILY_STUDENTS", 30)
if ACCESS_REVIEW_DAILY_STUDENTS < 1:
    raise ConfigurationError("ACCESS_REVIEW_DAILY_STUDENTS must be at least 1.")

# --- The student register (SS 12000) ---------------------------------------------------------------
# Either an SS 12000 API (ROSTER_API_URL, with OAuth 2 client credentials or a fixed bearer
# token) or a JSON file of the same entities (ROSTER_FILE). With neither, nothing is synced.
ROSTER_API_URL = env.optional_string("ROSTER_API_URL")
ROSTER_TOKEN_URL = env.optional_string("ROSTER_TOKEN_URL")
ROSTER_CLIENT_ID = env.optional_string("ROSTER_CLIENT_ID")
ROSTER_CLIENT_SECRET = env.optional_string("ROSTER_CLIENT_SECRET")
ROSTER_BEARER_TOKEN = env.optional_string("ROSTER_BEARER_TOKEN")
ROSTER_FILE = env.optional_string("ROSTER_FILE")
if DEVELOPMENT and not (ROSTER_FILE or ROSTER_API_URL) and (VAR_DIR / "demo-register.json").exists():
    # The demo's register as ``seed_demo`` left it (``roster.demo``): "Sync now" works in
    # ``make run`` as at a school without the API.
    ROSTER_FILE = str(VAR_DIR / "demo-register.json")
ROSTER_PAGE_SIZE = env.integer("ROSTER_PAGE_SIZE", 500)
ROSTER_TIMEOUT_SECONDS = env.integer("ROSTER_TIMEOUT_SECONDS", 30)
# The nightly run starts at the first worker round after this local time (HH:MM).
ROSTER_NIGHTLY_AT = env.string("ROSTER_NIGHTLY_AT", "02:30")
if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", ROSTER_NIGHTLY_AT):
    raise ConfigurationError("ROSTER_NIGHTLY_AT must be a time of day as HH:MM, e.g. 02:30.")
_roster_client = ROSTER_TOKEN_URL and ROSTER_CLIENT_ID and ROSTER_CLIENT_SECRET
if ROSTER_API_URL and not (ROSTER_BEARER_TOKEN or _roster_client):
    raise ConfigurationError(
        "ROSTER_API_URL needs ROSTER_BEARER_TOKEN, or ROSTER_TOKEN_URL, ROSTER_CLIENT_ID and "
        "ROSTER_CLIENT_SECRET."
    )

# --- Logging -------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Civic numbers never reach a log (config/logfilters.py): every handler masks them.
    "filters": {"civic_numbers": {"()": "config.logfilters.MaskCivicNumbers"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["civic_numbers"]}
    },
    "root": {"handlers": ["console"], "level": env.string("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint (the release's PDF copies) logs each layout step at INFO; its warnings
        # (a resource refused by the fetcher) still show.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # pysaml2's schema library announces each schema it loads at INFO.
        "xmlschema": {"level": "WARNING"},
        # The SAML libraries: pysaml2 logs whole assertions (names, civic numbers) with some of
        # its errors, so only its critical messages pass; our own views log each refusal as
        # one line without the assertion (frontend.views.saml).
        "djangosaml2": {"level": "WARNING"},
        "saml2": {"level": "CRITICAL"},
    },
}
CSRF_FAILURE_VIEW = "frontend.views.errors.csrf_failure"

# --- Logging in with e-ID and school accounts (SAML 2.0) ---------------------------------------
# The providers (config/saml.py says how to write them). In development, without any, the
# local development identity provider `make run` starts (devidp/, never in production) is used
# when its files exist.
SAML_IDENTITY_PROVIDERS = saml.identity_providers(
    env.optional_string("SAML_IDENTITY_PROVIDERS"), allow_http=not PRODUCTION
)
SAML_DEV_DIR = VAR_DIR / "saml"
if DEVELOPMENT and not SAML_IDENTITY_PROVIDERS and (SAML_DEV_DIR / "eid-metadata.xml").is_file():
    SAML_IDENTITY_PROVIDERS = (
        saml.IdentityProviderSetting("eid", str(SAML_DEV_DIR / "eid-metadata.xml")),
        saml.IdentityProviderSetting("school", str(SAML_DEV_DIR / "school-metadata.xml")),
    )
# This service's signing key and certificate (PEM files); required with any provider, except
# in development, where `make run` makes them.
SAML_KEY_FILE = env.string("SAML_KEY_FILE", str(SAML_DEV_DIR / "sp.key") if not PRODUCTION else "")
SAML_CERT_FILE = env.string("SAML_CERT_FILE", str(SAML_DEV_DIR / "sp.crt") if not PRODUCTION else "")
if SAML_IDENTITY_PROVIDERS and not (Path(SAML_KEY_FILE).is_file() and Path(SAML_CERT_FILE).is_file()):
    raise ConfigurationError(
        "SAML_IDENTITY_PROVIDERS needs SAML_KEY_FILE and SAML_CERT_FILE: this service's signing key "
        "and certificate (PEM files)."
    )
SAML_ENTITY_ID = env.string("SAML_ENTITY_ID", f"{SITE_URL}/saml2/metadata/")
# Clocks differ: an assertion's validity window is stretched by this much at each end.
SAML_CLOCK_SKEW_SECONDS = env.integer("SAML_CLOCK_SKEW_SECONDS", 60)
# Metadata from a URL is read again after this long (a file is read again when it changes).
SAML_METADATA_REFRESH_SECONDS = env.integer("SAML_METADATA_REFRESH_SECONDS", 3600)
# The sensitive actions (the archive, exports, releases) need a strong login this recent.
STRONG_LOGIN_MAX_AGE_SECONDS = env.integer("STRONG_LOGIN_MAX_AGE_SECONDS", 15 * 60)
# djangosaml2: our configuration (accounts/saml/config.py), never an account made at login.
SAML_CONFIG_LOADER = "accounts.saml.config.sp_config"
SAML_CREATE_UNKNOWN_USER = False
# The AuthnRequest goes by HTTP-Redirect: an auto-posted form to the provider's origin would
# break CSP form-action 'self'. No django-csp: our own middleware sets the policy.
SAML_DEFAULT_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
SAML_LOGOUT_REQUEST_PREFERRED_BINDING = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
SAML_CSP_HANDLER = ""
SAML_SESSION_COOKIE_NAME = "saml_session"
SAML_SESSION_COOKIE_SAMESITE = "None" if PRODUCTION else "Lax"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "accounts.saml.backend.SamlBackend",
]
