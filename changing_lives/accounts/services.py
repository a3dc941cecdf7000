"""Writes to users: one obvious place, used by commands, demo data and the users pages.

Each change an admin makes (invite, roles, deactivate, reactivate, MFA reset, unlock) is
checked against who may make it, written in one transaction and audited against the user's
public id, never their name.
"""

from collections.abc import Iterable
from datetime import timedelta

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp import devices_for_user

from changing_lives.accounts.invitations import invite_email_send
from changing_lives.accounts.models import User
from changing_lives.accounts.roles import Role
from changing_lives.audit.actions import AuditAction
from changing_lives.audit.services import audit_record
from changing_lives.authorities.models import LocalAuthority


@transaction.atomic
def user_create(
    *,
    username: str,
    email: str,
    local_authority: LocalAuthority,
    roles: Iterable[Role],
    password: str,
    first_name: str = "",
    last_name: str = "",
) -> User:
    """Create a user of one authority holding the given roles.

    The password is checked by every validator in AUTH_PASSWORD_VALIDATORS; a
    ValidationError names the field and the rule, and nothing is saved.
    """
    roles = list(roles)
    if not roles:
        raise ValidationError({"roles": "Choose at least one role"})
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        local_authority=local_authority,
    )
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error
    user.set_password(password)
    user.full_clean()
    user.save()
    user.groups.set(Group.objects.filter(name__in=[role.value for role in roles]))
    # Created from the command line or by demo data: no actor, the authority named.
    audit_record(action=AuditAction.USER_CREATED, obj=user, local_authority=local_authority)
    return user


def _may_manage(actor: User | None, authority: LocalAuthority | None) -> None:
    """Admins manage their own authority's users; a platform superuser any authority's.
    (None: a command or the demo data, run by whoever runs manage.py.)"""
    if actor is None or actor.is_superuser:
        return
    if authority is None or actor.local_authority_id != authority.pk:
        raise PermissionDenied("Users of another local authority")


def _roles_detail(roles: Iterable[Role]) -> str:
    return "roles=" + ",".join(sorted(role.value for role in roles))


def _is_last_admin(user: User) -> bool:
    """The only active admin of their authority: without them, no one could manage it."""
    if not (user.is_active and user.has_role(Role.ADMIN)):
        return False
    others = (
        User.objects.for_authority(user.local_authority)
        .filter(is_active=True, groups__name=Role.ADMIN.value)
        .exclude(pk=user.pk)
    )
    return not others.exists()


@transaction.atomic
def user_invite(
    *,
    actor: User | None,
    local_authority: LocalAuthority,
    username: str,
    email: str,
    first_name: str,
    last_name: str,
    roles: Iterable[Role],
    site_url: str,
    request: HttpRequest | None = None,
) -> User:
    """Create an inactive user, without a usable password, and e-mail them a one-time link
    to set one (valid INVITE_VALID_HOURS; changing_lives/accounts/invitations.py).

    The e-mail is sent last, inside the transaction: if it cannot be sent, nothing is
    saved and the admin can try again. Audited `user_invited`.
    """
    _may_manage(actor, local_authority)
    roles = list(roles)
    user = User(
        username=username.strip(),
        email=email.strip(),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        local_authority=local_authority,
        is_active=False,
    )
    user.set_unusable_password()
    errors: dict[str, list[str]] = {}
    try:
        user.full_clean()
    except ValidationError as error:
        errors = error.message_dict
    if not roles:
        errors.setdefault("roles", []).append("Choose at least one role")
    if not user.email:
        errors.setdefault("email", []).append("Enter the user's email address")
    elif User.objects.filter(email__iexact=user.email).exists():
        errors.setdefault("email", []).append("A user with this email address already exists")
    if errors:
        raise ValidationError(errors)
    user.save()
    user.groups.set(Group.objects.filter(name__in=[role.value for role in roles]))
    audit_record(
        action=AuditAction.USER_INVITED,
        actor=actor,
        local_authority=local_authority,
        obj=user,
        request=request,
        detail=_roles_detail(roles),
    )
    invite_email_send(user=user, site_url=site_url)
    return user


@transaction.atomic
def invite_resend(
    *, actor: User | None, user: User, site_url: str, request: HttpRequest | None = None
) -> User:
    """A new link for an invitation not yet accepted; the earlier link stops working."""
    _may_manage(actor, user.local_authority)
    if not user.is_invited:
        raise ValidationError("This user has already accepted their invitation")
    user.set_unusable_password()
    user.save(update_fields=["password"])
    audit_record(
        action=AuditAction.USER_INVITE_RESENT,
        actor=actor,
        local_authority=user.local_authority,
        obj=user,
        request=request,
    )
    invite_email_send(user=user, site_url=site_url)
    return user


