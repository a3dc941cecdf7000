"""Load demo data: a local authority, its demo families, and (for the demo authority) one
user per role. Idempotent: a second run with the same arguments creates nothing and prints
the same on standard output.

Refused unless DEBUG is on: demo users have a published password, authenticator key and
backup codes.

Standard output says what the database now holds, so it reads the same on every run; what
this run created, and how long it took, goes to standard error.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from changing_lives.demo.families.load import demo_families_seed, seed_authority_ensure
from changing_lives.demo.families.records import FAMILY_ID_PREFIX, MAX_FAMILY_NUMBER
from changing_lives.demo.users import (
    DEMO_AUTHORITY,
    DEMO_BACKUP_CODES,
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    DemoUser,
    demo_authority_ensure,
    demo_users_ensure,
)
from changing_lives.errors import validation_messages
from families.models import FamilyStatus
from progress.models import ReturnStatus

DEFAULT_FAMILIES = 200
DEFAULT_SEED = 20150401


class Command(BaseCommand):
    help = (
        "Load demo data (development only): an authority with demo families 1 to N "
        "(LA family IDs DEMO-F000001...), and for the demo authority one user per role."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--families",
            type=int,
            default=DEFAULT_FAMILIES,
            help=f"Demo families 1 to N exist afterwards (default {DEFAULT_FAMILIES}).",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=f"The same seed gives the same families (default {DEFAULT_SEED}).",
        )
        parser.add_argument(
            "--la",
            default=DEMO_AUTHORITY["gss_code"],
            help="GSS code of the authority (default the demo authority, "
            f"{DEMO_AUTHORITY['gss_code']}). Created as 'Authority <code>' if missing.",
        )
        parser.add_argument(
            "--dfe",
            help="DfE LA number for an authority that --la creates (default the lowest "
            "known number that no authority holds).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError(
                "seed_demo only runs with DEBUG=true: its users have a published password."
            )
        if not 0 <= options["families"] <= MAX_FAMILY_NUMBER:
            raise CommandError(f"--families must be 0 to {MAX_FAMILY_NUMBER}")
        gss_code = options["la"].strip().upper()
        is_demo_authority = gss_code == DEMO_AUTHORITY["gss_code"]
        users: list[DemoUser] = []
        with transaction.atomic():
            if is_demo_authority:
                authority = demo_authority_ensure()
                users = demo_users_ensure(authority)
            else:
                try:
                    authority = seed_authority_ensure(gss_code=gss_code, dfe_number=options["dfe"])
                except ValidationError as error:
                    raise CommandError("; ".join(validation_messages(error))) from error
                except ValueError as error:
                    raise CommandError(str(error)) from error
        result = demo_families_seed(
            authority=authority, families=options["families"], seed=options["seed"]
        )
        progress = result.progress_created
        self.stderr.write(
            f"Created {result.families_created} families, {result.members_created} members, "
            f"{result.programme_created.assessments} assessments "
            f"and {progress.returns} progress returns ({progress.values} values) "
            f"in {result.seconds:.1f} seconds."
        )
        self.stdout.write(f"Demo data ready for {authority.name} ({authority.gss_code}).")
        self.stdout.write(
            f"Demo families: {result.demo_families} (LA family IDs {FAMILY_ID_PREFIX}...)."
        )
        statuses = ", ".join(
            f"{status.label} {result.demo_statuses[status]}" for status in FamilyStatus
        )
        self.stdout.write(f"By status: {statuses}.")
        returns = ", ".join(
            f"{status.label.lower()} {result.demo_returns[status]}" for status in ReturnStatus
        )
        self.stdout.write(f"Progress returns: {returns}.")
        if users:
            self.stdout.write(
                "Demo users (one per role), all with the password and authenticator key below:"
            )
            for user in users:
                self.stdout.write(f"  {user.username:<12} {user.role.label}")
            secret = " ".join(DEMO_TOTP_SECRET[i : i + 4] for i in range(0, 32, 4))
            indent = " " * 21
            self.stdout.write(f"  password:          {DEMO_PASSWORD}")
            self.stdout.write(f"  authenticator key: {secret}")
            self.stdout.write(f"{indent}(add it to an authenticator app as a time-based key:")
            self.stdout.write(f"{indent}its 6-digit code is asked for after the password)")
            self.stdout.write(f"  backup codes:      {' '.join(DEMO_BACKUP_CODES)}")
            self.stdout.write(f"{indent}(each works once instead of a code; seed_demo puts")
            self.stdout.write(f"{indent}them back)")
