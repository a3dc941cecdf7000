"""An admin's pages for their local authority's users (accounts.manage_users): the list,
an invitation, a user's page, their roles, and the actions on them (deactivate, reactivate,
reset multi-factor sign-in, unlock, a new invitation).

Users are reached through changing_lives/accounts/access.py: another authority's user
answers 404. A platform superuser (no authority of their own) picks the authority on the
list, and may manage any authority's users. Every change goes through a service in
changing_lives/accounts/services.py, which checks the rules again and audits it.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from changing_lives.accounts import forms
from changing_lives.accounts.access import managed_user_for, managed_users
from changing_lives.accounts.mfa import backup_codes_left, totp_device_of
from changing_lives.accounts.models import User
from changing_lives.accounts.roles import Role
from changing_lives.accounts.services import (
    invite_resend,
    locked_out_usernames,
    user_deactivate,
    user_invite,
    user_mfa_reset,
    user_reactivate,
    user_roles_set,
    user_unlock,
)
from changing_lives.authorities.models import LocalAuthority
from changing_lives.pages.forms import add_service_errors

MANAGE = "accounts.manage_users"
SEND_FAILED = "The invitation could not be sent. Try again later"


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _site_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _name(user: User) -> str:
    return user.get_full_name() or user.username


@permission_required(MANAGE, raise_exception=True)
def user_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    authority = actor.local_authority
    chooser = None
    if authority is None:
        if not actor.is_superuser:
            raise PermissionDenied("This account belongs to no local authority")
        chooser = forms.AuthorityChooseForm(request.GET if "authority" in request.GET else None)
        if chooser.is_bound and chooser.is_valid():
            authority = chooser.cleaned_data["authority"]
    rows = []
    if authority is not None:
        users = list(
            managed_users(request)
            .for_authority(authority)
            .order_by("last_name", "first_name", "username")
        )
        # One query each for every row's MFA and lockout, not one per user.
        enrolled = set(
            TOTPDevice.objects.filter(user__in=users, confirmed=True).values_list(
                "user_id", flat=True
            )
        )
        locked = locked_out_usernames(user.username for user in users)
        rows = [
            {"user": user, "mfa": user.pk in enrolled, "locked": user.username in locked}
            for user in users
        ]
    return render(
        request,
        "accounts/users/list.html",
        {"rows": rows, "managed_authority": authority, "chooser": chooser},
    )


@permission_required(MANAGE, raise_exception=True)
def user_invite_page(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    choose = actor.local_authority is None
    if choose and not actor.is_superuser:
        raise PermissionDenied("This account belongs to no local authority")
    initial = {}
    if choose and request.GET.get("authority"):
        initial["local_authority"] = LocalAuthority.objects.filter(
            gss_code=request.GET["authority"]
        ).first()
    form = forms.UserInviteForm(
        request.POST if request.method == "POST" else None,
        choose_authority=choose,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        authority = data["local_authority"] if choose else actor.local_authority
        assert isinstance(authority, LocalAuthority)
        try:
            user = user_invite(
                actor=actor,
                local_authority=authority,
                username=data["username"],
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                roles=[Role(value) for value in data["roles"]],
                site_url=_site_url(request),
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except OSError:
            # The mail server refused or is down: nothing was saved (one transaction).
            form.add_error(None, SEND_FAILED)
        else:
            messages.success(
                request,
                f"Invitation sent. The link in it works once, for "
                f"{settings.INVITE_VALID_HOURS} hours.",
            )
            return redirect("users:detail", user.public_id)
    return render(
        request,
        "accounts/users/invite.html",
        {"form": form, "invite_valid_hours": settings.INVITE_VALID_HOURS},
    )


@permission_required(MANAGE, raise_exception=True)
def user_detail(request: HttpRequest, user_id: uuid.UUID) -> HttpResponse:
    target = managed_user_for(request, user_id)
    return render(
        request,
        "accounts/users/detail.html",
        {
            "target": target,
            "target_name": _name(target),
            "mfa": totp_device_of(target) is not None,
            "backup_codes_left": backup_codes_left(target),
            "locked": target.username in locked_out_usernames([target.username]),
            "is_self": target.pk == request.user.pk,
            "invite_valid_hours": settings.INVITE_VALID_HOURS,
        },
    )


@permission_required(MANAGE, raise_exception=True)
def user_roles_page(request: HttpRequest, user_id: uuid.UUID) -> HttpResponse:
    target = managed_user_for(request, user_id)
    form = forms.UserRolesForm(
        request.POST if request.method == "POST" else None,
        initial={"roles": [role.value for role in target.roles]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            user_roles_set(
                user=target,
                roles=[Role(value) for value in form.cleaned_data["roles"]],
                actor=_actor(request),
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Roles saved")
            return redirect("users:detail", target.public_id)
    return render(
        request,
        "accounts/users/roles.html",
        {"form": form, "target": target, "target_name": _name(target)},
    )


# Actions confirmed on a page of their own


@dataclass(frozen=True)
class UserAction:
    title: str  # "{name}" is the user's name
    body: str
    button: str
    done: str
    not_applicable: str
    applies: Callable[[User], bool]
    perform: Callable[[HttpRequest, User], object]
    warning: bool = False


def _is_locked(user: User) -> bool:
    return user.username in locked_out_usernames([user.username])


ACTIONS: dict[str, UserAction] = {
    "deactivate": UserAction(
        title="Deactivate {name}'s account",
        body="They will no longer be able to sign in, and a session of theirs that is open "
        "now stops working at once. Their name stays on the records and the audit trail. You "
        "can reactivate the account later.",
        button="Deactivate account",
        done="Account deactivated",
        not_applicable="This account is not active",
        applies=lambda user: user.is_active,
        perform=lambda request, user: user_deactivate(
            actor=_actor(request), user=user, request=request
        ),
        warning=True,
    ),
    "reactivate": UserAction(
        title="Reactivate {name}'s account",
        body="They will be able to sign in again with their password and authenticator app.",
        button="Reactivate account",
        done="Account reactivated",
        not_applicable="This account is active, or its invitation has not been accepted yet",
        applies=lambda user: not user.is_active and not user.is_invited,
        perform=lambda request, user: user_reactivate(
            actor=_actor(request), user=user, request=request
        ),
    ),
    "mfa_reset": UserAction(
        title="Reset {name}'s multi-factor sign-in",
        body="Their authenticator app and backup codes stop working at once, and they set up "
        "an authenticator app again when they next sign in. Do this when they have lost their "
        "phone, or think someone else has their codes. Make sure it is really them asking.",
        button="Reset multi-factor sign-in",
        done="Multi-factor sign-in reset: they will set it up again when they next sign in",
        not_applicable="",
        applies=lambda user: True,
        perform=lambda request, user: user_mfa_reset(
            actor=_actor(request), user=user, request=request
        ),
        warning=True,
    ),
    "unlock": UserAction(
        title="Unlock {name}'s account",
        body="Too many wrong passwords locked this account out. Unlocking clears them, from "
        "every address, so they can try again at once. If they have forgotten their password, "
        "they can reset it from the sign-in page.",
        button="Unlock account",
        done="Account unlocked",
        not_applicable="This account is not locked out",
        applies=_is_locked,
        perform=lambda request, user: user_unlock(
            actor=_actor(request), user=user, request=request
        ),
    ),
    "invite_resend": UserAction(
        title="Send {name} a new invitation",
        body="We will email them a new link to set their password, which works once, for "
        "{hours} hours. The link sent before stops working.",
        button="Send a new invitation",
        done="New invitation sent",
        not_applicable="This user has already accepted their invitation",
        applies=lambda user: user.is_invited,
        perform=lambda request, user: invite_resend(
            actor=_actor(request), user=user, site_url=_site_url(request), request=request
        ),
    ),
}


def _confirm(request: HttpRequest, user_id: uuid.UUID, name: str) -> HttpResponse:
    action = ACTIONS[name]
    target = managed_user_for(request, user_id)
    back_to = reverse("users:detail", args=[target.public_id])
    if not action.applies(target):
        return render(
            request,
            "message_page.html",
            {
                "message_title": action.not_applicable,
                "message_body": "There is nothing to do.",
                "message_link_url": back_to,
                "message_link_text": "Back to the user",
            },
        )
    form = forms.ConfirmForm(
        request.POST if request.method == "POST" else None,
        submit_label=action.button,
        warning=action.warning,
    )
    if request.method == "POST" and form.is_valid():
        try:
            action.perform(request, target)
        except ValidationError as error:
            add_service_errors(form, error)
        except OSError:
            form.add_error(None, SEND_FAILED)
        else:
            messages.success(request, action.done)
            return redirect(back_to)
    return render(
        request,
        "accounts/users/confirm.html",
        {
            "form": form,
            "title": action.title.format(name=_name(target)),
            "body": action.body.format(hours=settings.INVITE_VALID_HOURS),
            "back_to": back_to,
        },
    )


@permission_required(MANAGE, raise_exception=True)
def user_deactivate_page(request: HttpRequest, user_id: uuid.UUID) -> HttpResponse:
    return _confirm(request, user_id, "deactivate")


@permission_required(MANAGE, raise_exception=True)
def user_reactivate_page(request: HttpRequest, user_id: uuid.UUID) -> HttpResponse:
    return _confirm(request, user_id, "reactivate")


@permission_required(MANAGE, raise_exception=True)
def user_mfa_reset_page(request: HttpRequest, user_id: uuid.UUID) -> HttpResponse:
    return _confirm(request, user_id, "mfa_reset")


@permission_required(MANAGE, raise_exception=True)
def user_unlock_page(request: HttpRequest, user_id: uuid.UUID) -> HttpResponse:
    return _confirm(request, user_id, "unlock")


@permission_required(MANAGE, raise_exception=True)
def invite_resend_page(request: HttpRequest, user_id: uuid.UUID) -> HttpResponse:
    return _confirm(request, user_id, "invite_resend")
