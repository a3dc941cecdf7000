"""Create a user of a local authority with one or more roles.

    manage.py user_create --la E09000033 --username jo --email jo@example.gov.uk \
        --role caseworker --role team_manager

The password is read from the prompt (or from the CHANGING_LIVES_NEW_PASSWORD environment
variable for scripts), never from the command line where it would be kept in shell history.
"""

import getpass
import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from changing_lives.accounts.roles import Role
from changing_lives.accounts.services import user_create
from changing_lives.authorities.models import LocalAuthority
from changing_lives.errors import validation_messages


class Command(BaseCommand):
    help = "Create a user of a local authority with one or more roles."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--la", required=True, help="the authority's ONS GSS code")
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", required=True)
        parser.add_argument(
            "--role",
            dest="roles",
            action="append",
            required=True,
            choices=[role.value for role in Role],
            help="repeat for several roles",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            authority = LocalAuthority.objects.get(gss_code=options["la"])
        except LocalAuthority.DoesNotExist as error:
            raise CommandError(f"No local authority has GSS code {options['la']}") from error
        password = os.environ.get("CHANGING_LIVES_NEW_PASSWORD") or getpass.getpass("Password: ")
        try:
            user = user_create(
                username=options["username"],
                email=options["email"],
                local_authority=authority,
                roles=[Role(value) for value in options["roles"]],
                password=password,
            )
        except ValidationError as error:
            raise CommandError("; ".join(validation_messages(error))) from error
        self.stdout.write(f"Created user {user.username} ({user.public_id}) of {authority.name}")
