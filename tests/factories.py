"""Deterministic factories: sequences and fixed defaults, so a failing test fails the same way."""

import datetime
import hashlib
from typing import Any

import factory
from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp.models import TOTPDevice

from changing_lives.accounts.models import User
from changing_lives.accounts.roles import Role
from changing_lives.authorities.models import LocalAuthority
from changing_lives.authorities.notice import DEFAULT_TEXT
from families.models import Family, Gender, Individual, Relationship

PASSWORD = "correct-horse-battery-staple"


def totp_key_for(username: str) -> str:
    """A fixed authenticator key per username (hex, 20 bytes): deterministic, like the rest."""
    return hashlib.sha1(f"totp:{username}".encode(), usedforsecurity=False).hexdigest()


class LocalAuthorityFactory(factory.django.DjangoModelFactory[LocalAuthority]):
    class Meta:
        model = LocalAuthority
        django_get_or_create = ("gss_code",)

    name = factory.Sequence(lambda n: f"Test Authority {n}")
    gss_code = factory.Sequence(lambda n: f"E06{n:06d}")
    dfe_number = factory.Sequence(lambda n: f"{800 + n % 200:03d}")
    privacy_notice = DEFAULT_TEXT


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.gov.uk")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    local_authority = factory.SubFactory(LocalAuthorityFactory)
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            obj.groups.set(Group.objects.filter(name__in=[Role(role).value for role in extracted]))

    @factory.post_generation
    def totp(obj: User, create: bool, extracted: Any, **kwargs: Any) -> None:
        """A confirmed authenticator app (a key fixed by the username), unless totp=False:
        a user who has yet to set one up."""
        if create and extracted is not False:
            TOTPDevice.objects.create(
                user=obj, name="Authenticator app", confirmed=True, key=totp_key_for(obj.username)
            )


class FamilyFactory(factory.django.DjangoModelFactory[Family]):
    class Meta:
        model = Family

    local_authority = factory.SubFactory(LocalAuthorityFactory)
    la_family_id = factory.Sequence(lambda n: f"F{n:06d}")
    referred_on = datetime.date(2024, 4, 1)
    address_line_1 = factory.Sequence(lambda n: f"{n} Test Street")
    town = "Bristol"
    postcode = "BS1 4DJ"


class IndividualFactory(factory.django.DjangoModelFactory[Individual]):
    class Meta:
        model = Individual

    family = factory.SubFactory(FamilyFactory)
    local_authority = factory.SelfAttribute("family.local_authority")
    la_individual_id = factory.Sequence(lambda n: f"I{n:06d}")
    forename = factory.Sequence(lambda n: f"Alex{chr(65 + n % 26)}")
    surname = "Testperson"
    date_of_birth = datetime.date(1985, 6, 15)
    gender = Gender.FEMALE
    relationship = Relationship.MAIN_CARER
