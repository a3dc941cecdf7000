"""Multi-factor sign-in: an authenticator app (TOTP) and single-use backup codes.

Set up at first sign-in, asked for after the password, throttled and audited, kept in the
session (so it ends with it), reset by an admin. No SMS, anywhere.
"""

import base64
import datetime
import html
import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY, device_classes
from django_otp.oath import hotp, totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from changing_lives.accounts.mfa import BACKUP_CODE_COUNT, mfa_backup_codes_regenerate
from changing_lives.accounts.models import User
from changing_lives.accounts.roles import Role
from changing_lives.accounts.sessions import LAST_SEEN_KEY, STARTED_KEY
from changing_lives.audit.actions import AuditAction
from changing_lives.audit.models import AuditEvent
from tests.factories import PASSWORD
from tests.signing_in import force_login_verified, sign_in_with_forms, totp_code, totp_device
from tests.urlwalk import PUBLIC_URL_NAMES, walk

pytestmark = pytest.mark.django_db

VERIFY = reverse("accounts:mfa_verify")
ENROL = reverse("accounts:mfa_enrol")
BACKUP_CODES = reverse("accounts:mfa_backup_codes")
# The pages a signed-in session may open before the second factor, besides public ones.
OPEN_BEFORE_THE_SECOND_FACTOR = {"accounts:logout", "accounts:mfa_verify", "accounts:mfa_enrol"}


def text(response) -> str:
    return html.unescape(response.content.decode())


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


def password_only(user: User) -> Client:
    """Signed in with the password through the real form, not yet past the code."""
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


def wrong_code_for(device: TOTPDevice) -> str:
    """A 6-digit code that is none of the three the device accepts now."""
    now = int(time.time()) // device.step
    accepted = {hotp(device.bin_key, now + offset) for offset in (-2, -1, 0, 1, 2)}
    return next(f"{n:06d}" for n in range(1_000_000) if n not in accepted)


def let_time_pass(device: TOTPDevice | StaticDevice, seconds: int = 3600) -> None:
    """As if the throttle's wait were over."""
    if device.throttling_failure_timestamp is not None:
        type(device).objects.filter(pk=device.pk).update(
            throttling_failure_timestamp=device.throttling_failure_timestamp
            - datetime.timedelta(seconds=seconds)
        )


def test_a_user_without_an_authenticator_sets_one_up_at_first_sign_in(make_user) -> None:
    user = make_user(Role.CASEWORKER, totp=False)
    client = password_only(user)

    # Every page sends them on: to verify, which sends them to set up an authenticator.
    response = client.get(reverse("families:list"))
    assert response["Location"] == f"{VERIFY}?next=%2Ffamilies%2F"
    response = client.get(response["Location"])
    assert response["Location"] == f"{ENROL}?next=%2Ffamilies%2F"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "<title>Set up your authenticator app - Changing Lives</title>" in text(page)

    # The secret is shown as text to type and as a QR code drawn here (SVG, no image URL).
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    secret = base64.b32encode(device.bin_key).decode()
    shown = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page.content.decode())
    assert shown is not None
    assert shown.group(1).replace(" ", "") == secret
    assert '<svg role="img" aria-label="QR code for your authenticator app"' in text(page)
    # The same secret on a second visit (the user may come back after installing the app).
    again = client.get(f"{ENROL}?next=/families/")
    assert secret.replace(" ", "") in text(again).replace(" ", "")

    # A code from the app confirms it, and the backup codes are shown once.
    code = f"{totp(base64.b32decode(secret)):06d}"
    response = client.post(f"{ENROL}?next=/families/", {"code": code})
    assert response.status_code == 302
    assert response["Location"] == f"{BACKUP_CODES}?next=%2Ffamilies%2F"
    shown_codes = client.get(response["Location"])
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", shown_codes.content.decode())
    assert len(codes) == BACKUP_CODE_COUNT == 10
    assert "Store them safely" in text(shown_codes)
    assert 'href="/families/"' in text(shown_codes)
    later = client.get(BACKUP_CODES)
    assert not set(codes) & set(re.findall(r"[a-z2-7]{8}", later.content.decode()))
    assert "You have 10 backup codes left" in text(later)

    assert client.get(reverse("families:list")).status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    assert actions() == [AuditAction.LOGIN, AuditAction.MFA_ENROLLED]
    event = AuditEvent.objects.get(action=AuditAction.MFA_ENROLLED)
    assert (event.actor, event.object_id) == (user, str(user.public_id))


