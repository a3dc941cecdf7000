"""Invitations: the page the link in an admin's invitation e-mail opens, where the new user
sets a password (changing_lives/accounts/invitations.py makes and checks the link)."""

import uuid

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from changing_lives.accounts import forms
from changing_lives.accounts.invitations import invite_token_generator
from changing_lives.accounts.models import User
from changing_lives.accounts.services import invite_accept
from changing_lives.pages.forms import add_service_errors

INVITE_SESSION_TOKEN = "_invite_token"  # noqa: S105
# As with password reset, the token leaves the address bar at once (so no Referer or
# browser history carries it): it waits in the session, and the page's address says this.
INVITE_URL_TOKEN = "set-password"  # noqa: S105


@login_not_required
def invite_accept_page(request: HttpRequest, user_id: uuid.UUID, token: str) -> HttpResponse:
    """Set a password from an invitation link; then straight on to set up the
    authenticator app (signed in, not yet verified)."""
    user = User.objects.filter(public_id=user_id).select_related("local_authority").first()
    valid = False
    if user is not None and user.is_invited:
        if token == INVITE_URL_TOKEN:
            valid = invite_token_generator.check_token(
                user, request.session.get(INVITE_SESSION_TOKEN)
            )
        elif invite_token_generator.check_token(user, token):
            request.session[INVITE_SESSION_TOKEN] = token
            return redirect(
                "accounts:invite_accept", user_id=user.public_id, token=INVITE_URL_TOKEN
            )
    if not valid or user is None:
        return render(
            request,
            "message_page.html",
            {
                "message_title": "This invitation link is not valid",
                "message_body": (
                    f"It may have been used already, or be more than "
                    f"{settings.INVITE_VALID_HOURS} hours old. Ask your local authority's "
                    "admin to send a new invitation."
                ),
                "message_link_url": reverse("accounts:login"),
                "message_link_text": "Go to sign in",
            },
        )
    form = forms.InviteAcceptForm(user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            invite_accept(user=user, password=form.cleaned_data["new_password1"], request=request)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            request.session.pop(INVITE_SESSION_TOKEN, None)
            user.refresh_from_db()
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("accounts:mfa_enrol")
    return render(request, "accounts/invite_accept.html", {"form": form, "invited": user})
