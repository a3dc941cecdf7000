"""Multi-factor sign-in: a TOTP authenticator app, and single-use backup codes (django-otp).

After the password, a session is signed in but not verified: MfaRequiredMiddleware sends it
to verify a code (or, for a user with no confirmed authenticator yet, to set one up) from
every page except the public ones, signing out and the MFA pages themselves. Verifying
stores the device's id in the session (django_otp.login): it lives and dies with the
session, so the idle and absolute timeouts (sessions.py) and signing out end it too, and
deleting a user's devices (an admin's reset) unverifies every session of theirs at its next
request.

Wrong codes are throttled by django-otp, per device: each failure doubles the wait before
the next try (OTP_TOTP_THROTTLE_FACTOR, OTP_STATIC_THROTTLE_FACTOR). Every failure, success,
enrolment and new set of backup codes is on the audit trail.
"""

import base64
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import qrcode
import qrcode.image.svg
from django.db import transaction
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from changing_lives.accounts.models import User
from changing_lives.audit.actions import AuditAction
from changing_lives.audit.services import audit_record

BACKUP_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"
# Freshly made backup codes wait here between the request that made them and the page that
# shows them (once: the page takes them out of the session).
NEW_BACKUP_CODES_KEY = "_mfa_new_backup_codes"

TOTP_CODE = re.compile(r"^\d{6}$")
# django-otp's StaticToken.random_token(): 8 characters of lower-case base32.
BACKUP_CODE = re.compile(r"^[a-z2-7]{8}$")


def mfa_not_required[View: Callable[..., Any]](view: View) -> View:
    """Mark a view that a signed-in session may open before passing the second factor."""
    view.mfa_required = False  # type: ignore[attr-defined]
    return view


def is_verified(user: Any) -> bool:
    """Whether this request's session passed the second factor (OTPMiddleware's answer)."""
    check = getattr(user, "is_verified", None)
    return bool(user is not None and user.is_authenticated and check is not None and check())


def normalise_code(typed: str) -> str:
    """What people type: spaces and hyphens (codes are shown in groups), any case."""
    return re.sub(r"[\s-]", "", typed).lower()


def mfa_verify_url(next_url: str) -> str:
    return f"{reverse('accounts:mfa_verify')}?{urlencode({'next': next_url})}"


class MfaRequiredMiddleware:
    """After LoginRequiredMiddleware (anonymous users are sent to sign in first)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponseBase | None:
        # Public pages (login_not_required) and the pages of signing in itself are open.
        if not getattr(view_func, "login_required", True):
            return None
        if not getattr(view_func, "mfa_required", True):
            return None
        if not request.user.is_authenticated or is_verified(request.user):
            return None
        return redirect(mfa_verify_url(request.get_full_path()))


# Devices


def totp_device_of(user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator, if they have set one up."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


def backup_device_of(user: User) -> StaticDevice | None:
    return StaticDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


def backup_codes_left(user: User) -> int:
    device = backup_device_of(user)
    return device.token_set.count() if device is not None else 0


def totp_device_pending(*, user: User) -> TOTPDevice:
    """The authenticator being set up: unconfirmed until the user types a code from it.

    The same one on every visit until then, so the secret the user copied stays good.
    """
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def secret_for_people(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it typed in: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice) -> SafeString:
    """The device's otpauth:// address as an SVG QR code, drawn here: nothing leaves the
    server. Its markup is qrcode's own (a path and attributes, no style), made from our
    data, so it is safe to put into the page."""
    image = qrcode.make(
        device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=4
    )
    svg = image.to_string(encoding="unicode")
    # An accessible name: the page says what the code is for, and gives the secret as text.
    svg = svg.replace(
        "<svg ",
        '<svg role="img" aria-label="QR code for your authenticator app" class="app-qr-code" ',
        1,
    )
    return mark_safe(svg)  # noqa: S308


# Writes


@dataclass(frozen=True)
class CodeCheck:
    """The outcome of a typed code: the device that accepted it, or why not."""

    device: Device | None = None
    error: str = ""
    backup_codes: list[str] | None = None

    @property
    def ok(self) -> bool:
        return self.device is not None


def _wait_for_people(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} second" if seconds == 1 else f"{seconds} seconds"
    if seconds < 2 * 60 * 60:
        return f"{-(-seconds // 60)} minutes"
    return f"{-(-seconds // 3600)} hours"


def _throttled_message(info: dict[str, Any] | None) -> str:
    locked_until = (info or {}).get("locked_until")
    seconds = 1
    if locked_until is not None:
        seconds = max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
    return (
        f"You have entered too many wrong codes. Wait {_wait_for_people(seconds)}, then try again"
    )


def _check(
    *, user: User, device: Device, code: str, request: HttpRequest | None, how: str
) -> CodeCheck:
    """Throttle, verify, and audit a failure; the caller's transaction keeps what it did."""
    allowed, info = device.verify_is_allowed()
    if not allowed:
        audit_record(
            action=AuditAction.MFA_FAILED, actor=user, obj=user, request=request, detail="throttled"
        )
        return CodeCheck(error=_throttled_message(info))
    if not device.verify_token(code):
        audit_record(
            action=AuditAction.MFA_FAILED, actor=user, obj=user, request=request, detail=how
        )
        return CodeCheck(error=WRONG_CODE[how])
    return CodeCheck(device=device)


