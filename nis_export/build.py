"""Building a NIS submission: request it, claim it, write and encrypt the package, in one pass.

The package is written straight into GnuPG (nis_export/openpgp.py): the zip of the CSV files
and the manifest exists only as a stream, so nothing unencrypted reaches the disk. Rows are
checked as they are written; if any error is found the ciphertext is deleted and the
submission is blocked, with its issues kept for the data officer.

Safe to run twice: a build starts only by claiming its queued row (an UPDATE that one worker
wins), and a build whose worker died is marked failed once its heartbeat is stale.
"""

import csv
import datetime
import hashlib
import importlib.metadata
import io
import json
import shutil
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from changing_lives.accounts.models import User
from changing_lives.audit.actions import AuditAction
from changing_lives.audit.services import audit_record
from changing_lives.authorities.models import LocalAuthority
from nis_export import columns, validation
from nis_export.checking import CheckedIndividualRows, IssueWriter, families_check
from nis_export.extract import (
    families_in_extract,
    family_chunks,
    fpd_corrections,
    fpd_rows,
    individual_rows,
)
from nis_export.models import (
    RecipientKey,
    Submission,
    SubmissionStatus,
)
from nis_export.openpgp import encrypting_writer
from nis_export.sql import copy_parameters, copy_to, fpd_sql, individuals_sql
from progress.models import ProgressValue

# Fixed zip member times make two builds of the same data byte-identical inside.
ZIP_TIME = (2000, 1, 1, 0, 0, 0)
# zlib's default (6) took a sixth of a large build; 3 deflates these files 3 times as fast,
# into a package about 15% larger.
ZIP_LEVEL = 3
# A queued build no worker has taken after this long is taken as lost.
NEVER_STARTED_SECONDS = 60 * 60


def current_recipient_keys() -> list[RecipientKey]:
    now = timezone.now()
    keys = RecipientKey.objects.filter(retired_at__isnull=True)
    return [key for key in keys if key.expires_at is None or key.expires_at > now]


def submissions_reap_stale() -> int:
    """Mark failed every build whose worker stopped sending heartbeats, and delete whatever
    it left (only ciphertext is ever written, but a half-written file is no use to anyone)."""
    cutoff = timezone.now() - datetime.timedelta(seconds=settings.NIS_BUILD_STALE_SECONDS)
    stale = list(
        Submission.objects.filter(status=SubmissionStatus.BUILDING, heartbeat_at__lt=cutoff)
    )
    for submission in stale:
        _discard_files(submission)
        Submission.objects.filter(pk=submission.pk, status=SubmissionStatus.BUILDING).update(
            status=SubmissionStatus.FAILED,
            finished_at=timezone.now(),
            failure_reason="The build stopped part way (its worker ended): build it again",
        )
    # A queued build whose task was lost would hold the authority's next request for good.
    never_started = Submission.objects.filter(
        status=SubmissionStatus.QUEUED,
        requested_at__lt=timezone.now() - datetime.timedelta(seconds=NEVER_STARTED_SECONDS),
    ).update(
        status=SubmissionStatus.FAILED,
        finished_at=timezone.now(),
        failure_reason="The build never started (no worker took it): build it again",
    )
    return len(stale) + never_started


@transaction.atomic
def submission_request(
    *,
    actor: User,
    authority: LocalAuthority,
    snapshot_on: datetime.date,
    request: HttpRequest | None = None,
) -> Submission:
    """Queue a build. Refused while no recipient key is usable or another build is under
    way for the authority; the task starts once this transaction commits."""
    from nis_export.tasks import build_submission  # the task module imports this one

    submission = submission_create(
        actor=actor, authority=authority, snapshot_on=snapshot_on, request=request
    )
    transaction.on_commit(lambda: build_submission.delay(submission.pk))
    return submission


@transaction.atomic
def submission_create(
    *,
    actor: User | None,
    authority: LocalAuthority,
    snapshot_on: datetime.date,
    request: HttpRequest | None = None,
) -> Submission:
    """Create a queued submission, audited, without starting its build: submission_request
    queues the task, `manage.py nis_submission build` (actor None) runs it in process.

    Refused while no recipient key is usable or another build is under way for the
    authority (checked under a lock on the authority's row, so two requests cannot both pass).
    """
    if snapshot_on > timezone.localdate():
        raise ValidationError({"snapshot_on": "Snapshot date must be today or in the past"})
    if not current_recipient_keys():
        raise ValidationError(
            "No recipient key is configured (or every key has expired): an admin must add "
            "the recipient's public key before a submission can be built",
            code="no_recipient_key",
        )
    submissions_reap_stale()
    LocalAuthority.objects.select_for_update().get(pk=authority.pk)  # one request at a time
    active = Submission.objects.for_authority(authority).filter(
        status__in=[SubmissionStatus.QUEUED, SubmissionStatus.BUILDING]
    )
    if active.exists():
        raise ValidationError(
            "A submission is already being built for your authority: wait for it to finish",
            code="build_in_progress",
        )
    submission = Submission.objects.create(
        local_authority=authority, snapshot_on=snapshot_on, requested_by=actor
    )
    # The authority is named, not taken from the actor: from the command line there is none.
    audit_record(
        action=AuditAction.NIS_REQUESTED,
        actor=actor,
        local_authority=authority,
        obj=submission,
        request=request,
    )
    return submission


