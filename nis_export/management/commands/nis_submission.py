"""Build or check an authority's National Impact Study submission from the command line.

    manage.py nis_submission build --la E06000023 [--snapshot 2025-03-31] [--limit 20]
    manage.py nis_submission check --la E06000023 [--snapshot 2025-03-31] [--limit 20]

`build` creates the submission with the same checks as the page (a current recipient key, no
other build under way for the authority), then runs the build here, without a worker: the
same service, so the package is streamed into GnuPG and nothing unencrypted is written. It
exits non-zero when validation blocks the package or the build fails.

`check` (or `build --dry-run`) only validates: it reads the records the package would hold,
writes nothing to the database or disk, and exits non-zero when there are errors.

Both name records by LA IDs and issue codes only, never by a name, date of birth or
identifier: their output may end up in a terminal's scrollback or a CI log.
"""

import argparse
import datetime
from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from changing_lives.authorities.models import LocalAuthority
from changing_lives.errors import validation_messages
from nis_export import validation
from nis_export.build import package_folder, submission_create, submission_run
from nis_export.extract import families_in_extract, family_chunks
from nis_export.models import IssueSeverity, Submission, SubmissionStatus, ValidationIssue

DEFAULT_LIMIT = 20


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"must be YYYY-MM-DD, not {value!r}") from error


def _issue_line(
    severity: str, code: str, la_family_id: str, la_individual_id: str, message: str
) -> str:
    where = " ".join(part for part in (la_family_id, la_individual_id) if part)
    return f"  {severity:<7} {where:<24} {code}: {message}"


