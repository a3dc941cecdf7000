"""Building a NIS submission: the same data gives the same files, a build is claimed once,
and a build that fails or is refused leaves nothing that can be downloaded.

The helpers at the top (a recipient key, a clean assessed family, opening a package) are
shared by the other NIS test modules.
"""

import csv
import datetime
import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from changing_lives.accounts.models import User
from changing_lives.accounts.roles import Role
from changing_lives.audit.actions import AuditAction
from changing_lives.audit.models import AuditEvent
from changing_lives.authorities.models import LocalAuthority
from changing_lives.demo.families.load import demo_families_seed
from eligibility.models import Assessment, Framework
from families.models import Family, FamilyStatus
from nis_export import build
from nis_export.models import RecipientKey, Submission, SubmissionStatus
from nis_export.openpgp import key_inspect
from nis_export.tasks import build_submission
from progress.models import ProgressValue
from tests.factories import FamilyFactory, IndividualFactory
from tests.nis_export.keys import KeyPair, make_key, remove

SNAPSHOT = datetime.date(2025, 6, 30)
INDIVIDUALS = "nis_individuals.csv"
FPD = "fpd_progress.csv"


# --- Shared helpers ----------------------------------------------------------------------


@dataclass(frozen=True)
class Package:
    """A decrypted package: its files by name, as bytes."""

    files: dict[str, bytes]

    @property
    def manifest(self) -> dict[str, Any]:
        return json.loads(self.files["manifest.json"])

    def rows(self, name: str) -> list[dict[str, str]]:
        return list(csv.DictReader(io.StringIO(self.files[name].decode("utf-8"), newline="")))


def recipient_key_add(pair: KeyPair) -> RecipientKey:
    info = key_inspect(pair.public)
    return RecipientKey.objects.create(
        fingerprint=info.fingerprint,
        user_ids=list(info.user_ids),
        armored=pair.public,
        created_at=info.created_at,
        expires_at=info.expires_at,
    )


def package_open(submission: Submission, pair: KeyPair) -> Package:
    """Decrypt a ready submission's package with the recipient's private key and unzip it."""
    assert submission.is_downloadable, (submission.status, submission.failure_reason)
    path = build.package_folder(submission) / submission.package_name
    assert hashlib.sha256(path.read_bytes()).hexdigest() == submission.package_sha256
    assert path.stat().st_size == submission.package_size
    with zipfile.ZipFile(io.BytesIO(pair.decrypt(path))) as archive:
        assert archive.testzip() is None
        return Package({name: archive.read(name) for name in archive.namelist()})


def build_now(
    authority: LocalAuthority,
    *,
    snapshot: datetime.date = SNAPSHOT,
    requested_by: User | None = None,
) -> Submission:
    """Queue a submission and run its build in this process, as the task does."""
    submission = Submission.objects.create(
        local_authority=authority, snapshot_on=snapshot, requested_by=requested_by
    )
    build.submission_run(submission.pk)
    submission.refresh_from_db()
    return submission


def assess(
    family: Family,
    *,
    screened_on: datetime.date = SNAPSHOT - datetime.timedelta(days=60),
    eligible: bool = True,
    status: FamilyStatus = FamilyStatus.INTERVENTION,
    framework: str = "2015-2020",
) -> Assessment:
    """Record an assessment and the status the family was moved to after it."""
    Family.objects.filter(pk=family.pk).update(status=status)
    family.status = status
    return Assessment.objects.create(
        family=family,
        framework=Framework.objects.get(code=framework),
        framework_version=1,
        screened_on=screened_on,
        eligible=eligible,
        headlines_counted=[],
    )


def demo_seed(
    authority: LocalAuthority, families: int, *, seed: int = 11, today: datetime.date = SNAPSHOT
) -> None:
    """Realistic demo families, with the few records that would block a package put right.

    The demo data holds eligible families still awaiting a decision (an error, by design):
    they are recorded here as not eligible, by a manager's override, so the package builds.
    """
    demo_families_seed(authority=authority, families=families, seed=seed, today=today)
    Assessment.objects.filter(
        family__local_authority=authority,
        family__status__in=[FamilyStatus.REFERRED, FamilyStatus.ASSESSED],
    ).update(override_eligible=False, override_reason="Decision recorded for the test")


@pytest.fixture(scope="module")
def ons() -> Iterator[KeyPair]:
    pair = make_key("ONS NIS build test <nis@ons.example>")
    yield pair
    remove(pair)


