"""Create a local authority: manage.py authority_create --name "..." --gss E09000033 --dfe 213"""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from changing_lives.authorities.services import authority_create
from changing_lives.errors import validation_messages


class Command(BaseCommand):
    help = "Create a local authority (an upper-tier council running the programme)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True)
        parser.add_argument("--gss", required=True, help="ONS GSS code, like E09000033")
        parser.add_argument("--dfe", required=True, help="DfE LA number, like 213")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            authority = authority_create(
                name=options["name"], gss_code=options["gss"], dfe_number=options["dfe"]
            )
        except ValidationError as error:
            raise CommandError("; ".join(validation_messages(error))) from error
        self.stdout.write(f"Created {authority.name} ({authority.gss_code})")