class Command(BaseCommand):
    help = "Build (in process, without a worker) or only check an authority's NIS submission."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{build,check}")
        build = actions.add_parser("build", help="create and build a submission now")
        check = actions.add_parser("check", help="validate only: write nothing")
        for sub in (build, check):
            sub.add_argument("--la", required=True, help="the authority's ONS GSS code")
            sub.add_argument(
                "--snapshot",
                type=_date,
                default=None,
                help="the submission date, YYYY-MM-DD (default: today)",
            )
            sub.add_argument(
                "--limit",
                type=int,
                default=DEFAULT_LIMIT,
                help="how many issues to list (default: %(default)s)",
            )
        build.add_argument(
            "--dry-run", action="store_true", help="validate only, as `check` does: write nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            authority = LocalAuthority.objects.get(gss_code=options["la"])
        except LocalAuthority.DoesNotExist as error:
            raise CommandError(f"No local authority has GSS code {options['la']}") from error
        snapshot: datetime.date = options["snapshot"] or timezone.localdate()
        limit: int = max(options["limit"], 0)
        if options["action"] == "check" or options.get("dry_run"):
            self.check_only(authority, snapshot, limit)
        else:
            self.build(authority, snapshot, limit)

    def build(self, authority: LocalAuthority, snapshot: datetime.date, limit: int) -> None:
        try:
            submission = submission_create(actor=None, authority=authority, snapshot_on=snapshot)
        except ValidationError as error:
            raise CommandError("; ".join(validation_messages(error))) from error
        self.stdout.write(
            f"Building submission {submission.public_id} for {authority.gss_code}, "
            f"snapshot {snapshot.isoformat()}"
        )
        try:
            submission_run(submission.pk)
        except Exception as error:
            # Marked failed, with a reason safe to show; the exception's own text could quote
            # a record, so it is chained (seen with --traceback), never printed here.
            submission.refresh_from_db()
            self.report(submission, limit)
            raise CommandError(
                f"Submission {submission.public_id} failed: {submission.failure_reason}"
            ) from error
        submission.refresh_from_db()
        self.report(submission, limit)
        if submission.status == SubmissionStatus.BLOCKED:
            raise CommandError(
                f"Submission {submission.public_id} is blocked by validation errors: fix the "
                "records listed above, then build again"
            )
        if submission.status != SubmissionStatus.READY:
            raise CommandError(
                f"Submission {submission.public_id} ended {submission.status}: "
                f"{submission.failure_reason or 'no reason was recorded'}"
            )

    def report(self, submission: Submission, limit: int) -> None:
        manifest = submission.manifest or {}
        self.stdout.write(f"Status: {submission.status}")
        for name, facts in sorted(manifest.get("files", {}).items()):
            self.stdout.write(f"{name}: {facts['rows']} rows")
        for reason, count in sorted(manifest.get("exclusions", {}).items()):
            self.stdout.write(f"Excluded ({reason}): {count}")
        issues = ValidationIssue.objects.filter(submission=submission)
        severities = Counter(issues.values_list("severity", flat=True))
        self.stdout.write(
            f"Errors: {severities[IssueSeverity.ERROR]}, "
            f"warnings: {severities[IssueSeverity.WARNING]}"
        )
        errors = issues.filter(severity=IssueSeverity.ERROR).order_by(
            "la_family_id", "la_individual_id", "code"
        )
        if severities[IssueSeverity.ERROR] and limit:
            self.stdout.write(f"First errors (at most {limit}):")
            for issue in errors[:limit]:
                self.stdout.write(
                    _issue_line(
                        issue.severity,
                        issue.code,
                        issue.la_family_id,
                        issue.la_individual_id,
                        issue.message,
                    )
                )
        if submission.status == SubmissionStatus.FAILED:
            self.stdout.write(f"Failure: {submission.failure_reason}")
        if submission.is_downloadable:
            path = package_folder(submission) / submission.package_name
            self.stdout.write(f"Package: {path}")
            self.stdout.write(f"Package SHA-256: {submission.package_sha256}")
            if submission.expires_at:
                self.stdout.write(f"Files expire: {submission.expires_at:%Y-%m-%d %H:%M %Z}")

    def check_only(self, authority: LocalAuthority, snapshot: datetime.date, limit: int) -> None:
        """Validate by the build's rules, only reading: each family's facts, chunk by chunk, so
        memory stays flat (on PostgreSQL the build reads the rows it writes instead; the
        issues found are the same, tested in tests/nis_export/test_checking.py)."""
        families = members = 0
        counts: Counter[tuple[str, str]] = Counter()
        # At most `limit` issues of each severity are kept to list, however many there are.
        kept: dict[str, list[validation.Issue]] = {
            IssueSeverity.ERROR: [],
            IssueSeverity.WARNING: [],
        }

        def note(issues: Iterable[validation.Issue]) -> None:
            for issue in issues:
                counts[(issue.severity, issue.code)] += 1
                if len(kept[issue.severity]) < limit:
                    kept[issue.severity].append(issue)

        for chunk in family_chunks(authority, snapshot):
            families += len(chunk)
            for facts in chunk:
                note(validation.issues_of(facts, snapshot))
                members += len(facts.members)
        note(
            validation.shared_identifier_issues(authority, families_in_extract(authority, snapshot))
        )

        errors = sum(n for (severity, _), n in counts.items() if severity == IssueSeverity.ERROR)
        self.stdout.write(
            f"Checked {families} families, {members} individuals of {authority.gss_code} "
            f"as at {snapshot.isoformat()}"
        )
        self.stdout.write(f"Errors: {errors}, warnings: {sum(counts.values()) - errors}")
        for (severity, code), count in sorted(counts.items()):
            self.stdout.write(f"  {severity:<7} {code}: {count}")
        listed = [
            issue
            for severity in (IssueSeverity.ERROR, IssueSeverity.WARNING)
            for issue in sorted(
                kept[severity], key=lambda i: (i.la_family_id, i.la_individual_id, i.code)
            )
        ]
        if listed:
            self.stdout.write(f"First issues (at most {limit} of each kind):")
            for issue in listed:
                self.stdout.write(
                    _issue_line(
                        issue.severity,
                        issue.code,
                        issue.la_family_id,
                        issue.la_individual_id,
                        issue.message,
                    )
                )
        if errors:
            raise CommandError(f"{errors} error(s) would block the submission")
