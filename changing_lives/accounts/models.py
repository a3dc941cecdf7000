"""Users: each belongs to one local authority and holds one or more roles (auth groups)."""

import uuid
from functools import cached_property
from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models

from changing_lives.accounts.roles import Role
from changing_lives.authorities.models import LocalAuthority


class UserQuerySet(models.QuerySet["User"]):
    def for_authority(self, authority: LocalAuthority) -> "UserQuerySet":
        return self.filter(local_authority=authority)


class UserAccountManager(UserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    pass


class User(AbstractUser):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Null only for a platform superuser, who belongs to no authority and so reaches no
    # authority's records (the check constraint below keeps everyone else in one).
    local_authority = models.ForeignKey(
        LocalAuthority,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )

    objects: ClassVar[UserAccountManager] = UserAccountManager()

    class Meta:
        permissions = [("manage_users", "Can invite and manage their local authority's users")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_superuser=True) | models.Q(local_authority__isnull=False),
                name="user_belongs_to_an_authority",
            ),
        ]

    @cached_property
    def roles(self) -> list[Role]:
        names = {group.name for group in self.groups.all()}
        return [role for role in Role if role.value in names]

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    @property
    def is_invited(self) -> bool:
        """Invited and not yet accepted: inactive, with no password of their own yet."""
        return not self.is_active and not self.has_usable_password()