@pytest.fixture
def recipient(ons: KeyPair) -> RecipientKey:
    return recipient_key_add(ons)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def officer(make_user: Callable[..., User]) -> User:
    return make_user(Role.DATA_OFFICER)


pytestmark = pytest.mark.django_db


# --- The same data, the same files -------------------------------------------------------


def test_two_builds_of_the_same_data_are_byte_identical(
    authority: LocalAuthority, recipient: RecipientKey, ons: KeyPair, officer: User
) -> None:
    demo_seed(authority, 150)
    # A ready build clears the corrections it carried (tested in test_extract): the same
    # data, for both builds, is data with none pending.
    ProgressValue.objects.update(correction_pending=False)
    first = build_now(authority, requested_by=officer)
    second = build_now(authority, requested_by=officer)

    one, two = package_open(first, ons), package_open(second, ons)
    assert sorted(one.files) == sorted(two.files) == [FPD, "manifest.json", INDIVIDUALS]
    for name in (INDIVIDUALS, FPD):
        assert one.files[name] == two.files[name]
        digest = hashlib.sha256(one.files[name]).hexdigest()
        assert one.manifest["files"][name]["sha256"] == digest
        assert two.manifest["files"][name]["sha256"] == digest
    assert one.manifest["files"] == two.manifest["files"]
    assert one.manifest["files"][INDIVIDUALS]["rows"] > 300
    assert one.manifest["files"][FPD]["rows"] > 1000
    # Only when and for whom differ: each package is encrypted afresh (a new session key).
    assert first.package_sha256 != second.package_sha256


def test_the_manifest_describes_the_package_without_personal_data(
    authority: LocalAuthority, recipient: RecipientKey, ons: KeyPair, officer: User, family: Family
) -> None:
    assess(family)
    submission = build_now(authority, requested_by=officer)
    package = package_open(submission, ons)

    manifest = package.manifest
    assert manifest == submission.manifest
    assert manifest["schema_version"] == 1
    assert (manifest["la_gss_code"], manifest["la_dfe_number"]) == ("E06000023", "801")
    assert manifest["snapshot_date"] == "2025-06-30"
    assert manifest["product_version"]
    assert manifest["files"][INDIVIDUALS] == {
        "rows": 2,
        "sha256": hashlib.sha256(package.files[INDIVIDUALS]).hexdigest(),
    }
    assert manifest["exclusions"] == {"objected": 0}
    assert manifest["requested_by"] == officer.username
    assert manifest["requested_at"] == submission.requested_at.isoformat()
    text = package.files["manifest.json"].decode()
    assert "Okafor" not in text
    assert "AB123456C" not in text


# --- Claimed once ------------------------------------------------------------------------


def test_a_queued_submission_is_claimed_by_one_worker_only(authority: LocalAuthority) -> None:
    submission = Submission.objects.create(local_authority=authority, snapshot_on=SNAPSHOT)

    claimed = build.submission_claim(submission.pk)
    assert claimed is not None
    assert claimed.status == SubmissionStatus.BUILDING
    assert claimed.started_at is not None
    assert claimed.heartbeat_at == claimed.started_at
    assert build.submission_claim(submission.pk) is None
    assert build.submission_claim(submission.pk + 1000) is None


@pytest.mark.parametrize(
    "status",
    [
        SubmissionStatus.BUILDING,
        SubmissionStatus.READY,
        SubmissionStatus.FAILED,
        SubmissionStatus.BLOCKED,
        SubmissionStatus.EXPIRED,
    ],
)
def test_running_a_submission_that_is_not_queued_does_nothing(
    authority: LocalAuthority, recipient: RecipientKey, family: Family, status: str
) -> None:
    assess(family)
    submission = Submission.objects.create(
        local_authority=authority, snapshot_on=SNAPSHOT, status=status
    )

    assert build.submission_run(submission.pk) is None
    assert build_submission(submission.pk) is None  # the task, as a retry would run it

    submission.refresh_from_db()
    assert submission.status == status
    assert (submission.rows_total, submission.package_name, submission.manifest) == (0, "", {})
    assert not build.package_folder(submission).exists()
    assert not submission.issues.exists()


def test_a_duplicated_task_builds_the_package_once(
    authority: LocalAuthority, recipient: RecipientKey, ons: KeyPair, family: Family
) -> None:
    assess(family)
    submission = Submission.objects.create(local_authority=authority, snapshot_on=SNAPSHOT)

    assert build_submission(submission.pk) == SubmissionStatus.READY
    submission.refresh_from_db()
    built = (submission.package_name, submission.package_sha256, submission.finished_at)
    assert build_submission(submission.pk) is None

    submission.refresh_from_db()
    assert (submission.package_name, submission.package_sha256, submission.finished_at) == built
    assert [p.name for p in build.package_folder(submission).iterdir()] == [built[0]]
    assert AuditEvent.objects.filter(action=AuditAction.NIS_BUILT.value).count() == 1
    package_open(submission, ons)