def submission_claim(submission_id: int) -> Submission | None:
    """Take a queued submission for building; None if another worker has it, or it is gone."""
    now = timezone.now()
    claimed = Submission.objects.filter(pk=submission_id, status=SubmissionStatus.QUEUED).update(
        status=SubmissionStatus.BUILDING, started_at=now, heartbeat_at=now
    )
    return Submission.objects.get(pk=submission_id) if claimed else None


def submission_run(submission_id: int) -> str | None:
    """Claim and build one submission; the status it ends in (None if not claimed)."""
    submission = submission_claim(submission_id)
    if submission is None:
        return None
    try:
        submission_build(submission)
    except Exception as error:
        _discard_files(submission)
        Submission.objects.filter(pk=submission.pk).update(
            status=SubmissionStatus.FAILED,
            finished_at=timezone.now(),
            failure_reason=_reason(error),
        )
        raise
    submission.refresh_from_db()
    return submission.status


def _reason(error: Exception) -> str:
    # Never an exception's text: it could quote a record.
    if isinstance(error, RuntimeError) and str(error).startswith("encryption failed"):
        return "Encryption failed: check the recipient keys, then build again"
    return f"The build failed ({type(error).__name__}): build it again, or ask for help"


def package_folder(submission: Submission) -> Path:
    return Path(settings.MEDIA_ROOT) / "nis" / str(submission.public_id)


def _discard_files(submission: Submission) -> None:
    shutil.rmtree(package_folder(submission), ignore_errors=True)


class _Hashing(io.RawIOBase):
    """A writable that hashes and counts what passes through to the zip member."""

    def __init__(self, target: IO[bytes]) -> None:
        self.target = target
        self.sha256 = hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.sha256.update(data)
        self.target.write(data)
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self.target.close()  # finishes the zip member
        super().close()


class _Progress:
    """Counts rows and sends the heartbeat that shows the build is alive."""

    # Each beat is a committed UPDATE (a disk flush): every 2,000 rows they took 5% of a
    # large build. Every 20,000 is still a beat every few seconds at worst, far inside
    # NIS_BUILD_STALE_SECONDS.
    EVERY = 20_000

    def __init__(self, submission: Submission) -> None:
        self.submission = submission
        self.rows = 0
        self.ticks = 0

    def step(self, rows: int = 1) -> None:
        before = self.rows // self.EVERY
        self.rows += rows
        if self.rows // self.EVERY != before:
            self.beat()

    def tick(self, rows: int = 1) -> None:
        """Rows of another file written: not individuals checked, but the build is alive
        (a long FPD file must not look like a dead worker to submissions_reap_stale)."""
        before = self.ticks // self.EVERY
        self.ticks += rows
        if self.ticks // self.EVERY != before:
            self.beat()

    def beat(self) -> None:
        Submission.objects.filter(pk=self.submission.pk).update(
            rows_done=self.rows, heartbeat_at=timezone.now()
        )


class _CsvWriter:
    """csv.writer's rows (RFC 4180: commas, quotes where needed, CRLF line ends), written
    faster. Most rows need no quotes: those are joined and written as they are, which
    costs a third of what csv.writer does (a tenth of a large build); any other row is
    written by csv.writer itself. The bytes are the same either way."""

    def __init__(self, text: io.TextIOWrapper) -> None:
        self.text = text
        self.write = text.write
        self.writer = csv.writer(text, lineterminator="\r\n")

    def bytes_sink(self) -> io.BufferedWriter:
        """Where to write rows that are CSV already (UTF-8), after those written as text."""
        self.text.flush()
        return cast(io.BufferedWriter, self.text.buffer)

    def writerow(self, row: list[str]) -> None:
        try:
            line = ",".join(row)
        except TypeError:  # not all text: csv.writer's own conversions
            self.writer.writerow(row)
            return
        # A field needs quotes if it holds a comma, a quote or a line break (csv.writer's
        # QUOTE_MINIMAL): a comma shows as one more than the fields' separators. (And a row
        # of one empty field is written as "".)
        if (
            '"' in line
            or "\n" in line
            or "\r" in line
            or line.count(",") != len(row) - 1
            or not line
        ):
            self.writer.writerow(row)
        else:
            self.write(line + "\r\n")

    def writerows(self, rows: Iterable[list[str]]) -> None:
        for row in rows:
            self.writerow(row)


