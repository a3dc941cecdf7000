"""One measurement of `make bench-purge` (changing_lives/devtools/bench/purge.py), in this
process, against a database copied for it and dropped after it:

    manage.py bench_purge --la E10999995 --due          # make every family due (setup)
    manage.py bench_purge --la E10999995 --mode purge   # the purge, as a worker runs it
    manage.py bench_purge --la E10999995 --mode sql     # a plain SQL delete of the same rows
    manage.py bench_purge --la E10999995 --mode idle    # Django started, nothing done

Each mode prints one line of JSON: the seconds taken, the rows deleted by kind, and this
process's peak resident memory (VmHWM). `purge` is purge_create + purge_execute, the service
a worker's task and `purge_expired --execute` run: each family in its own transaction, under
the authority's advisory lock. `sql` deletes the same rows (purge_rows_delete: one DELETE
statement per kind, as the purge deletes each batch) of all the families due at once, in one
transaction, with none of the purge's bookkeeping: the baseline.

Development only (DEBUG): it destroys the authority's families. Prints counts, seconds and
kilobytes only, never a record.
"""

import datetime
import json
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from changing_lives.authorities.models import LocalAuthority
from changing_lives.devtools.bench.process import peak_rss_kb
from changing_lives.retention.models import Hold, PurgeStatus
from changing_lives.retention.purge import (
    purge_candidates,
    purge_create,
    purge_execute,
    purge_rows_delete,
)
from families.models import Family

MODES = ("purge", "sql", "idle")


class Command(BaseCommand):
    help = "One measurement of make bench-purge: the purge, or a plain SQL delete, timed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--la", required=True, help="GSS code of the authority")
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument(
            "--due", action="store_true", help="make every family due and lift every hold"
        )
        action.add_argument("--mode", choices=MODES, help="what to measure")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("bench_purge only runs with DEBUG=true: it destroys families.")
        try:
            authority = LocalAuthority.objects.get(gss_code=options["la"].strip().upper())
        except LocalAuthority.DoesNotExist as error:
            raise CommandError(f"No local authority has GSS code {options['la']}") from error
        if options["due"]:
            self.stdout.write(json.dumps(families_make_due(authority)))
            return
        # As in a worker: DEBUG keeps every SQL statement in memory (the last 9,000), which
        # would show as memory growing with the number of families.
        settings.DEBUG = False
        started = time.perf_counter()
        deleted = {}
        if options["mode"] == "purge":
            deleted = purge_run(authority)
        elif options["mode"] == "sql":
            deleted = plain_delete(authority)
        seconds = time.perf_counter() - started
        report = {"seconds": seconds, "deleted": deleted, "peak_rss_kb": peak_rss_kb()}
        self.stdout.write(json.dumps(report))


def families_make_due(authority: LocalAuthority) -> dict[str, int]:
    """Every family of the authority past its retention date, none held: as if the years
    had passed. The dates are set directly, not recomputed: this is the clock moving on."""
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    families = Family.objects.for_authority(authority)
    with transaction.atomic():
        lifted = Hold.objects.filter(family__in=families).delete()[0]
        due = families.update(retention_on=yesterday)
    return {"families_due": due, "holds_deleted": lifted}


def purge_run(authority: LocalAuthority) -> dict[str, int]:
    run = purge_execute(purge_create(actor=None, authority=authority))
    if run.status != PurgeStatus.FINISHED:
        raise CommandError(f"the purge ended {run.status}: {run.failure_reason}")
    return {kind: number for kind, number in run.counts.items() if kind != "nis_packages"}


@transaction.atomic
def plain_delete(authority: LocalAuthority) -> dict[str, int]:
    # The families fixed first: deleting the children would change what a subquery finds.
    due = list(purge_candidates(authority).values_list("pk", flat=True))
    return purge_rows_delete(Family.objects.filter(pk__in=due), authority)
