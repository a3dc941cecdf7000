import datetime
from collections.abc import Callable

import pytest
from django.test import Client

from changing_lives.accounts.models import User
from changing_lives.accounts.roles import Role
from changing_lives.authorities.models import LocalAuthority
from families.models import Family, Gender, Relationship
from tests.factories import FamilyFactory, IndividualFactory, LocalAuthorityFactory, UserFactory
from tests.signing_in import force_login_verified

pytest_plugins = ["tests.worker"]


@pytest.fixture
def authority() -> LocalAuthority:
    return LocalAuthorityFactory.create(name="Home Council", gss_code="E06000023", dfe_number="801")


@pytest.fixture
def other_authority() -> LocalAuthority:
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
    """A test client signed in as a new user holding the given roles, its session past the
    second factor (tests/signing_in.py)."""

    def sign_in(*roles: Role, local_authority: LocalAuthority | None = None) -> Client:
        return force_login_verified(Client(), make_user(*roles, local_authority=local_authority))

    return sign_in


@pytest.fixture
def family(authority: LocalAuthority) -> Family:
    """A family of the home authority with two members, a mother and her son."""
    family = FamilyFactory.create(local_authority=authority, la_family_id="F100001")
    IndividualFactory.create(
        family=family, la_individual_id="I100001", forename="Sarah", surname="Okafor",
        nino="AB123456C", nhs_number="9434765919",
    )  # fmt: skip
    IndividualFactory.create(
        family=family, la_individual_id="I100002", forename="Tunde", surname="Okafor",
        date_of_birth=datetime.date(2014, 2, 3), gender=Gender.MALE,
        relationship=Relationship.CHILD, upn="H801200001001",
    )  # fmt: skip
    return family
