"""Checking the extract while PostgreSQL writes it: the build's way on PostgreSQL.

There, nis_individuals.csv is written by the database (COPY of nis_export/sql.py's SELECT),
and the member rules of nis_export/validation.py run on each row as it streams past on its
way into the package: what is checked is exactly what the file holds, read once. The family
rules run on one row a family (sql.families_sql), read before. Other databases check the
families' facts as they write the rows (extract.family_chunks); a test runs both ways over
the same records and compares the issues found.

Issues are held in an unnamed temporary file until the build stores them: while COPY runs
the connection can send nothing else, and an authority with a million members can have a
hundred thousand warnings, too many to hold in memory (the build's memory must stay flat).
They name records by LA IDs and codes only, and the file is gone when it is closed.
"""

import csv
import datetime
import io
import itertools
import tempfile
from collections.abc import Callable, Iterable
from typing import IO, Any, NamedTuple

from django.db import connection, transaction
from django.db.models import OuterRef, Subquery

from changing_lives.authorities.models import LocalAuthority
from changing_lives.db import rows_copy_in
from families.models import Family
from families.reference import dfe_la_numbers
from nis_export import validation
from nis_export.columns import INDIVIDUAL_COLUMNS
from nis_export.models import IssueSeverity, Submission, ValidationIssue
from nis_export.sql import copy_parameters, families_sql
from progress.models import Period

ISSUES_PER_INSERT = 1000
FAMILIES_PER_FETCH = 2000


class IssueWriter:
    """Keeps the validation issues a build finds, counted, and stores them once it is done
    (`store`). An issue found by COPY names its family by LA family ID only: they are linked
    to their families once stored."""

    spool: IO[str]  # opened on entering, gone on leaving

    def __init__(self, submission: Submission) -> None:
        self.submission = submission
        self.errors = 0
        self.warnings = 0

    def __enter__(self) -> "IssueWriter":
        self.spool = tempfile.TemporaryFile(mode="w+", encoding="utf-8", newline="")
        self.lines = csv.writer(self.spool)
        return self

    def __exit__(self, *exc: object) -> None:
        self.spool.close()

    def add(self, issues: Iterable[validation.Issue]) -> None:
        for issue in issues:
            if issue.severity == IssueSeverity.ERROR:
                self.errors += 1
            else:
                self.warnings += 1
            self.lines.writerow(
                [
                    issue.severity,
                    issue.code,
                    issue.message,
                    issue.family.pk if issue.family is not None else "",
                    issue.la_family_id,
                    issue.la_individual_id,
                ]
            )

    def store(self) -> None:
        self.spool.seek(0)
        issues = csv.reader(self.spool)
        if connection.vendor == "postgresql":
            # By COPY: a large authority's hundred thousand warnings in a second, not ten.
            rows_copy_in(ValidationIssue, self.FIELDS, (self._values(line) for line in issues))
        else:
            while batch := list(itertools.islice(issues, ISSUES_PER_INSERT)):
                ValidationIssue.objects.bulk_create(
                    ValidationIssue(**dict(zip(self.FIELDS, self._values(line), strict=True)))
                    for line in batch
                )
        # Those found by COPY, linked to their family by its LA family ID.
        ValidationIssue.objects.filter(submission=self.submission, family__isnull=True).update(
            family_id=Subquery(
                Family.objects.filter(
                    local_authority=self.submission.local_authority,
                    la_family_id=OuterRef("la_family_id"),
                ).values("pk")
            )
        )

    FIELDS = (
        "submission_id", "severity", "code", "message", "family_id", "la_family_id",
        "la_individual_id",
    )  # fmt: skip

    def _values(self, line: list[str]) -> list[Any]:
        severity, code, message, family_id, la_family_id, la_individual_id = line
        return [
            self.submission.pk,
            severity,
            code,
            message,
            int(family_id) if family_id else None,
            la_family_id,
            la_individual_id,
        ]


