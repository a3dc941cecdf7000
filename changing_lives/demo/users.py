"""The demo local authority and one demo user per role, for `make run` and the smoke test."""

from dataclasses import dataclass

from changing_lives.accounts.models import User
from changing_lives.accounts.roles import Role
from changing_lives.accounts.services import user_create, user_roles_set
from changing_lives.authorities.models import LocalAuthority
from changing_lives.authorities.services import authority_create

DEMO_AUTHORITY = {"name": "Demo City Council", "gss_code": "E06000023", "dfe_number": "801"}
# Printed on screen by `make run`; demo data is refused outside development (DEBUG).
DEMO_PASSWORD = "demo-password-changing-lives"  # noqa: S105


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
    """Create the demo users, or put back their role and password if they exist."""
    for demo in DEMO_USERS:
        user = User.objects.filter(username=demo.username).first()
        if user is None:
            user_create(
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
    return list(DEMO_USERS)
