"""Invitations: a one-time link, e-mailed by an admin, with which a new user sets a password.

The link is built like Django's password-reset link (a timestamp and an HMAC over the
user's state), under a salt of its own and valid for INVITE_VALID_HOURS. The state it signs
changes when the invitation is accepted (a password is set and the account becomes active)
and when it is sent again (a new unusable password), so a link works once, and only the
latest one works.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int

from changing_lives.accounts.models import User


class InviteTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "changing_lives.accounts.invitations.InviteTokenGenerator"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        return f"{user.pk}{user.public_id}{user.password}{user.is_active}{timestamp}{user.email}"

    def check_token(self, user: Any, token: str | None) -> bool:
        """Django's check, with the invitation's lifetime instead of the reset timeout."""
        if not (user and token):
            return False
        try:
            timestamp_b36, _ = token.split("-")
            timestamp = base36_to_int(timestamp_b36)
        except ValueError:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        age = self._num_seconds(self._now()) - timestamp
        return age <= settings.INVITE_VALID_HOURS * 60 * 60


invite_token_generator = InviteTokenGenerator()


def invite_path(user: User) -> str:
    return reverse(
        "accounts:invite_accept",
        kwargs={"user_id": user.public_id, "token": invite_token_generator.make_token(user)},
    )


def invite_email_send(*, user: User, site_url: str) -> None:
    """The invitation e-mail: the greeting name, the authority and the link, nothing else
    (no username: the page the link opens shows it)."""
    context = {
        "first_name": user.first_name,
        "authority_name": user.local_authority.name if user.local_authority else "",
        "link": site_url.rstrip("/") + invite_path(user),
        "valid_hours": settings.INVITE_VALID_HOURS,
    }
    subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
    body = render_to_string("accounts/email/invitation.txt", context)
    send_mail(subject, body, None, [user.email])
