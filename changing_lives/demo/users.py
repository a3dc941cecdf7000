"""The demo local authority and one demo user per role, for `make run` and the smoke test."""

import base64
from dataclasses import dataclass

from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from changing_lives.accounts.mfa import BACKUP_DEVICE_NAME, TOTP_DEVICE_NAME
from changing_lives.accounts.models import User
from changing_lives.accounts.roles import Role
from changing_lives.accounts.services import user_create, user_roles_set
from changing_lives.authorities.models import LocalAuthority
from changing_lives.authorities.services import authority_create

DEMO_AUTHORITY = {"name": "Demo City Council", "gss_code": "E06000023", "dfe_number": "801"}
# Printed on screen by `make run`; demo data is refused outside development (DEBUG).
DEMO_PASSWORD = "demo-password-changing-lives"  # noqa: S105
# The second factor, published like the password (development only): every demo user's
# authenticator has this key (base32, as authenticator apps take it typed in), so one entry
# in an authenticator app signs in as any of them; and these backup codes, which seed_demo
# puts back on every run (each works once).
DEMO_TOTP_SECRET = "CHANGINGLIVESDEMOKEYFORMAKERUN23"  # noqa: S105
DEMO_BACKUP_CODES = ("demoaaa2", "demobbb3", "democcc4", "demoddd5", "demoeee6")


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: Role
    first_name: str
    last_name: str


DEMO_USERS = (
    DemoUser("caseworker", Role.CASEWORKER, "Casey", "Worker"),
    DemoUser("manager", Role.TEAM_MANAGER, "Morgan", "Manager"),
    DemoUser("dataofficer", Role.DATA_OFFICER, "Dana", "Officer"),
    DemoUser("admin", Role.ADMIN, "Alex", "Admin"),
)


def demo_authority_ensure() -> LocalAuthority:
    existing = LocalAuthority.objects.filter(gss_code=DEMO_AUTHORITY["gss_code"]).first()
    return existing or authority_create(**DEMO_AUTHORITY)


def demo_users_ensure(authority: LocalAuthority) -> list[DemoUser]:
    """Create the demo users, or put back their role, password and second factor if they
    exist."""
    for demo in DEMO_USERS:
        user = User.objects.filter(username=demo.username).first()
        if user is None:
            user = user_create(
                username=demo.username,
                email=f"{demo.username}@demo.example",
                first_name=demo.first_name,
                last_name=demo.last_name,
                local_authority=authority,
                roles=[demo.role],
                password=DEMO_PASSWORD,
            )
        else:
            user.set_password(DEMO_PASSWORD)
            user.is_active = True
            user.save(update_fields=["password", "is_active"])
            user_roles_set(user=user, roles=[demo.role])
        demo_mfa_ensure(user)
    return list(DEMO_USERS)


def demo_totp_key() -> str:
    """The demo secret as django-otp holds keys: hex."""
    return base64.b32decode(DEMO_TOTP_SECRET).hex()


def demo_mfa_ensure(user: User) -> None:
    """Give a demo user the published authenticator key and backup codes, confirmed, and
    put back whatever a previous session used or changed (nothing written if all is there)."""
    key = demo_totp_key()
    authenticators = TOTPDevice.objects.filter(user=user)
    if list(authenticators.values_list("key", "confirmed")) != [(key, True)]:
        authenticators.delete()
        TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, key=key, confirmed=True)
    # A developer who typed wrong codes does not wait: the throttle starts again.
    for model in (TOTPDevice, StaticDevice):
        model.objects.filter(user=user, throttling_failure_count__gt=0).update(
            throttling_failure_count=0, throttling_failure_timestamp=None
        )
    backups = list(StaticDevice.objects.filter(user=user))
    if len(backups) != 1 or set(backups[0].token_set.values_list("token", flat=True)) != set(
        DEMO_BACKUP_CODES
    ):
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
        StaticToken.objects.bulk_create(
            StaticToken(device=device, token=code) for code in DEMO_BACKUP_CODES
        )
