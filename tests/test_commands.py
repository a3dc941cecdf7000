"""The management commands an operator uses to set up authorities, users and demo data."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from changing_lives.accounts.models import User
from changing_lives.accounts.roles import ROLE_PERMISSIONS, Role
from changing_lives.audit.models import AuditEvent
from changing_lives.authorities.models import LocalAuthority
from changing_lives.demo.users import DEMO_PASSWORD, DEMO_USERS

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_authority_create_validates_and_creates() -> None:
    assert "Created Westminster" in run(
        "authority_create", "--name", "Westminster", "--gss", "E09000033", "--dfe", "213"
    )
    assert LocalAuthority.objects.get().gss_code == "E09000033"
    with pytest.raises(CommandError, match="gss_code: Enter an ONS GSS code"):
        run("authority_create", "--name", "Kent", "--gss", "E07000001", "--dfe", "886")


def user_create(gss_code: str, *roles: str) -> str:
    role_args = [arg for role in roles for arg in ("--role", role)]
    return run(
        "user_create", "--la", gss_code, "--username", "jo", "--email", "jo@example.gov.uk",
        *role_args,
    )  # fmt: skip


def test_user_create_reads_the_password_from_the_environment_and_checks_it(
    authority, monkeypatch
) -> None:
    monkeypatch.setenv("CHANGING_LIVES_NEW_PASSWORD", "short")
    with pytest.raises(CommandError, match="password: This password is too short"):
        user_create(authority.gss_code, "caseworker")
    assert not User.objects.exists()
    monkeypatch.setenv("CHANGING_LIVES_NEW_PASSWORD", "a-long-and-unusual-passphrase")
    user_create(authority.gss_code, "caseworker", "data_officer")
    user = User.objects.get(username="jo")
    assert user.roles == [Role.CASEWORKER, Role.DATA_OFFICER]
    assert user.local_authority == authority
    assert AuditEvent.objects.filter(action="user_created", object_id=str(user.public_id)).exists()


def test_user_create_names_an_unknown_authority(authority) -> None:
    with pytest.raises(CommandError, match="No local authority has GSS code E09000001"):
        user_create("E09000001", "admin")


def test_each_role_holds_exactly_the_permissions_in_the_code() -> None:
    from django.contrib.auth.models import Group

    for role in Role:
        group = Group.objects.get(name=role.value)
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert held == ROLE_PERMISSIONS[role]


@override_settings(DEBUG=True)
def test_seed_demo_is_idempotent_and_prints_the_demo_users() -> None:
    first = run("seed_demo")
    User.objects.filter(username="caseworker").update(is_active=False)
    second = run("seed_demo")
    assert first == second
    assert User.objects.count() == len(DEMO_USERS)
    for demo in DEMO_USERS:
        user = User.objects.get(username=demo.username)
        assert user.is_active
        assert user.roles == [demo.role]
        assert user.check_password(DEMO_PASSWORD)
        assert demo.username in first
    assert DEMO_PASSWORD in first


def test_seed_demo_refuses_to_run_outside_development() -> None:
    with pytest.raises(CommandError, match="only runs with DEBUG=true"):
        run("seed_demo")
    assert not User.objects.exists()