@pytest.mark.parametrize("status", [SubmissionStatus.QUEUED, SubmissionStatus.BUILDING])
def test_a_request_is_refused_while_another_build_is_queued_or_under_way(
    authority: LocalAuthority, recipient: RecipientKey, officer: User, status: str
) -> None:
    Submission.objects.create(
        local_authority=authority, snapshot_on=SNAPSHOT, status=status, heartbeat_at=timezone.now()
    )
    with (
        mock.patch.object(build_submission, "delay") as delay,
        pytest.raises(ValidationError) as refused,
    ):
        build.submission_request(actor=officer, authority=authority, snapshot_on=SNAPSHOT)
    assert refused.value.code == "build_in_progress"
    assert Submission.objects.count() == 1
    delay.assert_not_called()


@pytest.mark.parametrize(
    "status", [SubmissionStatus.READY, SubmissionStatus.FAILED, SubmissionStatus.BLOCKED]
)
def test_a_request_after_a_finished_build_is_queued_once_it_commits(
    authority: LocalAuthority,
    other_authority: LocalAuthority,
    recipient: RecipientKey,
    officer: User,
    status: str,
    django_capture_on_commit_callbacks: Any,
) -> None:
    Submission.objects.create(local_authority=authority, snapshot_on=SNAPSHOT, status=status)
    # Another authority's build under way holds up only that authority.
    Submission.objects.create(
        local_authority=other_authority,
        snapshot_on=SNAPSHOT,
        status=SubmissionStatus.BUILDING,
        heartbeat_at=timezone.now(),
    )
    with (
        mock.patch.object(build_submission, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        submission = build.submission_request(
            actor=officer, authority=authority, snapshot_on=SNAPSHOT
        )
    assert len(callbacks) == 1
    delay.assert_called_once_with(submission.pk)
    assert submission.status == SubmissionStatus.QUEUED
    assert submission.requested_by == officer


# --- Failure leaves nothing to download --------------------------------------------------


def test_a_build_that_fails_part_way_is_failed_with_a_reason_and_leaves_no_file(
    authority: LocalAuthority,
    recipient: RecipientKey,
    family: Family,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assess(family)
    written: list[Path] = []

    def broken_fpd_write(*args: Any) -> tuple[int, list[int]]:
        written.extend(build.package_folder(submission).iterdir())
        raise ConnectionError("Sarah Okafor's row could not be read")

    monkeypatch.setattr(build, "_fpd_write", broken_fpd_write)
    submission = Submission.objects.create(local_authority=authority, snapshot_on=SNAPSHOT)
    with pytest.raises(ConnectionError):
        build.submission_run(submission.pk)

    submission.refresh_from_db()
    assert [path.name for path in written] == ["package.partial"]  # it was under way
    assert submission.status == SubmissionStatus.FAILED
    assert submission.failure_reason == (
        "The build failed (ConnectionError): build it again, or ask for help"
    )  # never the exception's text, which may quote a record
    assert not submission.is_downloadable
    assert submission.package_name == ""
    assert not build.package_folder(submission).exists()
    # The task delivered again (a retry) leaves it as it is.
    assert build.submission_run(submission.pk) is None
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.FAILED


def test_a_build_whose_heartbeat_stopped_is_failed_and_its_folder_removed(
    authority: LocalAuthority, settings: Any
) -> None:
    settings.NIS_BUILD_STALE_SECONDS = 60
    now = timezone.now()
    dead = Submission.objects.create(
        local_authority=authority,
        snapshot_on=SNAPSHOT,
        status=SubmissionStatus.BUILDING,
        heartbeat_at=now - datetime.timedelta(seconds=61),
    )
    alive = Submission.objects.create(
        local_authority=authority,
        snapshot_on=SNAPSHOT,
        status=SubmissionStatus.BUILDING,
        heartbeat_at=now - datetime.timedelta(seconds=30),
    )
    for submission in (dead, alive):
        build.package_folder(submission).mkdir(parents=True)
        (build.package_folder(submission) / "package.partial").write_bytes(b"\x85ciphertext")

    assert build.submissions_reap_stale() == 1

    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.status == SubmissionStatus.FAILED
    assert dead.failure_reason.startswith("The build stopped part way")
    assert dead.finished_at is not None
    assert not build.package_folder(dead).exists()
    assert alive.status == SubmissionStatus.BUILDING
    assert (build.package_folder(alive) / "package.partial").exists()


def test_the_heartbeat_goes_on_once_the_progress_file_is_written(
    authority: LocalAuthority,
    recipient: RecipientKey,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A build still writing Family Progress Data is alive: it must not be taken for one
    whose worker died, failed, and its folder deleted under it. PostgreSQL writes the file
    (COPY), during which the connection can send no heartbeat: one goes as soon as it ends."""
    demo_seed(authority, 30)
    settings.NIS_BUILD_STALE_SECONDS = 300
    real_copy_to = build.copy_to
    real_fpd_corrections = build.fpd_corrections
    reaped: list[int] = []

    def slow_copy_to(*args: Any, **kwargs: Any) -> int:
        # As if the file had taken an hour to write.
        Submission.objects.filter(pk=submission.pk).update(
            heartbeat_at=timezone.now() - datetime.timedelta(hours=1)
        )
        return real_copy_to(*args, **kwargs)

    def corrections_while_reaping(*args: Any) -> list[int]:
        reaped.append(build.submissions_reap_stale())  # the scheduled reaper runs now
        return real_fpd_corrections(*args)

    monkeypatch.setattr(build, "copy_to", slow_copy_to)
    monkeypatch.setattr(build, "fpd_corrections", corrections_while_reaping)
    submission = Submission.objects.create(local_authority=authority, snapshot_on=SNAPSHOT)
    build.submission_run(submission.pk)

    submission.refresh_from_db()
    assert reaped == [0]
    assert submission.manifest["files"][FPD]["rows"] > 100
    assert submission.status == SubmissionStatus.READY


def test_the_progress_file_by_copy_is_the_same_bytes_as_written_row_by_row(
    authority: LocalAuthority, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL the database writes fpd_progress.csv (COPY); elsewhere Python does,
    row by row. The two give the same bytes: CRLF line ends, empty values unquoted, and a
    value a form would refuse (a comma, a quote, a line break: loaded around the checks)
    quoted alike."""
    demo_seed(authority, 12)
    values = ProgressValue.objects.filter(family_return__family__local_authority=authority)
    awkward = ["1,5", 'say "no"', "two\nlines", "cr\r\nlf", ""]
    for value, text in zip(values.order_by("pk")[: len(awkward)], awkward, strict=True):
        ProgressValue.objects.filter(pk=value.pk).update(value=text, correction_pending=True)

    def package_files() -> tuple[bytes, build.BuildResult]:
        submission = Submission.objects.create(
            local_authority=authority, snapshot_on=SNAPSHOT, status=SubmissionStatus.BUILDING
        )
        sink = io.BytesIO()
        result = build.package_write(submission, sink)
        return zipfile.ZipFile(sink).read(FPD), result

    by_copy, copy_result = package_files()
    monkeypatch.setattr(build, "_fpd_write", build._fpd_write_rows)
    by_rows, rows_result = package_files()

    assert by_copy == by_rows
    assert copy_result.manifest["files"][FPD] == rows_result.manifest["files"][FPD]
    assert sorted(copy_result.corrections) == sorted(rows_result.corrections)
    assert len(copy_result.corrections) >= len(awkward)
    assert b'"two\nlines"' in by_copy
    assert (
        by_copy.count(b"\r\n") == copy_result.manifest["files"][FPD]["rows"] + 2
    )  # header, "cr\r\nlf"


def _family_with_members(authority: LocalAuthority, number: int) -> None:
    family = FamilyFactory.create(local_authority=authority, la_family_id=f"Q{number:05d}")
    for member in (1, 2):
        IndividualFactory.create(
            family=family,
            la_individual_id=f"Q{number:05d}-{member}",
            nino=f"AB{number:04d}{member:02d}C",
        )
    assess(family)


def test_the_number_of_queries_does_not_grow_with_the_number_of_families(
    authority: LocalAuthority, recipient: RecipientKey
) -> None:
    def queries_to_build() -> int:
        with CaptureQueriesContext(connection) as queries:
            submission = build_now(authority)
        assert submission.status == SubmissionStatus.READY
        return len(queries)

    for number in range(3):
        _family_with_members(authority, number)
    few = queries_to_build()
    for number in range(3, 15):
        _family_with_members(authority, number)
    assert queries_to_build() == few