def test_a_wrong_enrolment_code_is_refused_audited_and_the_same_secret_stays(make_user) -> None:
    user = make_user(Role.CASEWORKER, totp=False)
    client = password_only(user)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=user)
    response = client.post(ENROL, {"code": wrong_code_for(device)})
    assert response.status_code == 200
    assert "<title>Error: Set up your authenticator app" in text(response)
    assert "The code is not right" in text(response)
    assert base64.b32encode(device.bin_key).decode()[:4] in text(response)
    assert actions() == [AuditAction.LOGIN, AuditAction.MFA_FAILED]
    response = client.post(ENROL, {"code": "12345"})
    assert "Enter the 6-digit code from your authenticator app" in text(response)
    assert TOTPDevice.objects.get(user=user).confirmed is False


def test_a_wrong_code_is_refused_and_audited_and_the_right_one_lets_in(make_user) -> None:
    user = make_user(Role.CASEWORKER)
    device = totp_device(user)
    client = password_only(user)
    assert client.get("/progress/")["Location"] == f"{VERIFY}?next=%2Fprogress%2F"

    response = client.post(f"{VERIFY}?next=/progress/", {"code": wrong_code_for(device)})
    assert response.status_code == 200
    assert "<title>Error: Enter your security code - Changing Lives</title>" in text(response)
    assert "govuk-error-summary" in text(response)
    assert "The code is not right" in text(response)
    failed = AuditEvent.objects.get(action=AuditAction.MFA_FAILED)
    assert (failed.actor, failed.object_id, failed.detail) == (user, str(user.public_id), "totp")
    assert client.get("/progress/").status_code == 302

    device.refresh_from_db()
    let_time_pass(device)
    response = client.post(f"{VERIFY}?next=/progress/", {"code": totp_code(device)})
    assert response.status_code == 302
    assert response["Location"] == "/progress/"
    assert client.get("/progress/").status_code == 200
    assert actions() == [AuditAction.LOGIN, AuditAction.MFA_FAILED, AuditAction.MFA_VERIFIED]


def test_the_same_code_does_not_work_twice(make_user) -> None:
    user = make_user(Role.CASEWORKER)
    device = totp_device(user)
    code = totp_code(device)
    assert password_only(user).post(VERIFY, {"code": code}).status_code == 302
    response = password_only(user).post(VERIFY, {"code": code})
    assert response.status_code == 200
    assert "The code is not right" in text(response)


def test_only_a_path_on_this_site_is_followed_after_the_code(make_user) -> None:
    user = make_user(Role.CASEWORKER)
    client = password_only(user)
    response = client.post(
        f"{VERIFY}?next=https://evil.example/", {"code": totp_code(totp_device(user))}
    )
    assert response["Location"] == reverse("pages:home")


def test_a_backup_code_works_once(make_user) -> None:
    user = make_user(Role.CASEWORKER)
    codes = mfa_backup_codes_regenerate(user=user)
    assert len(codes) == 10
    assert len(set(codes)) == 10

    client = password_only(user)
    # Typed as people type them: upper case, in two groups.
    typed = f"{codes[0][:4].upper()} {codes[0][4:].upper()}"
    response = client.post(VERIFY, {"code": typed})
    assert response.status_code == 302
    home = client.get(response["Location"])
    assert home.status_code == 200
    assert "You signed in with a backup code" in text(home)
    assert "You have 9 left" in text(home)
    verified = AuditEvent.objects.get(action=AuditAction.MFA_VERIFIED)
    assert verified.detail == "backup code"

    again = password_only(user).post(VERIFY, {"code": codes[0]})
    assert again.status_code == 200
    assert "That backup code is not right, or has been used" in text(again)
    assert AuditEvent.objects.filter(action=AuditAction.MFA_FAILED, detail="backup code").exists()
    assert StaticDevice.objects.get(user=user).token_set.count() == 9


def test_new_backup_codes_replace_the_old_and_are_audited(client_as) -> None:
    client = client_as(Role.CASEWORKER)
    user = User.objects.get()
    old = mfa_backup_codes_regenerate(user=user)
    response = client.post(BACKUP_CODES)
    assert response.status_code == 302
    page = client.get(BACKUP_CODES)
    new = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page.content.decode())
    assert len(new) == 10
    assert not set(new) & set(old)
    stored = set(StaticDevice.objects.get(user=user).token_set.values_list("token", flat=True))
    assert stored == set(new)
    events = AuditEvent.objects.filter(action=AuditAction.MFA_BACKUP_CODES_REGENERATED)
    assert [(event.actor, event.object_id) for event in events] == [(user, str(user.public_id))] * 2


@pytest.mark.parametrize(
    "url",
    [
        url
        for url in walk()
        if url.name not in PUBLIC_URL_NAMES and url.name not in OPEN_BEFORE_THE_SECOND_FACTOR
    ],
    ids=lambda url: url.name,
)
def test_a_session_without_the_second_factor_is_sent_to_verify_from_every_page(
    url, make_user
) -> None:
    client = Client()
    client.force_login(make_user(*Role))  # password only: not verified
    for method in (client.get, client.post):
        response = method(url.path)
        assert response.status_code == 302, f"{url.name} answered {response.status_code}"
        location = urlsplit(response["Location"])
        assert location.path == VERIFY, f"{url.name} sent the user to {location.path}"
        assert parse_qs(location.query) == {"next": [url.path]}


