"""Users: each belongs to one local authority and holds one or more roles (auth groups)."""

import uuid
from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.db import models

from changing_lives.accounts.roles import Role
from changing_lives.authorities.models import LocalAuthority


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

    class Meta:
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
