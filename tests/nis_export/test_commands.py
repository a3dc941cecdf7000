"""The NIS commands: recipient keys (real GnuPG keys), building and checking a submission."""

import datetime
import io
import json
import zipfile
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, ManagementUtility, call_command
from django.db import connections
from django.utils import timezone

from changing_lives.audit.actions import AuditAction
from changing_lives.audit.models import AuditEvent
from changing_lives.authorities.models import LocalAuthority
from eligibility.models import Assessment, Framework
from families.models import Family, FamilyStatus, Individual
from nis_export.build import package_folder
from nis_export.models import RecipientKey, Submission, SubmissionStatus, ValidationIssue
from nis_export.openpgp import key_inspect
from tests.factories import IndividualFactory
from tests.nis_export.keys import KeyPair, make_key, remove

pytestmark = pytest.mark.django_db

SNAPSHOT = "2025-01-31"
# What the family fixture holds that must never reach the terminal.
PERSONAL = ["Sarah", "Tunde", "Okafor", "AB123456C", "9434765919", "H801200001001",
            "2014-02-03", "1985-06-15"]  # fmt: skip


@pytest.fixture(scope="module")
def ons() -> Iterator[KeyPair]:
    pair = make_key("ONS NIS test <nis@ons.example>")
    yield pair
    remove(pair)


@pytest.fixture(scope="module")
def backup() -> Iterator[KeyPair]:
    pair = make_key("ONS NIS backup <backup@ons.example>", expire="2y")
    yield pair
    remove(pair)


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def key_file(tmp_path: Path, armored: str, name: str = "key.asc") -> str:
    path = tmp_path / name
    path.write_text(armored)
    return str(path)


def add_key(tmp_path: Path, pair: KeyPair) -> RecipientKey:
    run("nis_recipient_key", "add", key_file(tmp_path, pair.public))
    return RecipientKey.objects.get(fingerprint=key_inspect(pair.public).fingerprint)


def assess(family: Family, *, eligible: bool = False) -> Assessment:
    return Assessment.objects.create(
        family=family,
        framework=Framework.objects.get(code="2015-2020"),
        framework_version=1,
        screened_on=datetime.date(2024, 5, 1),
        eligible=eligible,
    )


# Recipient keys


def test_add_checks_the_key_stores_it_audited_and_prints_its_fingerprint_and_expiry(
    tmp_path: Path, ons: KeyPair
) -> None:
    info = key_inspect(ons.public)
    assert info.expires_at is not None
    out = run("nis_recipient_key", "add", key_file(tmp_path, ons.public))

    assert info.fingerprint in out
    assert f"Expires: {timezone.localtime(info.expires_at):%Y-%m-%d}" in out
    assert "ONS NIS test <nis@ons.example>" in out
    key = RecipientKey.objects.get()
    assert key.fingerprint == info.fingerprint
    assert key.added_by is None
    event = AuditEvent.objects.get(action=AuditAction.NIS_KEY_ADDED.value)
    assert event.actor is None
    assert event.detail == info.fingerprint


def test_add_with_dry_run_checks_the_key_and_stores_nothing(tmp_path: Path, ons: KeyPair) -> None:
    out = run("nis_recipient_key", "add", key_file(tmp_path, ons.public), "--dry-run")
    assert "Would add key" in out
    assert key_inspect(ons.public).fingerprint in out
    assert not RecipientKey.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_rejected_key_exits_non_zero_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = key_file(tmp_path, "-----BEGIN PGP PRIVATE KEY BLOCK-----\nnot shared\n")
    # As from a shell, but keeping the test's connection (a command closes them as it ends)
    # and skipping the system checks (they would query every database).
    monkeypatch.setattr(connections, "close_all", lambda: None)
    argv = ["manage.py", "nis_recipient_key", "--skip-checks", "add", path]
    with pytest.raises(SystemExit) as exited:
        ManagementUtility(argv).execute()
    assert exited.value.code != 0
    assert "This is a private key" in capsys.readouterr().err
    assert not RecipientKey.objects.exists()

    with pytest.raises(CommandError, match="not an OpenPGP public key"):
        run("nis_recipient_key", "add", key_file(tmp_path, "hello", "notes.txt"))
    with pytest.raises(CommandError, match="Cannot read"):
        run("nis_recipient_key", "add", str(tmp_path / "missing.asc"))


def test_an_expired_key_is_refused_with_its_date(tmp_path: Path) -> None:
    old = make_key("Old <old@ons.example>", expire="1y", faked_time="20200101T000000")
    try:
        with pytest.raises(CommandError, match="The key expired on 31 December 2020"):
            run("nis_recipient_key", "add", key_file(tmp_path, old.public))
    finally:
        remove(old)
    assert not RecipientKey.objects.exists()


