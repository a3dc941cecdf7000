"""Writes to users: one obvious place, used by commands, demo data and (later) admin pages."""

from collections.abc import Iterable
from datetime import timedelta

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from changing_lives.accounts.models import User
from changing_lives.accounts.roles import Role
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
    return user


@transaction.atomic
def user_roles_set(*, user: User, roles: Iterable[Role]) -> User:
    user.groups.set(Group.objects.filter(name__in=[role.value for role in roles]))
    user.__dict__.pop("roles", None)
    return user


def login_attempts_expire() -> int:
    """Delete recorded failed sign-in attempts older than the cool-off period.

    Each holds a typed username and an address; once the cool-off has passed they no
    longer lock anyone out, so keeping them would only keep personal data.
    """
    cooloff = timedelta(hours=float(settings.AXES_COOLOFF_TIME))
    deleted, _ = AccessAttempt.objects.filter(attempt_time__lt=timezone.now() - cooloff).delete()
    return deleted
