"""How tests sign in, now that every session needs a second factor.

- `force_login_verified(client, user)`: Django's force_login, then the session marked
  verified exactly as django-otp marks it (the device's persistent id under its session
  key), with the user's authenticator. What `client_as` does; most page tests use it.
- `sign_in_with_forms(client, user)`: the real sign-in form, then the real code page,
  with a code computed from the user's authenticator.
- `totp_code(device)`: the code the user's authenticator app would show now.

Users made by the factory have a confirmed authenticator (a key derived from the
username) unless made with `totp=False`.
"""

import time

from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from changing_lives.accounts.models import User
from tests.factories import PASSWORD, totp_key_for


def totp_device(user: User) -> TOTPDevice:
    """The user's confirmed authenticator; made (with the fixed key) if they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name="Authenticator app", confirmed=True, key=totp_key_for(user.username)
        )
    return device


def totp_code(device: TOTPDevice) -> str:
    """The code an authenticator app with this device's key shows now.

    A code works once (django-otp keeps the last time step used). If this step's code was
    used already (the same user signed in again within 30 seconds), the next step's code,
    which the server also accepts, is given; if that was used too, the device is told the
    user waited for a fresh code, rather than the test waiting 30 seconds.
    """
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    now = totp.t()
    if device.last_t > now:
        TOTPDevice.objects.filter(pk=device.pk).update(last_t=now - 1)
    elif device.last_t == now:
        totp.time += device.step
    return f"{totp.token():0{device.digits}d}"


def force_login_verified(client: Client, user: User) -> Client:
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
    session.save()
    return client


def sign_in_with_forms(client: Client, user: User, password: str = PASSWORD):
    """Password, then a code from the authenticator; returns the code page's response."""
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": password}
    )
    assert response.status_code == 302, "the password was refused"
    return client.post(reverse("accounts:mfa_verify"), {"code": totp_code(totp_device(user))})
