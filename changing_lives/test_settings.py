"""The test suite's small override of settings.py: real PostgreSQL and Redis, fast hashing.

Environment variables still win, so CI or a developer can point the suite elsewhere.
"""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-suite-only-secret-key")
os.environ.setdefault("REFERENCE_HMAC_KEY", "test-suite-only-reference-key")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/changing_lives")
# A Redis database of its own, so a test worker never takes a development task.
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
# Generated files (NIS packages) go to a folder of the suite's own, shared with the test
# worker (a subprocess inherits the variable), never to var/media.
os.environ.setdefault(
    "MEDIA_ROOT", os.path.join(tempfile.gettempdir(), "changing-lives-test-media")
)
# The test client and the live server speak plain http: no redirect to https (the redirect
# itself is tested with override_settings in tests/test_security_headers.py).
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from changing_lives.settings import *  # noqa: F403

# Hashing cost is not under test; the real hashers are (tests/accounts).
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# No collectstatic in tests: serve static files by name.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files from the app folders, as in development (no collectstatic step).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# A second, in-memory SQLite database, so that tests can show the portable fallbacks give
# the same results as PostgreSQL (tests/families/test_search.py). Only tests that ask for it
# by alias ever touch it.
DATABASES["sqlite"] = {  # noqa: F405
    "ENGINE": "django.db.backends.sqlite3",
    "NAME": ":memory:",
    "TEST": {"NAME": ":memory:"},
}
