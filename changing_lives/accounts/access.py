"""How a view finds the user's local authority: the root of every scoped query; and the
users an admin may manage."""

import uuid

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from changing_lives.accounts.models import User, UserQuerySet
from changing_lives.authorities.models import LocalAuthority


def authority_of(request: HttpRequest) -> LocalAuthority:
    """The signed-in user's authority; a user with none (a platform superuser) is refused."""
    authority = getattr(request.user, "local_authority", None)
    if authority is None:
        raise PermissionDenied("This account belongs to no local authority")
    return authority


def managed_users(request: HttpRequest) -> UserQuerySet:
    """The users the signed-in admin may manage: their authority's; a platform superuser's
    (no authority), every authority's users. Everyone else is refused."""
    user = request.user
    users = User.objects.select_related("local_authority").prefetch_related("groups")
    authority = getattr(user, "local_authority", None)
    if authority is not None:
        return users.for_authority(authority)
    if getattr(user, "is_superuser", False):
        return users.filter(local_authority__isnull=False)
    raise PermissionDenied("This account belongs to no local authority")


def managed_user_for(request: HttpRequest, public_id: uuid.UUID) -> User:
    """One user the admin may manage, or 404: another authority's user answers exactly as
    one that does not exist."""
    return get_object_or_404(managed_users(request), public_id=public_id)