def families_check(
    authority: LocalAuthority,
    snapshot: datetime.date,
    add: Callable[[Iterable[validation.Issue]], None],
) -> int:
    """Run the family and progress rules on every family in the extract; the number of
    members who objected (left out of the file). A server-side cursor, so a page of
    families at a time is in memory."""
    periods = Period.objects.in_bulk()
    objected = 0
    with transaction.atomic(), connection.chunked_cursor() as cursor:
        cursor.execute(families_sql(), copy_parameters(authority, snapshot))
        while rows := cursor.fetchmany(FAMILIES_PER_FETCH):
            for (
                _pk,
                la_family_id,
                eligible,
                status,
                started_on,
                ended_on,
                incomplete,
                objectors,
            ) in rows:
                add(
                    validation.family_checks(
                        family=None,
                        la_family_id=la_family_id,
                        started_on=started_on,
                        ended_on=ended_on,
                        eligible=eligible,
                        status=status,
                    )
                )
                add(
                    validation.progress_checks(
                        family=None,
                        la_family_id=la_family_id,
                        incomplete=[periods[pk] for pk in incomplete],
                    )
                )
                objected += objectors
    return objected


class RowMember(NamedTuple):
    """A member as a row of nis_individuals.csv gives them: what the member rules read."""

    la_individual_id: str
    forename: str
    surname: str
    date_of_birth: datetime.date | None
    nino: str
    upn: str
    uln: str
    nhs_number: str


def _positions(*names: str) -> list[int]:
    order = [column.name for column in INDIVIDUAL_COLUMNS]
    return [order.index(name) for name in names]


class CsvRows:
    """CSV written in pieces, read back as rows. A piece need not end where a row does: the
    rows are read up to the last line end outside quotes (an even count of quotes since
    the last whole row), and the rest is held for the next piece."""

    def __init__(self) -> None:
        self.pending = b""

    def feed(self, data: bytes) -> list[list[str]]:
        whole = self.pending + data if self.pending else data
        end = len(whole) if whole.endswith(b"\n") else whole.rfind(b"\n") + 1
        while end and whole.count(b'"', 0, end) % 2:  # that line end is inside quotes
            end = whole.rfind(b"\n", 0, end - 1) + 1
        self.pending = whole[end:]
        if not end:
            return []
        return list(csv.reader(io.StringIO(whole[:end].decode("utf-8"), newline="")))

    def finish(self) -> None:
        if self.pending:
            raise RuntimeError("the CSV ended part way through a row")


class CheckedIndividualRows:
    """A sink for COPY's nis_individuals.csv: passes every byte on to `target` unchanged,
    and runs the member rules on each row."""

    MEMBER = _positions(
        "la_individual_id", "forename", "surname", "date_of_birth", "nino", "upn", "uln",
        "nhs_number",
    )  # fmt: skip
    LA_FAMILY_ID, POSTCODE = _positions("la_family_id", "postcode")

    def __init__(
        self,
        target: IO[bytes],
        authority: LocalAuthority,
        snapshot: datetime.date,
        add: Callable[[Iterable[validation.Issue]], None],
    ) -> None:
        # The reference data the rules read, read now: while COPY runs, the connection
        # can answer nothing else.
        dfe_la_numbers()
        self.target = target
        self.snapshot = snapshot
        self.allow_nino_without_suffix = authority.allow_nino_without_suffix
        self.add = add
        self.reader = CsvRows()
        self.rows = 0

    def write(self, data: bytes) -> int:
        self.target.write(data)
        for row in self.reader.feed(data):
            self._check(row)
        return len(data)

    def finish(self) -> int:
        """The rows checked; refuses a file that ended part way through a row."""
        self.reader.finish()
        return self.rows

    def _check(self, row: list[str]) -> None:
        self.rows += 1
        la_individual_id, forename, surname, born, nino, upn, uln, nhs_number = (
            row[position] for position in self.MEMBER
        )
        member = RowMember(
            la_individual_id,
            forename,
            surname,
            datetime.date.fromisoformat(born) if born else None,
            nino,
            upn,
            uln,
            nhs_number,
        )
        self.add(
            validation.member_checks(
                member,
                postcode=row[self.POSTCODE],
                snapshot=self.snapshot,
                allow_nino_without_suffix=self.allow_nino_without_suffix,
                family=None,
                la_family_id=row[self.LA_FAMILY_ID],
            )
        )
