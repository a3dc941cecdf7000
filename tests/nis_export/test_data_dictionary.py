"""docs/nis-data-dictionary.md is generated from nis_export/columns.py, and the files the build
writes have exactly the columns it describes."""

import csv
import datetime
import io
import zipfile
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from changing_lives.authorities.models import LocalAuthority
from eligibility.models import Assessment, Framework
from families.models import Family
from nis_export import columns
from nis_export.build import package_folder, submission_create, submission_run
from nis_export.models import RecipientKey, SubmissionStatus
from nis_export.openpgp import key_inspect
from tests.nis_export.keys import KeyPair, make_key, remove

DOC = Path(__file__).resolve().parents[2] / "docs" / "nis-data-dictionary.md"


@pytest.fixture(scope="module")
def ons() -> Iterator[KeyPair]:
    pair = make_key("ONS NIS test <nis@ons.example>")
    yield pair
    remove(pair)


def test_the_committed_data_dictionary_is_the_one_the_code_generates() -> None:
    assert DOC.read_text(encoding="utf-8") == columns.data_dictionary(), (
        "docs/nis-data-dictionary.md is out of date: run manage.py nis_data_dictionary"
    )


def test_every_column_of_every_file_is_in_the_data_dictionary() -> None:
    doc = DOC.read_text(encoding="utf-8")
    for file_name, (_description, file_columns) in columns.FILES.items():
        section = doc.split(f"## {file_name}\n", 1)[1].split("\n## ", 1)[0]
        rows = [line for line in section.splitlines() if line.startswith("| `")]
        assert [row.split("`")[1] for row in rows] == [c.name for c in file_columns]
    assert columns.FILES["nis_individuals.csv"][1] is columns.INDIVIDUAL_COLUMNS
    assert columns.FILES["fpd_progress.csv"][1] is columns.FPD_COLUMNS


def test_the_check_option_passes_on_the_committed_file_and_fails_on_a_stale_one(
    tmp_path: Path,
) -> None:
    out = StringIO()
    call_command("nis_data_dictionary", "--check", stdout=out)
    assert "is up to date" in out.getvalue()

    stale = tmp_path / "dictionary.md"
    stale.write_text(columns.data_dictionary().replace("`nhs_number`", "`nhs`"))
    with pytest.raises(CommandError, match="is out of date"):
        call_command("nis_data_dictionary", "--check", "--path", str(stale), stdout=StringIO())
    assert "`nhs`" in stale.read_text()  # --check never writes

    call_command("nis_data_dictionary", "--path", str(stale), stdout=StringIO())
    assert stale.read_text(encoding="utf-8") == columns.data_dictionary()


@pytest.mark.django_db
def test_a_built_file_has_exactly_the_columns_of_the_dictionary(
    authority: LocalAuthority, family: Family, ons: KeyPair, tmp_path: Path, settings
) -> None:
    settings.MEDIA_ROOT = tmp_path
    info = key_inspect(ons.public)
    RecipientKey.objects.create(
        fingerprint=info.fingerprint,
        user_ids=list(info.user_ids),
        armored=ons.public,
        created_at=info.created_at,
        expires_at=info.expires_at,
    )
    Assessment.objects.create(
        family=family,
        framework=Framework.objects.get(code="2015-2020"),
        framework_version=1,
        screened_on=datetime.date(2024, 5, 1),
        eligible=False,
    )
    submission = submission_create(
        actor=None, authority=authority, snapshot_on=datetime.date(2025, 1, 31)
    )
    assert submission_run(submission.pk) == SubmissionStatus.READY
    submission.refresh_from_db()

    package = package_folder(submission) / submission.package_name
    with zipfile.ZipFile(io.BytesIO(ons.decrypt(package))) as archive:
        headers = {
            name: archive.read(name).decode("utf-8").split("\r\n", 1)[0]
            for name in ("nis_individuals.csv", "fpd_progress.csv")
        }
    individuals = next(csv.reader([headers["nis_individuals.csv"]]))
    assert individuals == [column.name for column in columns.INDIVIDUAL_COLUMNS]
    assert {f"criteria_{code}" for code, _label in columns.CRITERIA_HEADLINES} <= set(individuals)
    fpd = next(csv.reader([headers["fpd_progress.csv"]]))
    assert fpd == [column.name for column in columns.FPD_COLUMNS]
