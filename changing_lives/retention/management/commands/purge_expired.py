"""Preview or run the purge of families past their retention date, from the command line.

    manage.py purge_expired --dry-run [--la E06000023]
    manage.py purge_expired --execute [--la E06000023]

`--dry-run` changes nothing: for each authority (or the one named) it prints the rows that
would go, by kind, the LA family IDs due, and the ones a hold keeps (with the kind of hold).
The look is audited, as the page's preview is.

`--execute` creates a run with the same checks as the page (refused while one of the
authority's runs is queued or running), then runs it here, without a worker: the same
service, each family in its own transaction, under the authority's advisory lock. It prints
the certificate's summary (counts per kind; never an ID, as the certificate holds only
HMACs). Both exit non-zero on an error, or when a run does not finish.

Families are named by LA family ID only, never by a name, date of birth or identifier: the
output may end up in a terminal's scrollback or a CI log.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from changing_lives.audit.actions import AuditAction
from changing_lives.audit.services import audit_record
from changing_lives.authorities.models import LocalAuthority
from changing_lives.errors import validation_messages
from changing_lives.retention.models import PurgeRun, PurgeStatus
from changing_lives.retention.purge import (
    purge_counts,
    purge_create,
    purge_execute,
    purge_preview,
    purge_started_by,
)


class Command(BaseCommand):
    help = "Preview (--dry-run) or run now (--execute) the purge of families past retention."

    def add_arguments(self, parser: CommandParser) -> None:
        mode = parser.add_mutually_exclusive_group(required=True)
        mode.add_argument("--dry-run", action="store_true", help="show what would go: no change")
        mode.add_argument("--execute", action="store_true", help="purge now, in this process")
        parser.add_argument("--la", help="one authority's ONS GSS code (default: every one)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["la"]:
            authorities = list(LocalAuthority.objects.filter(gss_code=options["la"].upper()))
            if not authorities:
                raise CommandError(f"No local authority has GSS code {options['la']}")
        else:
            authorities = list(LocalAuthority.objects.order_by("gss_code"))
        failures = []
        for authority in authorities:
            if options["dry_run"]:
                self.preview(authority)
            else:
                try:
                    self.purge(authority)
                except CommandError as error:
                    # The other authorities are still purged; the command fails at the end.
                    self.stderr.write(str(error))
                    failures.append(authority.gss_code)
        if failures:
            raise CommandError(f"The purge did not finish for {', '.join(failures)}")

    def preview(self, authority: LocalAuthority) -> None:
        preview = purge_preview(authority)
        audit_record(
            action=AuditAction.PURGE_PREVIEWED,
            local_authority=authority,
            detail="manage.py purge_expired --dry-run",
        )
        self.stdout.write(
            f"{authority.gss_code} {authority.name}: {len(preview.families)} families due, "
            f"{len(preview.held)} held"
        )
        for kind, number in preview.counts.items():
            self.stdout.write(f"  {kind:<18} {number}")
        if preview.families:
            self.stdout.write("  Due: " + ", ".join(f.la_family_id for f in preview.families))
        for family, hold in preview.held:
            self.stdout.write(f"  Held: {family.la_family_id} ({hold.get_kind_display()})")

    def purge(self, authority: LocalAuthority) -> None:
        try:
            run = purge_create(actor=None, authority=authority)
        except ValidationError as error:
            raise CommandError(
                f"{authority.gss_code}: " + "; ".join(validation_messages(error))
            ) from error
        self.stdout.write(f"Purging {authority.gss_code}: run {run.public_id}")
        try:
            run = purge_execute(run)
        except Exception as error:
            # The run is failed with a reason safe to show; the exception's own text could
            # quote a record, so it is chained (seen with --traceback), never printed.
            run.refresh_from_db()
            raise CommandError(f"{authority.gss_code}: {run.failure_reason}") from error
        self.summary(run)
        if run.status != PurgeStatus.FINISHED:
            raise CommandError(
                f"{authority.gss_code}: run {run.public_id} ended {run.status}: "
                f"{run.failure_reason or 'no reason was recorded'}"
            )

    def summary(self, run: PurgeRun) -> None:
        finished = run.finished_at.isoformat() if run.finished_at else "not yet"
        self.stdout.write(
            f"  {run.status}: {run.families_purged} of {run.families_due} families purged, "
            f"started by {purge_started_by(run)}, finished {finished}"
        )
        for kind, number in purge_counts(run).items():
            self.stdout.write(f"  {kind:<18} {number}")
        self.stdout.write(
            f"  Certificate: {run.families_purged} HMAC digests kept, one per family purged"
        )
