"""Sessions end after 30 minutes idle or 12 hours in all, on sign-out and on a password change;
their cookies are `__Host-`, Secure, HttpOnly and SameSite=Lax; passwords are hashed with
Argon2."""

import datetime
import html
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.hashers import identify_hasher
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

import changing_lives.settings as production_settings
from changing_lives.accounts.models import User
from changing_lives.accounts.roles import Role
from changing_lives.accounts.sessions import LAST_SEEN_KEY, STARTED_KEY
from changing_lives.audit.models import AuditEvent
from tests.factories import PASSWORD
from tests.signing_in import force_login_verified, sign_in_with_forms

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
NEW_PASSWORD = "a-much-longer-passphrase-42"


def signed_in(user: User) -> Client:
    """A client signed in through the real sign-in form and code page (so the session is
    stamped, and past the second factor)."""
    client = Client()
    assert sign_in_with_forms(client, user).status_code == 302
    return client


def age_session(client: Client, *, started: int | None = None, idle: int | None = None) -> None:
    session = client.session
    now = int(time.time())
    if started is not None:
        session[STARTED_KEY] = now - started
    if idle is not None:
        session[LAST_SEEN_KEY] = now - idle
    session.save()


def page_text(response) -> str:
    return html.unescape(response.content.decode())


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


# Limits


def test_the_limits_are_thirty_minutes_idle_and_twelve_hours_in_all() -> None:
    assert settings.SESSION_IDLE_SECONDS == 30 * 60
    assert settings.SESSION_ABSOLUTE_SECONDS == 12 * 60 * 60
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_ABSOLUTE_SECONDS


def test_signing_in_stamps_when_the_session_started(make_user) -> None:
    client = signed_in(make_user(Role.CASEWORKER))
    session = client.session
    assert abs(session[STARTED_KEY] - time.time()) < 5
    assert session[LAST_SEEN_KEY] == session[STARTED_KEY]


def test_thirty_minutes_without_a_request_signs_the_user_out_with_a_message(make_user) -> None:
    client = signed_in(make_user(Role.CASEWORKER))
    age_session(client, idle=30 * 60)
    response = client.get("/families/?q=Okafor")
    assert response.status_code == 302
    # Back to sign in, and from there back to where they were.
    assert response["Location"] == "/account/sign-in/?next=/families/%3Fq%3DOkafor"
    sign_in_page = client.get(response["Location"])
    assert "You were signed out after 30 minutes without activity" in page_text(sign_in_page)
    assert actions()[-1] == "logout"
    # Signed out for good: the next request is anonymous.
    assert client.get(reverse("pages:home")).status_code == 302


def test_a_request_within_thirty_minutes_keeps_the_session_and_restarts_the_clock(
    make_user,
) -> None:
    client = signed_in(make_user(Role.CASEWORKER))
    age_session(client, idle=29 * 60)
    assert client.get(reverse("pages:home")).status_code == 200
    assert abs(client.session[LAST_SEEN_KEY] - time.time()) < 5
    assert actions() == ["login", "mfa_verified"]


def test_signing_out_of_a_timed_out_session_lands_on_sign_in_with_the_message(make_user) -> None:
    client = signed_in(make_user(Role.CASEWORKER))
    age_session(client, idle=30 * 60)
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("accounts:login")
    assert "without activity" in page_text(client.get(response["Location"]))


def test_twelve_hours_after_sign_in_the_session_ends_however_busy(make_user) -> None:
    client = signed_in(make_user(Role.CASEWORKER))
    age_session(client, started=12 * 60 * 60, idle=10)
    response = client.get(reverse("pages:home"))
    assert response.status_code == 302
    assert response["Location"] == "/account/sign-in/?next=/"
    text = page_text(client.get(response["Location"]))
    assert "You were signed out because you had been signed in for 12 hours" in text
    assert actions()[-1] == "logout"


@override_settings(SESSION_IDLE_SECONDS=5 * 60)
def test_the_idle_limit_and_its_message_follow_the_setting(make_user) -> None:
    client = signed_in(make_user(Role.CASEWORKER))
    age_session(client, idle=5 * 60)
    response = client.get(reverse("pages:home"), follow=True)
    assert "You were signed out after 5 minutes without activity" in page_text(response)


def test_a_session_without_stamps_is_taken_as_started_at_the_last_sign_in(make_user) -> None:
    user = make_user(Role.CASEWORKER)
    client = Client()
    force_login_verified(client, user)
    # Just signed in: nothing to write yet (no database write per request).
    assert client.get(reverse("pages:home")).status_code == 200
    assert STARTED_KEY not in client.session
    # Signed in 31 minutes ago, unseen since: idle.
    User.objects.filter(pk=user.pk).update(
        last_login=timezone.now() - datetime.timedelta(minutes=31)
    )
    response = client.get(reverse("pages:home"))
    assert response["Location"] == "/account/sign-in/?next=/"


