"""Load demo data: a demo local authority and one user per role. Idempotent.

Refused unless DEBUG is on: demo users have a published password.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from changing_lives.demo.users import (
    DEMO_PASSWORD,
    demo_authority_ensure,
    demo_users_ensure,
)


class Command(BaseCommand):
    help = "Load demo data (development only): a demo authority and one user per role."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo only runs with DEBUG=true: its users have a published password."
            )
        with transaction.atomic():
            authority = demo_authority_ensure()
            users = demo_users_ensure(authority)
        self.stdout.write(f"Demo data ready for {authority.name} ({authority.gss_code}).")
        self.stdout.write("Demo users (one per role), all with the password below:")
        for user in users:
            self.stdout.write(f"  {user.username:<12} {user.role.label}")
        self.stdout.write(f"  password:    {DEMO_PASSWORD}")
