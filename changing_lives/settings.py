"""Settings for Changing Lives, read from the environment (docs/configuration.md lists each).

One source for every environment. Development (`DEBUG=true`, as `make run` sets) gets safe
local defaults; anywhere else a missing secret or database is an error at start-up, never a
silent default.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)


def _required_outside_development(name: str, development_default: str) -> str:
    value = env.str(name, default="").strip()
    if value:
        return value
    if DEBUG:
        return development_default
    raise ImproperlyConfigured(
        f"{name} is not set. It is required unless DEBUG=true (development only); "
        "see docs/configuration.md."
    )


SECRET_KEY = _required_outside_development(
    "SECRET_KEY", "development-only-key-never-used-outside-make-run"
)

# Keys the HMAC digests of LA family and individual IDs that are kept after the record has
# gone (retired references, purge certificates): stable for the life of the deployment.
REFERENCE_HMAC_KEY = _required_outside_development(
    "REFERENCE_HMAC_KEY", "development-only-reference-key"
)

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_forms_gds",
    "axes",
    # Multi-factor sign-in: TOTP (an authenticator app) and single-use backup codes.
    # No SMS or e-mail device is installed (docs/security.md).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "changing_lives.authorities",
    "changing_lives.accounts",
    "changing_lives.audit",
    "changing_lives.pages",
    "changing_lives.demo",
    "changing_lives.retention",
    "families",
    "eligibility",
    "progress",
    "nis_export",
]

MIDDLEWARE = [
    # First, so that every log line of a request carries its id (docs/adr/0008).
    "changing_lives.observability.context.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Right after authentication: request.user.is_verified() says whether this session
    # passed the second factor (the device's id is kept in the session).
    "django_otp.middleware.OTPMiddleware",
    "changing_lives.observability.context.LogUserMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After messages: a session past its idle or absolute limit is signed out with a message.
    "changing_lives.accounts.sessions.SessionTimeoutMiddleware",
    # After LoginRequiredMiddleware: a signed-in session that has not passed the second
    # factor is sent to verify (or to set it up) from every page but a few.
    "changing_lives.accounts.mfa.MfaRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that it sees a failed login after authentication has run.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "changing_lives.urls"
WSGI_APPLICATION = "changing_lives.wsgi.application"

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
                # csp_nonce, for the script tags of templates/base.html.
                "django.template.context_processors.csp",
                "changing_lives.pages.context_processors.service",
            ],
        },
    },
]

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# --- Database --------------------------------------------------------------------------
# PostgreSQL in production and in the test suite; SQLite only for the quick start.
DATABASES = {
    "default": env.db_url(
        "DATABASE_URL",
        default=(f"sqlite:///{VAR_DIR / 'changing_lives.sqlite3'}" if DEBUG else None),
    )
}
if not DATABASES["default"].get("ENGINE"):
    raise ImproperlyConfigured("DATABASE_URL is not set; see docs/configuration.md.")
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT: PostgreSQL compiles a query to machine code once its estimated cost passes
    # jit_above_cost, and at 250,000 families a filtered family search crossed it and spent
    # 15 of its 58 ms compiling. Nothing here runs long enough to gain from it: the NIS
    # build's COPY took the same time either way (docs/performance.md).
    _connection_options = DATABASES["default"].setdefault("OPTIONS", {})
    _connection_options["options"] = f"{_connection_options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users and sign-in -----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out username and IP before a password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "pages:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Argon2id for every new password; the others only verify hashes made before it, each
# re-hashed with Argon2 at its owner's next sign-in (tests/test_sessions.py).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60  # an hour: a reset link is a key to personal data
# An invitation link (sent by an admin to a new user) works once, for this many hours.
INVITE_VALID_HOURS = env.int("INVITE_VALID_HOURS", default=72)

# Multi-factor sign-in (changing_lives/accounts/mfa.py). The issuer names the account in
# the user's authenticator app. A wrong code makes the next try wait 1, 2, 4, 8... seconds
# (django-otp's throttling, per device): after 10 wrong codes in a row, over 8 minutes.
OTP_TOTP_ISSUER = "Changing Lives"
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

# Login throttling: a username is locked out from an address after repeated failures,
# for a cool-off period (docs/adr/0003-sign-in-throttling.md).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# The audit trail records logins; axes' own access log would be a second copy with
# usernames and user agents in it.
AXES_DISABLE_ACCESS_LOG = True
# Not verbose: axes then masks usernames and addresses in its log lines.
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0) or None

# --- Sessions and cookies (docs/adr/0008-security-headers-sessions-logs.md) -------------
# A session ends after this long without a request, and this long after sign-in whatever
# happens (changing_lives/accounts/sessions.py); also on sign-out and on a password change.
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", default=12 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# The one switch for cookies, derived from DEBUG: outside development they are Secure and
# named `__Host-...` (which a browser accepts only when Secure, with Path=/ and no Domain:
# no other host, not even a subdomain, can set or overwrite them). Development serves plain
# http, where a Secure cookie is not sent back, so it keeps Django's ordinary names.
HTTPS_COOKIES = not DEBUG
_COOKIE_PREFIX = "__Host-" if HTTPS_COOKIES else ""
SESSION_COOKIE_NAME = f"{_COOKIE_PREFIX}sessionid"
SESSION_COOKIE_SECURE = HTTPS_COOKIES
CSRF_COOKIE_NAME = f"{_COOKIE_PREFIX}csrftoken"
CSRF_COOKIE_SECURE = HTTPS_COOKIES
# No script reads the CSRF cookie (forms carry the token in a hidden field).
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "changing_lives.pages.views.csrf_failure"
# Messages ("Settings saved", "You were signed out...") ride in the session, so that the
# two cookies above are the only ones the product sets.
# Messages wait in the session until shown: they never name a person or hold an LA ID
# (tests/test_messages.py), so a purge leaves nothing of a family in the sessions table.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# --- Security headers (docs/security.md) -----------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# HSTS, sent on https responses only: a year, subdomains included. Not preloaded: the
# preload list is a decision for whoever owns the registrable domain (a council, or
# gov.uk), hard to undo, and the product does not own it; hence security.W021 is silenced.
SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = False
SILENCED_SYSTEM_CHECKS = ["security.W021"]
# Plain http is redirected to https outside development. Behind a TLS-terminating proxy
# (BEHIND_TLS_PROXY=true) Django reads the scheme from the proxy's X-Forwarded-Proto, so
# the redirect stays right there too (it fires only when the proxy says http).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
)
# Health checks (compose, a load balancer) talk plain http to the container itself.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Django's Content-Security-Policy: files from this origin only, no inline script or style
# (a script needs the request's nonce, `{% csp_nonce_attr %}`), no framing, no plugins.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    # data: for the empty favicon of templates/base.html.
    "img-src": [CSP.SELF, "data:"],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

# --- Internationalisation --------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static and media files ------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "changing_lives" / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- E-mail ----------------------------------------------------------------------------
# Development prints e-mails (password reset links) to the console.
_email = env.email_url("EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25")
_smtp_options = {
    "host": _email.get("EMAIL_HOST") or "localhost",
    "port": _email.get("EMAIL_PORT") or 25,
    "username": _email.get("EMAIL_HOST_USER") or "",
    "password": _email.get("EMAIL_HOST_PASSWORD") or "",
    "use_tls": bool(_email.get("EMAIL_USE_TLS")),
    "use_ssl": bool(_email.get("EMAIL_USE_SSL")),
}
MAILERS = {
    "default": {
        "BACKEND": _email["EMAIL_BACKEND"],
        "OPTIONS": _smtp_options if _email["EMAIL_BACKEND"].endswith("smtp.EmailBackend") else {},
    }
}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="changing-lives@localhost")

# --- Celery ----------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL
# Task results are counts and ids, never personal data; kept a day for operators.
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_RESULT_EXPIRES = 24 * 60 * 60
# `make run` sets this so tasks run in-process without Redis; never in tests or production,
# where it would hide on-commit and serialisation faults.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 3, "socket_timeout": 5}
CELERY_TIMEZONE = TIME_ZONE
# The schedule lives in code; a task that an admin can switch off checks its own switch
# in the database when it runs (no django-celery-beat: see stack notes).
CELERY_BEAT_SCHEDULE = {
    "expire-login-attempts": {
        "task": "changing_lives.accounts.tasks.login_attempts_expire",
        "schedule": crontab(minute=15),
    },
    "clear-expired-sessions": {
        "task": "changing_lives.accounts.tasks.sessions_clear_expired",
        "schedule": crontab(hour=4, minute=20),
    },
    "create-progress-periods-ahead": {
        "task": "progress.tasks.periods_create_ahead",
        "schedule": crontab(hour=2, minute=5),
    },
    "expire-nis-packages": {
        "task": "nis_export.tasks.submissions_expire",
        "schedule": crontab(hour=3, minute=10),
    },
    "fail-stale-nis-builds": {
        "task": "nis_export.tasks.submissions_reap_stale",
        "schedule": crontab(minute="*/5"),
    },
    # Runs every night; it purges only for authorities whose nightly_purge switch is on.
    "purge-expired-families": {
        "task": "changing_lives.retention.tasks.purge_nightly",
        "schedule": crontab(hour=1, minute=30),
    },
    "fail-stale-purge-runs": {
        "task": "changing_lives.retention.tasks.purge_reap_stale",
        "schedule": crontab(minute="*/5"),
    },
}

# --- Logging ---------------------------------------------------------------------------
# One line per event, JSON outside development (LOG_FORMAT=json) and plain text in it, each
# with the request id, the user's public id and the path with ids only: never a name, date
# of birth, identifier, username, e-mail address or query string (changing_lives/observability,
# tests/test_logs.py).
LOG_FORMAT = env.str("LOG_FORMAT", default="plain" if DEBUG else "json")
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured("LOG_FORMAT must be json or plain; see docs/configuration.md.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact": {"()": "changing_lives.observability.filters.RequestRedactFilter"},
    },
    "formatters": {
        "json": {"()": "changing_lives.observability.formatters.JsonFormatter"},
        "plain": {"()": "changing_lives.observability.formatters.PlainFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["redact"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's defaults give "django" a console handler of its own (unfiltered) and an
        # e-mail handler that sends request data to ADMINS: both removed, its lines go to
        # the root handler above.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # 4xx and 5xx, with the path with ids only (the request id middleware logs them
        # for Django): refused access and records not found are logged, by user.
        "django.request": {"level": "WARNING"},
        # runserver's request lines, query strings cut off by the filter.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # SQL and its parameters (names, identifiers) are never logged, even at DEBUG.
        "django.db.backends": {"level": "INFO"},
    },
}
# The Celery worker logs through the configuration above (JSON, filtered), not its own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Family Progress Data ---------------------------------------------------------------
# Days after a period ends that its returns are due, for periods created automatically.
FPD_RETURN_DUE_DAYS = env.int("FPD_RETURN_DUE_DAYS", default=30)

# --- National Impact Study ---------------------------------------------------------------
# Days a built package can be downloaded before it is deleted (its manifest and audit stay).
NIS_FILE_DAYS = env.int("NIS_FILE_DAYS", default=30)
# A build that has sent no heartbeat for this long is taken as dead (its worker was killed).
NIS_BUILD_STALE_SECONDS = env.int("NIS_BUILD_STALE_SECONDS", default=300)

# --- Retention ---------------------------------------------------------------------------
# A purge run that has sent no heartbeat for this long is taken as dead (its worker was
# killed): it is marked failed, and the next run purges what is left.
PURGE_STALE_SECONDS = env.int("PURGE_STALE_SECONDS", default=300)
# Families destroyed per transaction: each family is wholly inside one, and a batch that
# fails is tried again one family per transaction, so only the family at fault stays.
PURGE_BATCH_FAMILIES = env.int("PURGE_BATCH_FAMILIES", default=1000)

# --- The service -----------------------------------------------------------------------
SERVICE_NAME = "Changing Lives"
SERVICE_PHASE = env.str("SERVICE_PHASE", default="Beta")
