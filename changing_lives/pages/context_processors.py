from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from changing_lives.accounts.mfa import is_verified
from changing_lives.pages.navigation import navigation_for


def service(request: HttpRequest) -> dict[str, Any]:
    """The layout's context: service name, phase, the user's authority and navigation."""
    user = getattr(request, "user", None)
    context: dict[str, Any] = {
        "service_name": settings.SERVICE_NAME,
        "service_phase": settings.SERVICE_PHASE,
        "navigation": [],
        "authority": None,
        "privacy_notice_url": reverse("pages:privacy_notices"),
        "mfa_verified": False,
    }
    if user is not None and user.is_authenticated:
        # Before the second factor, a signed-in user is offered nothing but signing out.
        if is_verified(user):
            context["mfa_verified"] = True
            current = request.resolver_match.view_name if request.resolver_match else ""
            context["navigation"] = [
                {"item": item, "url": reverse(item.url_name), "current": item.url_name == current}
                for item in navigation_for(user)
            ]
        authority = user.local_authority
        context["authority"] = authority
        if authority is not None:
            context["privacy_notice_url"] = reverse(
                "pages:privacy_notice", args=[authority.gss_code]
            )
    return context
