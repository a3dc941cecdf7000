"""The second factor's pages: set up an authenticator app, verify a code, backup codes.

Setting up and verifying are open to a signed-in session that has not passed the second
factor (mfa_not_required); the backup codes page needs a verified session like any other.
"""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from changing_lives.accounts import forms
from changing_lives.accounts.mfa import (
    BACKUP_CODE_COUNT,
    NEW_BACKUP_CODES_KEY,
    backup_codes_left,
    is_verified,
    mfa_backup_codes_regenerate,
    mfa_enrol,
    mfa_not_required,
    mfa_verify,
    qr_code_svg,
    secret_for_people,
    totp_device_of,
    totp_device_pending,
)
from changing_lives.accounts.models import User


def _next_url(request: HttpRequest) -> str:
    """Where the user was going (a path on this site only), or their home page."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@mfa_not_required
def verify(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    next_url = _next_url(request)
    if is_verified(user):
        return redirect(next_url)
    if totp_device_of(user) is None:
        return redirect(_with_next("accounts:mfa_enrol", next_url))
    form = forms.MfaVerifyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        result = mfa_verify(user=user, code=form.cleaned_data["code"], request=request)
        if result.ok:
            otp_login(request, result.device)
            if isinstance(result.device, StaticDevice):
                left = backup_codes_left(user)
                messages.info(
                    request,
                    f"You signed in with a backup code, which will not work again. "
                    f"You have {left} left: create new ones from Backup codes.",
                )
            return redirect(next_url)
        form.add_error("code", result.error)
    return render(request, "accounts/mfa_verify.html", {"form": form, "next": next_url})


@mfa_not_required
def enrol(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    next_url = _next_url(request)
    if totp_device_of(user) is not None:
        return redirect(
            next_url if is_verified(user) else _with_next("accounts:mfa_verify", next_url)
        )
    device = totp_device_pending(user=user)
    form = forms.MfaEnrolForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        result = mfa_enrol(
            user=user, device=device, code=form.cleaned_data["code"], request=request
        )
        if result.ok:
            otp_login(request, result.device)
            request.session[NEW_BACKUP_CODES_KEY] = result.backup_codes
            return redirect(_with_next("accounts:mfa_backup_codes", next_url))
        form.add_error("code", result.error)
    return render(
        request,
        "accounts/mfa_enrol.html",
        {
            "form": form,
            "next": next_url,
            "secret": secret_for_people(device),
            "qr_code": qr_code_svg(device),
        },
    )


def backup_codes(request: HttpRequest) -> HttpResponse:
    """New codes, shown once (then gone from the session); or how many are left, and a
    button for a new set."""
    user = _user(request)
    if request.method == "POST":
        form = forms.BackupCodesForm(request.POST)
        if form.is_valid():
            request.session[NEW_BACKUP_CODES_KEY] = mfa_backup_codes_regenerate(
                user=user, request=request
            )
            return redirect("accounts:mfa_backup_codes")
    codes = request.session.pop(NEW_BACKUP_CODES_KEY, None)
    return render(
        request,
        "accounts/mfa_backup_codes.html",
        {
            "codes": codes,
            "codes_left": None if codes else backup_codes_left(user),
            "code_count": BACKUP_CODE_COUNT,
            "next": _next_url(request),
            "form": forms.BackupCodesForm(),
        },
    )
