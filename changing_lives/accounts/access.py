"""How a view finds the user's local authority: the root of every scoped query."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from changing_lives.authorities.models import LocalAuthority


def authority_of(request: HttpRequest) -> LocalAuthority:
    """The signed-in user's authority; a user with none (a platform superuser) is refused."""
    authority = getattr(request.user, "local_authority", None)
    if authority is None:
        raise PermissionDenied("This account belongs to no local authority")
    return authority
