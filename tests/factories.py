"""Deterministic factories: sequences and fixed defaults, so a failing test fails the same way."""

from typing import Any

import factory
from django.contrib.auth.models import Group

from changing_lives.accounts.models import User
from changing_lives.accounts.roles import Role
from changing_lives.authorities.models import LocalAuthority
from changing_lives.authorities.notice import DEFAULT_TEXT

PASSWORD = "correct-horse-battery-staple"


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