def test_signing_out_and_the_mfa_pages_are_open_before_the_second_factor(make_user) -> None:
    client = Client()
    client.force_login(make_user(Role.CASEWORKER))
    page = client.get(VERIFY)
    assert page.status_code == 200
    # Nothing is offered but signing out.
    assert "Change password" not in text(page)
    assert 'href="/families/"' not in text(page)
    assert "Sign out" in text(page)
    assert client.get(ENROL)["Location"].startswith(VERIFY)  # already set up: verify
    assert client.post(reverse("accounts:logout"))["Location"] == reverse("accounts:login")
    for name in OPEN_BEFORE_THE_SECOND_FACTOR:
        assert name in {url.name for url in walk()}


def test_wrong_codes_are_throttled_ever_longer_and_audited(make_user) -> None:
    user = make_user(Role.CASEWORKER)
    device = totp_device(user)
    client = password_only(user)
    client.post(VERIFY, {"code": wrong_code_for(device)})
    # Straight away, even the right code must wait.
    response = client.post(VERIFY, {"code": totp_code(device)})
    assert response.status_code == 200
    assert "You have entered too many wrong codes. Wait 1 second, then try again" in text(response)
    assert AuditEvent.objects.filter(action=AuditAction.MFA_FAILED, detail="throttled").exists()
    # Each failure doubles the wait: after 5 in a row, 16 seconds.
    for _ in range(4):
        device.refresh_from_db()
        let_time_pass(device)
        client.post(VERIFY, {"code": wrong_code_for(device)})
    device.refresh_from_db()
    assert device.throttling_failure_count == 5
    response = client.post(VERIFY, {"code": totp_code(device)})
    assert re.search(r"Wait 1[56] seconds", text(response))
    assert client.get("/").status_code == 302

    let_time_pass(device)
    assert client.post(VERIFY, {"code": totp_code(device)}).status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 0
    assert settings.OTP_TOTP_THROTTLE_FACTOR == settings.OTP_STATIC_THROTTLE_FACTOR == 1


def test_the_verified_mark_lives_in_the_session_and_ends_with_it(make_user) -> None:
    user = make_user(Role.CASEWORKER)
    client = Client()
    assert sign_in_with_forms(client, user).status_code == 302
    assert client.session[DEVICE_ID_SESSION_KEY] == totp_device(user).persistent_id

    # The timeout's own writes (last seen, at most once a minute) keep it.
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - 5 * 60
    session.save()
    assert client.get("/").status_code == 200
    assert DEVICE_ID_SESSION_KEY in client.session

    # Past the idle limit the session ends, and the password alone no longer gets in.
    session = client.session
    session[LAST_SEEN_KEY] = session[STARTED_KEY] = int(time.time()) - 31 * 60
    session.save()
    assert client.get("/")["Location"].startswith(reverse("accounts:login"))
    client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert client.get("/")["Location"].startswith(VERIFY)


def test_an_admin_reset_forces_a_new_set_up_and_is_audited(make_user, client_as) -> None:
    admin = client_as(Role.ADMIN)
    user = make_user(Role.CASEWORKER)
    mfa_backup_codes_regenerate(user=user)
    theirs = force_login_verified(Client(), user)
    assert theirs.get("/").status_code == 200

    response = admin.post(reverse("users:mfa_reset", args=[user.public_id]))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not StaticDevice.objects.filter(user=user).exists()
    event = AuditEvent.objects.get(action=AuditAction.MFA_RESET)
    assert event.object_id == str(user.public_id)
    assert event.actor is not None
    assert event.actor.has_role(Role.ADMIN)

    # Their open session is no longer verified, and they must set up an app again.
    response = theirs.get("/")
    assert response["Location"].startswith(VERIFY)
    assert theirs.get(response["Location"])["Location"].startswith(ENROL)
    assert theirs.get(ENROL).status_code == 200


def test_there_is_no_sms_option_anywhere(make_user, client_as) -> None:
    assert {model._meta.label for model in device_classes()} == {
        "otp_totp.TOTPDevice",
        "otp_static.StaticDevice",
    }
    assert not [app for app in settings.INSTALLED_APPS if re.search(r"sms|twilio|otp_email", app)]
    newcomer = password_only(make_user(Role.CASEWORKER, totp=False))
    pages = [
        newcomer.get(ENROL),
        password_only(make_user(Role.CASEWORKER)).get(VERIFY),
        client_as(Role.ADMIN).get(BACKUP_CODES),
    ]
    for page in pages:
        assert page.status_code == 200
        assert not re.search(r"\bSMS\b|text message|phone number", text(page), re.IGNORECASE)