def _individuals_write(
    writer: _CsvWriter,
    authority: LocalAuthority,
    snapshot: datetime.date,
    progress: _Progress,
    issues: IssueWriter,
) -> tuple[int, int]:
    """nis_individuals.csv's rows, written and checked; their number, and the members left
    out because they objected. On PostgreSQL the database writes them by COPY and each row
    is checked as it passes (nis_export/checking.py): twice as fast as reading each
    family's facts, checking them and writing its rows in Python (_individuals_write_rows),
    which other databases do. The bytes and the issues are the same (tested)."""
    if connection.vendor != "postgresql":
        return _individuals_write_rows(writer, authority, snapshot, progress, issues)
    objected = families_check(authority, snapshot, issues.add)
    progress.step(objected)
    checked = CheckedIndividualRows(writer.bytes_sink(), authority, snapshot, issues.add)
    # No heartbeat while COPY runs (as for fpd_progress.csv below).
    rows = copy_to(
        checked, individuals_sql(), copy_parameters(authority, snapshot), header=False, crlf=True
    )
    if checked.finish() != rows:
        raise RuntimeError("the individuals file's rows were not all checked")
    progress.step(rows)
    progress.beat()
    return rows, objected


def _individuals_write_rows(
    writer: _CsvWriter,
    authority: LocalAuthority,
    snapshot: datetime.date,
    progress: _Progress,
    issues: IssueWriter,
) -> tuple[int, int]:
    rows = objected = 0
    for chunk in family_chunks(authority, snapshot):
        for facts in chunk:
            objected += facts.objectors
            issues.add(validation.issues_of(facts, snapshot))
            writer.writerows(individual_rows(authority, facts))
            rows += len(facts.members)
            progress.step(len(facts.members) + facts.objectors)
    return rows, objected


def _fpd_write(
    writer: _CsvWriter, authority: LocalAuthority, snapshot: datetime.date, progress: _Progress
) -> tuple[int, list[int]]:
    """fpd_progress.csv's rows, written; their number, and the values among them that carry
    a correction. On PostgreSQL the database writes them, by COPY (nis_export/sql.py): a
    large authority has millions, and that is three times as fast as the loop of
    _fpd_write_rows, which other databases use. The bytes are the same (tested)."""
    if connection.vendor != "postgresql":
        return _fpd_write_rows(writer, authority, snapshot, progress)
    # No heartbeat while COPY runs: the connection is the COPY's until it ends. It takes
    # seconds (under a minute for 250,000 families), far inside NIS_BUILD_STALE_SECONDS.
    rows = copy_to(
        writer.bytes_sink(),
        fpd_sql(),
        copy_parameters(authority, snapshot),
        header=False,
        crlf=True,
    )
    progress.tick(rows)
    progress.beat()
    return rows, fpd_corrections(authority, snapshot)


def _fpd_write_rows(
    writer: _CsvWriter, authority: LocalAuthority, snapshot: datetime.date, progress: _Progress
) -> tuple[int, list[int]]:
    rows, corrections = 0, []
    for correction, row in fpd_rows(authority, snapshot):
        writer.writerow(row)
        rows += 1
        progress.tick()
        if correction is not None:
            corrections.append(correction)
    return rows, corrections


@contextmanager
def _csv_member(archive: zipfile.ZipFile, name: str) -> Iterator[tuple[_CsvWriter, _Hashing]]:
    """A CSV writer into a new zip member, and the hash of what it wrote (once closed)."""
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.compress_level = ZIP_LEVEL
    raw = archive.open(info, mode="w", force_zip64=True)
    hashing = _Hashing(raw)
    text = io.TextIOWrapper(
        io.BufferedWriter(hashing, buffer_size=1 << 16), encoding="utf-8", newline=""
    )
    try:
        yield _CsvWriter(text), hashing
    except BaseException:
        # Close the member even when the build failed part way: the zip refuses to close
        # over an open member, and its ValueError would hide the error that stopped the build
        # (and the failure reason would name the wrong one). The ciphertext is discarded.
        with suppress(Exception):
            text.close()
        raise
    text.close()  # finishes the zip member


@dataclass(frozen=True)
class BuildResult:
    """What writing a package found: its manifest, the issues stored, and the values it
    carried as corrections (cleared once the package is released)."""

    manifest: dict[str, Any]
    errors: int
    warnings: int
    corrections: list[int]


