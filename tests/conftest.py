from collections.abc import Callable

import pytest
from django.test import Client

from changing_lives.accounts.models import User
from changing_lives.accounts.roles import Role
from changing_lives.authorities.models import LocalAuthority
from tests.factories import LocalAuthorityFactory, UserFactory

pytest_plugins = ["tests.worker"]


@pytest.fixture
def authority(db: None) -> LocalAuthority:
    return LocalAuthorityFactory.create(name="Home Council", gss_code="E06000023", dfe_number="801")


@pytest.fixture
def other_authority(db: None) -> LocalAuthority:
    return LocalAuthorityFactory.create(
        name="Other Council", gss_code="E09000033", dfe_number="213"
    )


@pytest.fixture
def make_user(authority: LocalAuthority) -> Callable[..., User]:
    def make(*roles: Role, local_authority: LocalAuthority | None = None, **fields: object) -> User:
        return UserFactory.create(
            roles=list(roles), local_authority=local_authority or authority, **fields
        )

    return make


@pytest.fixture
def client_as(make_user: Callable[..., User]) -> Callable[..., Client]:
    """A test client signed in as a new user holding the given roles."""

    def sign_in(*roles: Role, local_authority: LocalAuthority | None = None) -> Client:
        client = Client()
        client.force_login(make_user(*roles, local_authority=local_authority))
        return client

    return sign_in
