"""`manage.py check --deploy --fail-level WARNING` passes with production settings.

The command runs in a subprocess with only what a production container is given (as in
docker-compose.yml), never the test suite's own settings or environment.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "ALLOWED_HOSTS": "changing-lives.example.gov.uk",
    "CSRF_TRUSTED_ORIGINS": "https://changing-lives.example.gov.uk",
    "DATABASE_URL": "postgres://changing_lives:a-strong-password@postgres:5432/changing_lives",
    "REDIS_URL": "redis://redis:6379/0",
    "EMAIL_URL": "smtp+tls://user:password@smtp.example.gov.uk:587",
}


def check_deploy(**environment: str) -> subprocess.CompletedProcess[str]:
    # A clean environment: nothing of the suite's (DEBUG, SECURE_SSL_REDIRECT, MEDIA_ROOT...)
    # leaks into what is checked.
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "changing_lives.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "REFERENCE_HMAC_KEY": secrets.token_urlsafe(50),
        **PRODUCTION,
        **environment,
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@pytest.mark.parametrize(
    "shape",
    [
        pytest.param({"BEHIND_TLS_PROXY": "true", "TRUSTED_PROXY_COUNT": "1"}, id="behind-proxy"),
        pytest.param({}, id="tls-in-front-of-nothing"),
    ],
)
def test_the_deployment_check_passes_with_production_settings(shape: dict[str, str]) -> None:
    result = check_deploy(**shape)
    assert result.returncode == 0, result.stdout + result.stderr
    # Only the HSTS preload warning is silenced (settings.py says why).
    assert "(1 silenced)" in result.stdout


def test_the_deployment_check_fails_in_development_mode() -> None:
    # So the test above would notice: DEBUG is the first thing it catches.
    result = check_deploy(DEBUG="true")
    assert result.returncode != 0
    assert "security.W018" in result.stderr + result.stdout


def test_a_weak_secret_key_fails_the_deployment_check() -> None:
    result = check_deploy(SECRET_KEY="x" * 60)
    assert result.returncode != 0
    assert "security.W009" in result.stderr + result.stdout


def test_turning_the_https_redirect_off_is_caught_by_the_deployment_check() -> None:
    result = check_deploy(SECURE_SSL_REDIRECT="false")
    assert result.returncode != 0
    assert "security.W008" in result.stderr + result.stdout