def test_a_key_cannot_be_added_twice(tmp_path: Path, ons: KeyPair) -> None:
    add_key(tmp_path, ons)
    with pytest.raises(CommandError, match="has already been added"):
        run("nis_recipient_key", "add", key_file(tmp_path, ons.public))
    assert RecipientKey.objects.count() == 1


def test_list_shows_each_key_with_its_user_ids_dates_and_state(
    tmp_path: Path, ons: KeyPair, backup: KeyPair
) -> None:
    assert "No recipient keys" in run("nis_recipient_key", "list")
    current = add_key(tmp_path, ons)
    expired = add_key(tmp_path, backup)
    # Keys expire while held: the list must say so (no build encrypts to an expired key).
    RecipientKey.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - datetime.timedelta(days=1)
    )

    out = run("nis_recipient_key", "list")
    lines = out.splitlines()
    current_line = next(line for line in lines if line.startswith(current.fingerprint))
    expired_line = next(line for line in lines if line.startswith(expired.fingerprint))
    assert " current " in current_line
    assert f"created {timezone.localtime(current.created_at):%Y-%m-%d}" in current_line
    assert f"expires {timezone.localtime(current.expires_at):%Y-%m-%d}" in current_line
    assert " expired " in expired_line
    assert "ONS NIS test <nis@ons.example>" in out
    assert "ONS NIS backup <backup@ons.example>" in out


def test_retire_stops_a_key_being_used_and_list_shows_it_retired(
    tmp_path: Path, ons: KeyPair, backup: KeyPair
) -> None:
    key = add_key(tmp_path, ons)
    add_key(tmp_path, backup)
    # A fingerprint pasted as GnuPG groups it, in lower case, is found.
    grouped = " ".join(key.fingerprint[i : i + 4] for i in range(0, 40, 4)).lower()

    assert "Would retire" in run("nis_recipient_key", "retire", grouped, "--dry-run")
    key.refresh_from_db()
    assert key.retired_at is None

    out = run("nis_recipient_key", "retire", grouped)
    assert "Retired key" in out
    assert "No current key remains" not in out
    key.refresh_from_db()
    assert key.retired_at is not None
    assert AuditEvent.objects.filter(action=AuditAction.NIS_KEY_RETIRED.value).count() == 1
    listed = run("nis_recipient_key", "list").splitlines()
    assert " retired " in next(line for line in listed if line.startswith(key.fingerprint))

    with pytest.raises(CommandError, match="already been retired"):
        run("nis_recipient_key", "retire", key.fingerprint)
    with pytest.raises(CommandError, match="No recipient key has fingerprint"):
        run("nis_recipient_key", "retire", "0" * 40)


def test_retiring_the_last_current_key_warns_that_builds_will_stop(
    tmp_path: Path, ons: KeyPair
) -> None:
    key = add_key(tmp_path, ons)
    assert "No current key remains" in run("nis_recipient_key", "retire", key.fingerprint)


# Building a submission


def test_build_runs_without_a_worker_and_prints_a_package_that_decrypts(
    tmp_path: Path, authority: LocalAuthority, family: Family, ons: KeyPair, media: Path
) -> None:
    add_key(tmp_path, ons)
    assess(family)

    out = run("nis_submission", "build", "--la", authority.gss_code, "--snapshot", SNAPSHOT)

    submission = Submission.objects.get()
    assert submission.status == SubmissionStatus.READY
    assert submission.requested_by is None
    assert str(submission.public_id) in out
    assert "Status: ready" in out
    assert "nis_individuals.csv: 2 rows" in out
    assert "fpd_progress.csv: 0 rows" in out
    assert "Excluded (objected): 0" in out
    assert "Errors: 0, warnings: 0" in out
    package = package_folder(submission) / submission.package_name
    assert f"Package: {package}" in out
    assert package.is_relative_to(media)
    with zipfile.ZipFile(io.BytesIO(ons.decrypt(package))) as archive:
        assert sorted(archive.namelist()) == [
            "fpd_progress.csv",
            "manifest.json",
            "nis_individuals.csv",
        ]
        assert b"I100001" in archive.read("nis_individuals.csv")
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["la_gss_code"] == authority.gss_code
    assert manifest["snapshot_date"] == SNAPSHOT
    for value in PERSONAL:
        assert value not in out
    requested = AuditEvent.objects.get(action=AuditAction.NIS_REQUESTED.value)
    assert requested.actor is None
    assert requested.local_authority == authority


def test_build_is_refused_without_a_recipient_key(
    authority: LocalAuthority, family: Family
) -> None:
    assess(family)
    with pytest.raises(CommandError, match="No recipient key is configured"):
        run("nis_submission", "build", "--la", authority.gss_code, "--snapshot", SNAPSHOT)
    assert not Submission.objects.exists()


