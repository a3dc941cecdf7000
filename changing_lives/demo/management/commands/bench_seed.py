"""Time loading demo families into an authority that has none: the figure in
docs/performance.md.

Development only (DEBUG), like seed_demo. It refuses an authority that already has
families, so every run measures the same thing: a full load, not an idempotent no-op.
"""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from changing_lives.demo.families.load import demo_families_seed, seed_authority_ensure
from changing_lives.errors import validation_messages
from families.models import Family, FamilyStatus
from progress.models import ReturnStatus

DEFAULT_FAMILIES = 30_000
# A GSS code of the right shape that no real authority has, so a benchmark run never
# lands in the demo authority or a real one.
BENCH_AUTHORITY = "E10999999"


class Command(BaseCommand):
    help = "Time seeding N demo families (default 30,000) into an empty authority."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--families", type=int, default=DEFAULT_FAMILIES)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--la",
            default=BENCH_AUTHORITY,
            help=f"GSS code of the authority, created if missing (default {BENCH_AUTHORITY}).",
        )
        parser.add_argument(
            "--markdown",
            action="store_true",
            help="Print the figures as docs/performance.md's section, with its text.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("bench_seed only runs with DEBUG=true: it loads demo data.")
        try:
            authority = seed_authority_ensure(gss_code=options["la"])
        except ValidationError as error:
            raise CommandError("; ".join(validation_messages(error))) from error
        except ValueError as error:
            raise CommandError(str(error)) from error
        held = Family.objects.for_authority(authority).count()
        if held:
            raise CommandError(
                f"{authority.name} already has {held} families: use a fresh database or "
                "another --la, so that the whole load is timed."
            )
        result = demo_families_seed(
            authority=authority, families=options["families"], seed=options["seed"]
        )
        programme = result.programme_created
        counts = {
            "families": result.families_created,
            "individuals": result.members_created,
            "history rows": result.families_created,  # one "created" entry per family
            "assessments": programme.assessments,
            "criteria": programme.criteria,
            "interventions": programme.interventions,
            "status changes": programme.status_changes,
            "progress returns": result.progress_created.returns,
            "progress values": result.progress_created.values,
        }
        if options["markdown"]:
            from changing_lives.devtools.bench.report import machine_line
            from changing_lives.devtools.bench.sections import seed_section

            self.stdout.write(
                seed_section(
                    machine=machine_line(),
                    counts=counts,
                    statuses={
                        status.label: result.demo_statuses[status] for status in FamilyStatus
                    },
                    returns={status.label: result.demo_returns[status] for status in ReturnStatus},
                    seconds=result.seconds,
                )
            )
            return
        database = f"{connection.vendor} {connection.settings_dict['NAME']}"
        self.stdout.write(f"{'database:':<18} {database}")
        for name, count in counts.items():
            self.stdout.write(f"{name + ':':<18} {count}")
        for status in FamilyStatus:
            self.stdout.write(f"  {status.label + ':':<30} {result.demo_statuses[status]}")
        self.stdout.write("progress returns by status:")
        for return_status in ReturnStatus:
            count = result.demo_returns[return_status]
            self.stdout.write(f"  {return_status.label + ':':<30} {count}")
        self.stdout.write(f"{'seconds:':<18} {result.seconds:.1f}")
        rows = sum(counts.values())
        self.stdout.write(f"{'rows/second:':<18} {rows / result.seconds:,.0f} (all the rows above)")
