"""Signing in and out, throttling, passwords: and each is on the audit trail, by ids only."""

import re

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from changing_lives.accounts.roles import Role
from changing_lives.audit.actions import AuditAction
from changing_lives.audit.models import AuditEvent
from tests.factories import PASSWORD
from tests.signing_in import force_login_verified

pytestmark = pytest.mark.django_db


def sign_in(client: Client, username: str, password: str):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


def test_signing_in_and_out_is_audited_with_the_user_and_address(make_user, client: Client) -> None:
    user = make_user(Role.CASEWORKER)
    response = sign_in(client, user.username, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("pages:home")
    client.post(reverse("accounts:logout"))
    login, logout = AuditEvent.objects.order_by("id")
    assert (login.action, login.actor, login.local_authority) == (
        "login",
        user,
        user.local_authority,
    )
    assert login.ip_address == "127.0.0.1"
    assert logout.action == "logout"


def test_wrong_password_shows_an_error_summary_and_is_audited_without_the_typed_name(
    make_user, client: Client
) -> None:
    user = make_user(Role.CASEWORKER)
    response = sign_in(client, user.username, "not-the-password")
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert "Enter a correct username and password" in html
    assert response.context["form"].errors
    assert "<title>Error: Sign in" in html
    event = AuditEvent.objects.get()
    assert event.action == AuditAction.LOGIN_FAILED
    assert event.actor is None
    assert (event.object_type, event.object_id) == ("accounts.user", str(user.public_id))


def test_failed_sign_in_for_an_unknown_username_records_no_name(client: Client) -> None:
    sign_in(client, "nobody-AB123456C", "whatever-it-was")
    event = AuditEvent.objects.get()
    assert event.action == AuditAction.LOGIN_FAILED
    assert (event.object_type, event.object_id, event.actor) == ("", "", None)
    assert "AB123456C" not in str(AuditEvent.objects.values().get())


def test_empty_fields_name_each_field(client: Client) -> None:
    form = sign_in(client, "", "").context["form"]
    assert form.errors == {"username": ["Enter your username"], "password": ["Enter your password"]}


@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_failures_lock_the_account_out_from_that_address_and_are_audited(
    make_user, client: Client
) -> None:
    user = make_user(Role.CASEWORKER)
    for _ in range(3):
        response = sign_in(client, user.username, "wrong-password-1")
    assert response.status_code == 429
    assert "Sign-in is locked" in response.content.decode()
    # Even the right password is refused during the cool-off.
    assert sign_in(client, user.username, PASSWORD).status_code == 429
    assert AuditAction.LOCKED_OUT in actions()
    assert AuditAction.LOGIN not in actions()
    # The same username from another address is not locked (lockout is by both).
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert sign_in(other, user.username, PASSWORD).status_code == 302


def test_expiring_old_attempts_deletes_only_those_past_the_cool_off(
    make_user, client: Client
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from changing_lives.accounts.services import login_attempts_expire

    user = make_user(Role.CASEWORKER)
    sign_in(client, user.username, "wrong-password-1")
    sign_in(Client(REMOTE_ADDR="10.0.0.2"), user.username, "wrong-password-1")
    old, new = AccessAttempt.objects.order_by("id")
    AccessAttempt.objects.filter(pk=old.pk).update(attempt_time=timezone.now() - timedelta(hours=1))
    assert login_attempts_expire() == 1
    assert list(AccessAttempt.objects.all()) == [new]


def test_password_change_needs_a_strong_password_and_is_audited(make_user) -> None:
    user = make_user(Role.CASEWORKER)
    client = Client()
    force_login_verified(client, user)
    url = reverse("accounts:password_change")
    response = client.post(
        url, {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"}
    )
    assert response.status_code == 200
    assert "at least 12 characters" in response.content.decode()
    assert "govuk-error-summary" in response.content.decode()
    new = "a-much-longer-passphrase-42"
    response = client.post(
        url, {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)
    assert AuditAction.PASSWORD_CHANGED in actions()


def test_password_reset_sends_a_one_time_link_that_sets_a_new_password(
    make_user, client: Client
) -> None:
    user = make_user(Role.CASEWORKER, email="jo@example.gov.uk")
    response = client.post(reverse("accounts:password_reset"), {"email": "jo@example.gov.uk"})
    assert response.status_code == 302
    (message,) = mail.outbox
    match = re.search(r"https?://[^/]+(/account/password/reset/\S+/)", str(message.body))
    assert match, message.body
    link = match.group(1)
    # Django swaps the token for a session marker on the first visit.
    form_url = client.get(link)["Location"]
    new = "another-long-passphrase-7"
    response = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)
    assert actions() == [AuditAction.PASSWORD_RESET_REQUESTED, AuditAction.PASSWORD_RESET_COMPLETED]
    assert client.get(link).context["validlink"] is False


def test_password_reset_for_an_unknown_address_says_the_same_and_sends_nothing(
    client: Client,
) -> None:
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.gov.uk"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []
    assert "nobody" not in str(list(AuditEvent.objects.values()))