WRONG_CODE = {
    "totp": "The code is not right. Check the code in your authenticator app and try again",
    "backup code": "That backup code is not right, or has been used. Try another",
}


def _backup_codes_replace(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def mfa_enrol(
    *, user: User, device: TOTPDevice, code: str, request: HttpRequest | None = None
) -> CodeCheck:
    """Confirm the authenticator being set up with a code from it, and issue backup codes.

    A wrong code is throttled and audited (`mfa_failed`) like any other. On success the
    device is confirmed, any other authenticator of the user is deleted, a new set of
    BACKUP_CODE_COUNT backup codes replaces the old (returned, to be shown once), and the
    enrolment is audited (`mfa_enrolled`).
    """
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
    if device.confirmed:
        return CodeCheck(error="This authenticator app is already set up")
    code = normalise_code(code)
    if not TOTP_CODE.match(code):
        return CodeCheck(error="Enter the 6-digit code from your authenticator app")
    result = _check(user=user, device=device, code=code, request=request, how="totp")
    if not result.ok:
        return result
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    codes = _backup_codes_replace(user)
    audit_record(action=AuditAction.MFA_ENROLLED, actor=user, obj=user, request=request)
    return CodeCheck(device=device, backup_codes=codes)


@transaction.atomic
def mfa_verify(*, user: User, code: str, request: HttpRequest | None = None) -> CodeCheck:
    """Check a code typed at sign-in: six digits from the authenticator, or a backup code
    (which then no longer works). Throttled per device; every outcome audited."""
    code = normalise_code(code)
    if TOTP_CODE.match(code):
        how, model = "totp", TOTPDevice
    elif BACKUP_CODE.match(code):
        how, model = "backup code", StaticDevice
    else:
        return CodeCheck(
            error="Enter the 6-digit code from your authenticator app, or one of your backup codes"
        )
    device = (
        model.objects.devices_for_user(user, confirmed=True)
        .select_for_update()
        .order_by("pk")
        .first()
    )
    if device is None:
        audit_record(
            action=AuditAction.MFA_FAILED, actor=user, obj=user, request=request, detail=how
        )
        return CodeCheck(error=WRONG_CODE[how])
    result = _check(user=user, device=device, code=code, request=request, how=how)
    if result.ok:
        audit_record(
            action=AuditAction.MFA_VERIFIED, actor=user, obj=user, request=request, detail=how
        )
    return result


@transaction.atomic
def mfa_backup_codes_regenerate(*, user: User, request: HttpRequest | None = None) -> list[str]:
    """A new set of backup codes; the old ones stop working. Audited."""
    codes = _backup_codes_replace(user)
    audit_record(
        action=AuditAction.MFA_BACKUP_CODES_REGENERATED, actor=user, obj=user, request=request
    )
    return codes