def submission_build(submission: Submission) -> None:
    """Write the package into GnuPG, then release it, or block it if validation found errors."""
    keys = [key.armored for key in current_recipient_keys()]
    if not keys:
        raise RuntimeError("encryption failed: no current recipient key")
    folder = package_folder(submission)
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / "package.partial"
    with encrypting_writer(destination=partial, recipient_keys=keys) as sink:
        result = package_write(submission, sink)

    if result.errors:
        _discard_files(submission)
        Submission.objects.filter(pk=submission.pk).update(
            status=SubmissionStatus.BLOCKED, finished_at=timezone.now(), manifest=result.manifest
        )
        audit_record(action=AuditAction.NIS_BLOCKED, actor=submission.requested_by, obj=submission)
        return
    _release(submission, partial, result.manifest, result.corrections)


def package_write(submission: Submission, sink: IO[bytes]) -> BuildResult:
    """Write the submission's package, a zip of the CSV files and the manifest, to `sink`
    (a build gives GnuPG's input: nothing unencrypted reaches the disk), checking the rows as
    they are written.

    Side effects: stores the validation issues found, and the build's progress (rows total
    and done, heartbeat) on the submission. Does not close `sink`.
    """
    authority = submission.local_authority
    snapshot = submission.snapshot_on
    families = families_in_extract(authority, snapshot)
    progress = _Progress(submission)
    Submission.objects.filter(pk=submission.pk).update(
        rows_total=families.values("members").count()
    )
    counts = {"nis_individuals.csv": 0, "fpd_progress.csv": 0}
    hashes: dict[str, str] = {}
    corrections: list[int] = []

    with IssueWriter(submission) as issues:
        with zipfile.ZipFile(sink, mode="w") as archive:
            with _csv_member(archive, "nis_individuals.csv") as (writer, hashing):
                writer.writerow([column.name for column in columns.INDIVIDUAL_COLUMNS])
                counts["nis_individuals.csv"], objected = _individuals_write(
                    writer, authority, snapshot, progress, issues
                )
            hashes["nis_individuals.csv"] = hashing.sha256.hexdigest()
            issues.add(validation.shared_identifier_issues(authority, families))

            with _csv_member(archive, "fpd_progress.csv") as (writer, hashing):
                writer.writerow([column.name for column in columns.FPD_COLUMNS])
                counts["fpd_progress.csv"], corrections = _fpd_write(
                    writer, authority, snapshot, progress
                )
            hashes["fpd_progress.csv"] = hashing.sha256.hexdigest()

            manifest = _manifest(submission, counts, hashes, objected)
            info = zipfile.ZipInfo("manifest.json", date_time=ZIP_TIME)
            archive.writestr(info, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        issues.store()
    progress.beat()
    return BuildResult(manifest, issues.errors, issues.warnings, corrections)


@transaction.atomic
def _release(
    submission: Submission, partial: Path, manifest: dict[str, Any], corrections: list[int]
) -> None:
    authority = submission.local_authority
    name = (
        f"nis-{authority.gss_code}-{submission.snapshot_on:%Y%m%d}-"
        f"{str(submission.public_id)[:8]}.zip.gpg"
    )
    final = partial.with_name(name)
    partial.rename(final)
    digest = hashlib.sha256()
    with final.open("rb") as package:
        while chunk := package.read(1 << 20):
            digest.update(chunk)
    released = Submission.objects.filter(pk=submission.pk, status=SubmissionStatus.BUILDING).update(
        status=SubmissionStatus.READY,
        finished_at=timezone.now(),
        manifest=manifest,
        package_name=name,
        package_sha256=digest.hexdigest(),
        package_size=final.stat().st_size,
        expires_at=timezone.now() + datetime.timedelta(days=settings.NIS_FILE_DAYS),
    )
    if not released:
        # Taken for dead (and failed) while it was finishing: its file is not to be trusted.
        _discard_files(submission)
        return
    # The corrections are in this package now: the next one need not flag them again.
    ProgressValue.objects.filter(pk__in=corrections).update(correction_pending=False)
    audit_record(
        action=AuditAction.NIS_BUILT,
        actor=submission.requested_by,
        obj=submission,
        detail=f"{name} sha256={digest.hexdigest()}",
    )


def _manifest(
    submission: Submission, counts: dict[str, int], hashes: dict[str, str], objected: int
) -> dict[str, Any]:
    authority = submission.local_authority
    try:
        version = importlib.metadata.version("changing-lives")
    except importlib.metadata.PackageNotFoundError:
        version = "unknown"
    return {
        "schema_version": columns.SCHEMA_VERSION,
        "la_gss_code": authority.gss_code,
        "la_dfe_number": authority.dfe_number,
        "snapshot_date": submission.snapshot_on.isoformat(),
        "product_version": version,
        "files": {name: {"rows": counts[name], "sha256": hashes[name]} for name in sorted(counts)},
        "exclusions": {"objected": objected},
        "requested_by": submission.requested_by.username if submission.requested_by else "",
        "requested_at": submission.requested_at.isoformat(),
    }
