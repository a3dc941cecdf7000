"""Files leave only through views that check role and authority, as attachments never cached;
the CSVs meant for people open in a spreadsheet as text, never as formulas; generated files
are never served from MEDIA_ROOT directly.

The file views are found by walking the URLconf and opening every URL with real records, so
a new download is checked as soon as it exists. Who may open each is tests/test_role_access.py
(role) and tests/test_other_authority.py (authority).
"""

import csv
import datetime
import io
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.views.static import serve

from changing_lives.accounts.models import User
from changing_lives.accounts.roles import Role
from changing_lives.csv_safety import FORMULA_TRIGGERS
from eligibility.models import Intervention, SupportIntensity
from families.models import Family
from nis_export.extract import family_chunks, individual_rows
from nis_export.models import IssueSeverity, Submission, ValidationIssue
from progress.models import Period
from tests.factories import FamilyFactory, IndividualFactory
from tests.signing_in import force_login_verified
from tests.test_role_access import arguments_for
from tests.urlwalk import walk

pytestmark = pytest.mark.django_db

ALL_URLS = list(walk())
# What a spreadsheet would run if the cell were left as typed.
FORMULA_FAMILY_ID = "=1+2"
FORMULA_MEMBER_ID = "@SUM(1)"
FORMULA_DUE_FAMILY_ID = "+44 DUE"
# The CSVs that list families, each of which must show their LA IDs neutralised.
LISTS_FAMILIES = {"progress:period_gaps", "nis_export:report", "retention:preview_csv"}
# Responses that are neither HTML nor a file, and why.
NOT_FILES = {"healthz": "JSON for load balancers: statuses, no records"}
# Every CSV download is for people (to open in a spreadsheet); the NIS package is the one
# file that is for a machine, and it is encrypted, not CSV.
MACHINE_FILES = {"nis_export:download"}


def is_file(response: Any) -> bool:
    content_type = response.get("Content-Type", "")
    disposition = response.get("Content-Disposition", "")
    return not content_type.startswith("text/html") or disposition.startswith("attachment")


def body(response: Any) -> bytes:
    if response.streaming:
        parts = response.streaming_content
        return b"".join(part if isinstance(part, bytes) else part.encode() for part in parts)
    return bytes(response.content)


def open_every_url(family: Family, user: User) -> dict[str, Any]:
    """Every URL, opened with real records by `user` (who holds every role of the family's
    authority): {url name: response} for those that answered with a file."""
    client = Client()
    force_login_verified(client, user)
    arguments = arguments_for(family)
    _formula_issue(arguments["submission_id"], family)
    files: dict[str, Any] = {}
    for url in ALL_URLS:
        if url.name in NOT_FILES:
            continue
        missing = set(url.parameters) - set(arguments)
        assert not missing, f"{url.name}: say in real_arguments() how to fill {missing}"
        path = reverse(url.name, kwargs={name: arguments[name] for name in url.parameters})
        response = client.get(path)
        if is_file(response):
            files[url.name] = response
    return files


def _formula_issue(submission_id: Any, family: Family) -> None:
    """A validation issue naming the family, so the NIS validation report has a row."""
    submission = Submission.objects.get(public_id=submission_id)
    ValidationIssue.objects.create(
        submission=submission, severity=IssueSeverity.WARNING, code="test_code",
        message="A warning about this member", family=family,
        la_family_id=family.la_family_id, la_individual_id=FORMULA_MEMBER_ID,
    )  # fmt: skip


