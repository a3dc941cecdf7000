"""Checking the extract as PostgreSQL writes it (nis_export/checking.py): the file's bytes
and the issues found are the same as the build's other way, which reads each family's facts
and writes its rows in Python (as on other databases); however COPY's output is cut."""

import csv
import datetime
import io
import zipfile
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from changing_lives.authorities.models import LocalAuthority
from changing_lives.demo.families.load import demo_families_seed
from eligibility.models import Assessment, StatusChange
from families.models import Family, FamilyStatus, Individual, ObjectionMethod
from nis_export import build
from nis_export.checking import CsvRows
from nis_export.models import Submission, SubmissionStatus, ValidationIssue
from nis_export.sql import copy_parameters, copy_to, individuals_sql
from tests.nis_export.test_build import FPD, INDIVIDUALS, SNAPSHOT

pytestmark = pytest.mark.django_db


def _awkward(authority: LocalAuthority) -> None:
    """Records a form would refuse (loaded around the checks) and the cases the rules
    single out: each must be found, and written, alike both ways."""
    members = Individual.objects.filter(family__local_authority=authority).order_by("pk")
    first, second, third, fourth, fifth, sixth = members[:6]
    updates: list[tuple[Individual, dict[str, Any]]] = [
        (
            first,
            {
                "address_line_1": "1, The Row",
                "address_line_2": "two\nlines",
                "postcode": "",
                "town": 'the "Town"',
            },
        ),
        (second, {"nhs_number": "1234567890"}),
        (third, {"forename": " ", "nino": "", "upn": "", "nhs_number": ""}),
        (fourth, {"date_of_birth": datetime.date(1890, 1, 1), "postcode": "ZZ1"}),
        # Born after the (back-dated) snapshot: not in the family then, in neither file.
        (fifth, {"date_of_birth": SNAPSHOT + datetime.timedelta(days=30)}),
        (
            sixth,
            {"nis_objection_on": SNAPSHOT, "nis_objection_method": ObjectionMethod.IN_WRITING},
        ),
    ]
    for member, fields in updates:
        Individual.objects.filter(pk=member.pk).update(**fields)
    # Eligible, and still awaiting the decision on the snapshot date.
    eligible = Assessment.objects.filter(
        family__local_authority=authority, eligible=True, override_eligible__isnull=True
    ).first()
    assert eligible is not None
    StatusChange.objects.filter(family=eligible.family_id).delete()
    Family.objects.filter(pk=eligible.family_id).update(status=FamilyStatus.ASSESSED)


def _package(authority: LocalAuthority) -> tuple[dict[str, bytes], build.BuildResult, set[Any]]:
    submission = Submission.objects.create(
        local_authority=authority, snapshot_on=SNAPSHOT, status=SubmissionStatus.BUILDING
    )
    sink = io.BytesIO()
    result = build.package_write(submission, sink)
    files = zipfile.ZipFile(sink)
    issues = set(
        ValidationIssue.objects.filter(submission=submission).values_list(
            "severity", "code", "message", "family_id", "la_family_id", "la_individual_id"
        )
    )
    return {name: files.read(name) for name in (INDIVIDUALS, FPD)}, result, issues


def test_the_individuals_file_and_its_issues_are_the_same_by_copy_as_row_by_row(
    authority: LocalAuthority, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo_families_seed(authority=authority, families=15, seed=5, today=SNAPSHOT)
    _awkward(authority)

    by_copy, copy_result, copy_issues = _package(authority)
    monkeypatch.setattr(build, "_individuals_write", build._individuals_write_rows)
    by_rows, rows_result, rows_issues = _package(authority)

    assert by_copy == by_rows
    assert copy_result.manifest["files"] == rows_result.manifest["files"]
    assert (
        copy_result.manifest["exclusions"] == rows_result.manifest["exclusions"] == {"objected": 1}
    )
    assert copy_issues == rows_issues
    assert (copy_result.errors, copy_result.warnings) == (rows_result.errors, rows_result.warnings)
    codes = {code for _severity, code, *_rest in copy_issues}
    assert {
        "eligible_without_status",
        "missing_forename",
        "date_of_birth_too_old",
        "no_national_identifier",
        "postcode_missing",
        "progress_incomplete",
    } <= codes
    assert any(code.startswith("identifier_") for code in codes)
    # Every issue links to its family, to be put right there.
    families = set(Family.objects.filter(local_authority=authority).values_list("pk", flat=True))
    assert {family_id for _s, _c, _m, family_id, *_ in copy_issues} <= families
    assert b'"two\nlines"' in by_copy[INDIVIDUALS]
    assert b'"1, The Row"' in by_copy[INDIVIDUALS]


def test_a_query_while_copy_holds_the_connection_fails_at_once(
    authority: LocalAuthority,
) -> None:
    """psycopg would wait for the COPY to end, for ever: a build stuck, not failed."""
    demo_families_seed(authority=authority, families=2, seed=5, today=SNAPSHOT)

    class Querying(io.BytesIO):
        def write(self, data: Any) -> int:
            Family.objects.count()
            return 0

    with pytest.raises(RuntimeError, match="while COPY held the connection"):
        copy_to(Querying(), individuals_sql(), copy_parameters(authority, SNAPSHOT))
    # The connection is usable again: the build's failure can be recorded.
    assert Family.objects.filter(local_authority=authority).count() == 2


_values = st.text(alphabet=st.sampled_from(["a", "é", ",", '"', "\n", "\r", " ", "1"]), max_size=6)


@given(
    rows=st.lists(st.lists(_values, min_size=1, max_size=4), max_size=8),
    cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=6),
)
def test_csv_written_in_pieces_is_read_back_as_its_rows(
    rows: list[list[str]], cuts: list[int]
) -> None:
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    data = text.getvalue().encode("utf-8")
    reader, read = CsvRows(), []
    start = 0
    for cut in [*sorted(set(cuts)), len(data)]:
        read.extend(reader.feed(data[start : max(start, cut)]))
        start = max(start, cut)
    reader.finish()
    assert read == list(csv.reader(io.StringIO(text.getvalue(), newline="")))


def test_csv_that_ends_inside_a_row_is_refused() -> None:
    reader = CsvRows()
    assert reader.feed(b'a,"b\n') == []
    with pytest.raises(RuntimeError, match="part way through a row"):
        reader.finish()