@transaction.atomic
def invite_accept(*, user: User, password: str, request: HttpRequest | None = None) -> User:
    """The invitee's own password (every validator), and the account becomes active.

    Setting the password changes what the invitation link signs: it works no more.
    Audited `user_invite_accepted`; the user still sets up their authenticator app at
    their first sign-in.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.is_invited:
        raise ValidationError("This invitation has already been accepted")
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error
    user.set_password(password)
    user.is_active = True
    user.save(update_fields=["password", "is_active"])
    audit_record(action=AuditAction.USER_INVITE_ACCEPTED, actor=user, obj=user, request=request)
    return user


@transaction.atomic
def user_roles_set(
    *,
    user: User,
    roles: Iterable[Role],
    actor: User | None = None,
    request: HttpRequest | None = None,
) -> User:
    """Give the user exactly these roles (at least one). The last active admin of an
    authority keeps the admin role, so that someone can always manage its users. A change
    is audited `user_roles_changed` with the new roles; setting the same roles is not."""
    _may_manage(actor, user.local_authority)
    roles = list(roles)
    if not roles:
        raise ValidationError({"roles": "Choose at least one role"})
    user.__dict__.pop("roles", None)
    before = set(user.roles)
    if Role.ADMIN not in roles and _is_last_admin(user):
        raise ValidationError(
            {
                "roles": "This is the only admin of the local authority: give another user "
                "the admin role first"
            }
        )
    user.groups.set(Group.objects.filter(name__in=[role.value for role in roles]))
    user.__dict__.pop("roles", None)
    if set(roles) != before:
        audit_record(
            action=AuditAction.USER_ROLES_CHANGED,
            actor=actor,
            local_authority=user.local_authority,
            obj=user,
            request=request,
            detail=_roles_detail(roles),
        )
    return user


@transaction.atomic
def user_deactivate(*, actor: User | None, user: User, request: HttpRequest | None = None) -> User:
    """The user can no longer sign in, and their sessions stop working at once (Django
    treats an inactive user's session as signed out). They stay on the audit trail."""
    _may_manage(actor, user.local_authority)
    if actor is not None and actor.pk == user.pk:
        raise ValidationError("You cannot deactivate your own account")
    if not user.is_active:
        raise ValidationError("This account is already deactivated")
    if _is_last_admin(user):
        raise ValidationError(
            "This is the only admin of the local authority: give another user the admin role first"
        )
    user.is_active = False
    user.save(update_fields=["is_active"])
    audit_record(
        action=AuditAction.USER_DEACTIVATED,
        actor=actor,
        local_authority=user.local_authority,
        obj=user,
        request=request,
    )
    return user


@transaction.atomic
def user_reactivate(*, actor: User | None, user: User, request: HttpRequest | None = None) -> User:
    _may_manage(actor, user.local_authority)
    if user.is_active:
        raise ValidationError("This account is already active")
    if user.is_invited:
        raise ValidationError("This user has not accepted their invitation yet: send a new one")
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit_record(
        action=AuditAction.USER_REACTIVATED,
        actor=actor,
        local_authority=user.local_authority,
        obj=user,
        request=request,
    )
    return user


@transaction.atomic
def user_mfa_reset(*, actor: User | None, user: User, request: HttpRequest | None = None) -> int:
    """Delete the user's authenticator and backup codes (say, a lost phone).

    Every session of theirs is unverified at its next request, and they set up a new
    authenticator at their next sign-in. Audited `mfa_reset`. Returns the devices deleted.
    """
    _may_manage(actor, user.local_authority)
    deleted = 0
    for device in list(devices_for_user(user, confirmed=None)):
        device.delete()
        deleted += 1
    audit_record(
        action=AuditAction.MFA_RESET,
        actor=actor,
        local_authority=user.local_authority,
        obj=user,
        request=request,
    )
    return deleted


@transaction.atomic
def user_unlock(*, actor: User | None, user: User, request: HttpRequest | None = None) -> int:
    """Clear django-axes' failed sign-ins for the username (from every address), ending a
    lockout before its cool-off. Audited `lockout_cleared`. Returns the records cleared."""
    _may_manage(actor, user.local_authority)
    cleared = axes_reset(username=user.username)
    audit_record(
        action=AuditAction.LOCKOUT_CLEARED,
        actor=actor,
        local_authority=user.local_authority,
        obj=user,
        request=request,
    )
    return cleared


def locked_out_usernames(usernames: Iterable[str]) -> set[str]:
    """Which of these usernames django-axes now locks out, from any address (one query)."""
    cooloff = timedelta(hours=float(settings.AXES_COOLOFF_TIME))
    return set(
        AccessAttempt.objects.filter(
            username__in=list(usernames),
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
            attempt_time__gte=timezone.now() - cooloff,
        ).values_list("username", flat=True)
    )


def login_attempts_expire() -> int:
    """Delete recorded failed sign-in attempts older than the cool-off period.

    Each holds a typed username and an address; once the cool-off has passed they no
    longer lock anyone out, so keeping them would only keep personal data.
    """
    cooloff = timedelta(hours=float(settings.AXES_COOLOFF_TIME))
    deleted, _ = AccessAttempt.objects.filter(attempt_time__lt=timezone.now() - cooloff).delete()
    return deleted