@pytest.fixture
def formula_family(family: Family) -> Family:
    """The Okafors, with LA IDs a spreadsheet would run as formulas; and a second family past
    its retention date (so the purge preview lists one)."""
    Family.objects.filter(pk=family.pk).update(la_family_id=FORMULA_FAMILY_ID)
    family.members.filter(forename="Tunde").update(la_individual_id=FORMULA_MEMBER_ID)
    due = FamilyFactory.create(
        local_authority=family.local_authority, la_family_id=FORMULA_DUE_FAMILY_ID,
        retention_on=timezone.localdate() - datetime.timedelta(days=1),
    )  # fmt: skip
    IndividualFactory.create(family=due)
    # Supported since before the first period, so it owes a return with gaps in it.
    first = Period.objects.order_by("start_on").first()
    assert first is not None
    Intervention.objects.create(
        family=family, started_on=first.start_on, intensity=SupportIntensity.STANDARD
    )
    family.refresh_from_db()
    return family


def test_every_file_is_an_attachment_that_no_cache_keeps(formula_family, make_user) -> None:
    files = open_every_url(formula_family, make_user(*Role))
    # The downloads known today are found (a new one is checked without being listed).
    assert {"progress:period_gaps", "nis_export:download", "nis_export:report"} <= set(files)
    for name, response in files.items():
        assert response.status_code == 200, name
        assert response["Content-Disposition"].startswith("attachment; filename="), name
        assert response["Cache-Control"] == "no-store", name


def test_every_csv_for_people_neutralises_cells_a_spreadsheet_would_run(
    formula_family, make_user
) -> None:
    files = open_every_url(formula_family, make_user(*Role))
    csv_files = {
        name: response
        for name, response in files.items()
        if response["Content-Type"].startswith("text/csv")
    }
    assert {"progress:period_gaps", "nis_export:report"} <= set(csv_files)
    assert not set(csv_files) & MACHINE_FILES
    shown = set()
    for name, response in csv_files.items():
        rows = list(csv.reader(io.StringIO(body(response).decode("utf-8-sig"))))
        for row in rows:
            for cell in row:
                assert not cell.startswith(FORMULA_TRIGGERS), f"{name}: {cell!r} is a formula"
        cells = {cell for row in rows for cell in row}
        formulas = (FORMULA_FAMILY_ID, FORMULA_MEMBER_ID, FORMULA_DUE_FAMILY_ID)
        if any(f"'{value}" in cells for value in formulas):
            shown.add(name)
    # The IDs are there, neutralised, in each file that lists families.
    assert LISTS_FAMILIES & set(csv_files) <= shown


def test_the_nis_package_keeps_ids_exactly_as_recorded(formula_family) -> None:
    """The NIS files are read by ONS's systems, not opened in a spreadsheet by people: they
    hold each value as recorded, so an LA ID starting with "=" reaches ONS unchanged (and
    the package is encrypted, never opened here)."""
    arguments_for(formula_family)  # assesses the family, so it is in the extract
    authority = formula_family.local_authority
    rows = [
        row
        for chunk in family_chunks(authority, timezone.localdate())
        for facts in chunk
        for row in individual_rows(authority, facts)
    ]
    assert rows
    assert {row[2] for row in rows} == {FORMULA_FAMILY_ID}
    assert FORMULA_MEMBER_ID in {row[3] for row in rows}


def test_media_files_are_never_served_directly(client_as, family) -> None:
    media = Path(settings.MEDIA_ROOT)
    stray = media / "nis" / "stray-test-file.txt"
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_text("not for the web")
    try:
        # No URL pattern serves files from a folder (django.views.static.serve).
        assert not [url.name for url in ALL_URLS if resolve(url.path).func is serve]
        for path in ("/media/nis/stray-test-file.txt", "/nis/stray-test-file.txt"):
            with pytest.raises(Resolver404):
                resolve(path)
            response = client_as(*Role).get(path)
            assert response.status_code == 404, path
            assert b"not for the web" not in response.content
        # Static files are served from the app folders and STATIC_ROOT, never from media.
        static_folders = [Path(settings.STATIC_ROOT), *map(Path, settings.STATICFILES_DIRS)]
        for folder in static_folders:
            assert not media.resolve().is_relative_to(folder.resolve())
            assert not folder.resolve().is_relative_to(media.resolve())
    finally:
        stray.unlink()
