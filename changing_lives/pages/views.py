"""The home page per role, and the public pages: privacy notice, accessibility, cookies."""

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from changing_lives.accounts.roles import ROLE_DESCRIPTIONS
from changing_lives.authorities.models import LocalAuthority
from changing_lives.authorities.notice import render_notice
from changing_lives.pages.navigation import work_for_role


def home(request: HttpRequest) -> HttpResponse:
    sections = [
        {"role": role, "description": ROLE_DESCRIPTIONS[role], "work": work_for_role(role)}
        for role in request.user.roles  # type: ignore[union-attr]
    ]
    return render(request, "pages/home.html", {"sections": sections})


@login_not_required
def privacy_notices(request: HttpRequest) -> HttpResponse:
    authorities = list(LocalAuthority.objects.only("name", "gss_code"))
    if len(authorities) == 1:
        return redirect("pages:privacy_notice", authorities[0].gss_code)
    return render(request, "pages/privacy_notices.html", {"authorities": authorities})


@login_not_required
def privacy_notice(request: HttpRequest, gss_code: str) -> HttpResponse:
    authority = get_object_or_404(LocalAuthority, gss_code=gss_code)
    return render(
        request,
        "pages/privacy_notice.html",
        {"notice_authority": authority, "notice_html": render_notice(authority.privacy_notice)},
    )


@login_not_required
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/accessibility.html")


@login_not_required
def cookies(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/cookies.html")


@login_not_required
def csrf_failure(request: HttpRequest, reason: str = "", **kwargs: Any) -> HttpResponse:
    # The reason is for developers; the page never echoes request data.
    return render(request, "403_csrf.html", status=403)