def test_build_is_refused_while_another_build_is_under_way(
    tmp_path: Path, authority: LocalAuthority, family: Family, ons: KeyPair
) -> None:
    add_key(tmp_path, ons)
    Submission.objects.create(
        local_authority=authority,
        snapshot_on=datetime.date(2025, 1, 1),
        status=SubmissionStatus.QUEUED,
    )
    with pytest.raises(CommandError, match="already being built"):
        run("nis_submission", "build", "--la", authority.gss_code, "--snapshot", SNAPSHOT)
    assert Submission.objects.count() == 1


def test_build_names_an_unknown_authority(authority: LocalAuthority) -> None:
    with pytest.raises(CommandError, match="No local authority has GSS code E09000001"):
        run("nis_submission", "build", "--la", "E09000001")


def test_build_blocked_by_validation_exits_non_zero_naming_la_ids_and_leaves_no_package(
    tmp_path: Path, authority: LocalAuthority, family: Family, ons: KeyPair, media: Path
) -> None:
    add_key(tmp_path, ons)
    assess(family, eligible=True)
    Family.objects.filter(pk=family.pk).update(status=FamilyStatus.ASSESSED)
    # Saved around the form's checks, as a bulk load might: the check digit is wrong.
    Individual.objects.filter(la_individual_id="I100001").update(nhs_number="9434765918")

    out = StringIO()
    with pytest.raises(CommandError, match="blocked by validation errors"):
        call_command(
            "nis_submission", "build", "--la", authority.gss_code, "--snapshot", SNAPSHOT,
            stdout=out,
        )  # fmt: skip
    text = out.getvalue()

    submission = Submission.objects.get()
    assert submission.status == SubmissionStatus.BLOCKED
    assert "Status: blocked" in text
    assert "Errors: 2, warnings: 0" in text
    assert "F100001" in text
    assert "eligible_without_status" in text
    assert "F100001 I100001" in text
    assert "identifier_nhs_check_digit" in text
    assert not package_folder(submission).exists()
    assert not list(media.rglob("*.gpg"))
    assert not list(media.rglob("*.partial"))
    assert "Package:" not in text
    for value in [*PERSONAL, "9434765918"]:
        assert value not in text


def test_build_with_dry_run_only_checks(
    tmp_path: Path, authority: LocalAuthority, family: Family, ons: KeyPair
) -> None:
    add_key(tmp_path, ons)
    assess(family)
    events = AuditEvent.objects.count()
    out = run(
        "nis_submission", "build", "--la", authority.gss_code, "--snapshot", SNAPSHOT, "--dry-run"
    )
    assert "Checked 1 families, 2 individuals" in out
    assert not Submission.objects.exists()
    assert AuditEvent.objects.count() == events


# Checking only


def test_check_prints_counts_by_code_and_the_first_issues_by_la_ids_and_writes_nothing(
    authority: LocalAuthority, family: Family
) -> None:
    assess(family, eligible=True)
    Family.objects.filter(pk=family.pk).update(status=FamilyStatus.ASSESSED)
    Individual.objects.filter(la_individual_id="I100001").update(nhs_number="9434765918")
    for n in range(3):  # no national identifier: a warning each
        IndividualFactory.create(family=family, la_individual_id=f"I20000{n}", forename="Zoe")

    out = StringIO()
    with pytest.raises(CommandError, match="2 error"):
        call_command(
            "nis_submission", "check", "--la", authority.gss_code, "--snapshot", SNAPSHOT,
            "--limit", "2", stdout=out,
        )  # fmt: skip
    text = out.getvalue()

    assert "Checked 1 families, 5 individuals" in text
    assert "Errors: 2, warnings: 3" in text
    assert "error   eligible_without_status: 1" in text
    assert "error   identifier_nhs_check_digit: 1" in text
    assert "warning no_national_identifier: 3" in text
    assert "F100001 I100001" in text
    listed = [line for line in text.splitlines() if "no_national_identifier:" in line]
    assert [line.split()[2] for line in listed if "F100001" in line] == ["I200000", "I200001"]
    for value in [*PERSONAL, "9434765918", "Zoe"]:
        assert value not in text
    assert not Submission.objects.exists()
    assert not ValidationIssue.objects.exists()
    assert not AuditEvent.objects.exists()


def test_check_of_clean_records_succeeds(authority: LocalAuthority, family: Family) -> None:
    assess(family)
    out = run("nis_submission", "check", "--la", authority.gss_code, "--snapshot", SNAPSHOT)
    assert "Checked 1 families, 2 individuals" in out
    assert "Errors: 0, warnings: 0" in out
