"""Settings come from the environment; outside development a missing secret stops start-up."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

READ_SETTINGS = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'debug': s.DEBUG, 'engine': s.DATABASES['default']['ENGINE'], "
    "'hosts': s.ALLOWED_HOSTS, 'eager': s.CELERY_TASK_ALWAYS_EAGER, "
    "'mailer': s.MAILERS['default']['BACKEND'], 'secure_cookie': s.SESSION_COOKIE_SECURE}))"
)


def load_settings(**environment: str) -> subprocess.CompletedProcess[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "SECRET_KEY",
            "REFERENCE_HMAC_KEY",
            "DATABASE_URL",
            "DEBUG",
            "ALLOWED_HOSTS",
            "EMAIL_URL",
        }
    }
    env |= {"DJANGO_SETTINGS_MODULE": "changing_lives.settings", **environment}
    return subprocess.run(
        [sys.executable, "-c", READ_SETTINGS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_missing_secret_key_outside_development_is_an_error() -> None:
    result = load_settings(DATABASE_URL="postgres://postgres@127.0.0.1/x")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_missing_reference_key_outside_development_is_an_error() -> None:
    result = load_settings(SECRET_KEY="x" * 50, DATABASE_URL="postgres://postgres@127.0.0.1/x")
    assert result.returncode != 0
    assert "REFERENCE_HMAC_KEY is not set" in result.stderr


def test_missing_database_url_outside_development_is_an_error() -> None:
    result = load_settings(SECRET_KEY="x" * 50, REFERENCE_HMAC_KEY="y" * 50)
    assert result.returncode != 0
    assert "DATABASE_URL is not set" in result.stderr


def test_development_has_local_defaults() -> None:
    result = load_settings(DEBUG="true")
    assert result.returncode == 0, result.stderr
    assert '"engine": "django.db.backends.sqlite3"' in result.stdout
    assert '"mailer": "django.core.mail.backends.console.EmailBackend"' in result.stdout
    assert '"secure_cookie": false' in result.stdout


def test_production_reads_everything_from_the_environment() -> None:
    result = load_settings(
        SECRET_KEY="x" * 50,
        REFERENCE_HMAC_KEY="y" * 50,
        DATABASE_URL="postgres://app:pw@db:5432/changing_lives",
        ALLOWED_HOSTS="changing-lives.example.gov.uk",
        EMAIL_URL="smtp+tls://user:pw@smtp.example.gov.uk:587",
    )
    assert result.returncode == 0, result.stderr
    assert '"debug": false' in result.stdout
    assert '"engine": "django.db.backends.postgresql"' in result.stdout
    assert '"hosts": ["changing-lives.example.gov.uk"]' in result.stdout
    assert '"mailer": "django.core.mail.backends.smtp.EmailBackend"' in result.stdout
    assert '"secure_cookie": true' in result.stdout
    assert '"eager": false' in result.stdout


@pytest.mark.parametrize("value", ["", "   "])
def test_an_empty_secret_key_counts_as_missing(value: str) -> None:
    result = load_settings(SECRET_KEY=value, DATABASE_URL="postgres://postgres@127.0.0.1/x")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


@pytest.mark.django_db
def test_postgresql_connections_have_no_jit() -> None:
    # Compiling a query to machine code cost a filtered search at 250,000 families 15 of
    # its 58 ms, and gained the NIS build nothing (docs/performance.md).
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
