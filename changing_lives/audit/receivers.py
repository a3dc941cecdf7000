"""Sign-in events, recorded from day one: logins, logouts, failed logins and lockouts.

A failed login names no one: the typed username may be anybody's (or a password typed into
the wrong box), so only the matching account, if one exists, is recorded.
"""

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from changing_lives.audit.actions import AuditAction
from changing_lives.audit.services import audit_record


def _record_attempt_on(action: AuditAction, username: str | None, request: Any) -> None:
    # The attempt is recorded against the account it named (as the object, not the actor:
    # whoever typed it is unknown).
    account = get_user_model().objects.filter(username=username).first() if username else None
    audit_record(
        action=action,
        obj=account,
        local_authority=account.local_authority if account else None,
        request=request,
    )


@receiver(user_logged_in, dispatch_uid="audit.login")
def record_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    audit_record(action=AuditAction.LOGIN, actor=user, request=request)


@receiver(user_logged_out, dispatch_uid="audit.logout")
def record_logout(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    audit_record(action=AuditAction.LOGOUT, actor=user, request=request)


@receiver(user_login_failed, dispatch_uid="audit.login_failed")
def record_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    _record_attempt_on(AuditAction.LOGIN_FAILED, credentials.get("username"), request)


@receiver(user_locked_out, dispatch_uid="audit.locked_out")
def record_locked_out(
    sender: Any, request: HttpRequest, username: str | None = None, **kwargs: Any
) -> None:
    _record_attempt_on(AuditAction.LOCKED_OUT, username, request)