# Sign-out and password change


def test_signing_out_deletes_the_session(make_user) -> None:
    client = signed_in(make_user(Role.CASEWORKER))
    key = str(client.session.session_key)
    assert SessionStore().exists(key)
    client.post(reverse("accounts:logout"))
    assert not SessionStore().exists(key)


def test_changing_the_password_ends_this_session_and_every_other(make_user) -> None:
    user = make_user(Role.CASEWORKER)
    here, elsewhere = signed_in(user), signed_in(user)
    key = str(here.session.session_key)

    response = here.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    text = page_text(here.get(response["Location"]))
    assert "Your password has been changed. Sign in with your new password." in text
    assert not SessionStore().exists(key)
    assert actions()[-2:] == ["password_changed", "logout"]

    # Both browsers are signed out...
    for client in (here, elsewhere):
        response = client.get(reverse("pages:home"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    # ...and the new password signs in (with a code, as ever).
    assert sign_in_with_forms(here, user, NEW_PASSWORD).status_code == 302
    assert here.get(reverse("pages:home")).status_code == 200


def test_a_refused_password_change_keeps_the_session(make_user) -> None:
    client = signed_in(make_user(Role.CASEWORKER))
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
    )
    assert response.status_code == 200
    assert client.get(reverse("pages:home")).status_code == 200


def test_a_password_reset_ends_every_session_of_the_user(make_user) -> None:
    user = make_user(Role.CASEWORKER)
    elsewhere = signed_in(user)
    client = Client()
    user.refresh_from_db()  # the token covers the last sign-in, which signed_in() changed
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    link = reverse(
        "accounts:password_reset_confirm", args=[uid, default_token_generator.make_token(user)]
    )
    form_url = client.get(link)["Location"]
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert elsewhere.get(reverse("pages:home")).status_code == 302


# Cookies


def test_the_cookies_are_host_only_secure_http_only_and_same_site_lax(make_user) -> None:
    client = Client()
    sign_in_page = client.get(reverse("accounts:login"))
    csrf = sign_in_page.cookies["__Host-csrftoken"]
    user = make_user(Role.CASEWORKER)
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}
    )
    session = response.cookies["__Host-sessionid"]
    for cookie in (csrf, session):
        assert cookie["secure"] is True
        assert cookie["httponly"] is True
        assert cookie["samesite"] == "Lax"
        # What makes a __Host- cookie acceptable to a browser: Path=/ and no Domain.
        assert cookie["path"] == "/"
        assert cookie["domain"] == ""
    assert session["max-age"] == 12 * 60 * 60
    # No other cookie (the CSRF token is rotated at sign-in): messages ride in the session.
    assert set(response.cookies) == {"__Host-sessionid", "__Host-csrftoken"}


def test_development_keeps_ordinary_cookie_names_over_plain_http() -> None:
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.LOG_FORMAT]))"
    )
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "changing_lives.settings",
        "DEBUG": "true",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == ["sessionid", "csrftoken", False, False, False, "plain"]


# Passwords


def test_the_production_hashers_start_with_argon2_and_still_verify_pbkdf2() -> None:
    hashers = production_settings.PASSWORD_HASHERS
    assert hashers[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in hashers


@override_settings(PASSWORD_HASHERS=production_settings.PASSWORD_HASHERS)
def test_a_new_password_is_stored_as_argon2id(make_user) -> None:
    user = make_user(Role.CASEWORKER)
    user.set_password(NEW_PASSWORD)
    user.save()
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.check_password(NEW_PASSWORD)


@override_settings(PASSWORD_HASHERS=production_settings.PASSWORD_HASHERS)
def test_an_older_pbkdf2_hash_still_signs_in_and_is_rehashed_with_argon2(make_user) -> None:
    from django.contrib.auth.hashers import make_password

    user = make_user(Role.CASEWORKER)
    User.objects.filter(pk=user.pk).update(password=make_password(PASSWORD, hasher="pbkdf2_sha256"))
    signed_in(user)
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")


def test_passwords_need_twelve_characters_and_are_checked_against_common_ones() -> None:
    configured: list[dict[str, Any]] = list(settings.AUTH_PASSWORD_VALIDATORS)  # type: ignore[arg-type]
    validators = [v["NAME"].rsplit(".", 1)[1] for v in configured]
    assert validators == [
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    ]
    assert configured[1]["OPTIONS"] == {"min_length": 12}
