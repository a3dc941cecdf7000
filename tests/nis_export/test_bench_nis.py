"""bench_nis, the NIS build's benchmark: it runs end to end on a few demo families, its COPY
baseline gives the files' own rows, and it leaves nothing behind. No timing is asserted:
the figures are for docs/performance.md, not for a test."""

import csv
import datetime
import io
import re
import zipfile
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import strategies as st

from changing_lives.authorities.models import LocalAuthority
from changing_lives.demo.families.load import demo_families_seed
from families.models import Individual
from nis_export.build import _CsvWriter, package_write
from nis_export.management.commands.bench_nis import (
    CountingSink,
    copy_parameters,
    copy_to,
    fpd_sql,
    individuals_sql,
)
from nis_export.models import Submission, SubmissionStatus, ValidationIssue
from tests.factories import LocalAuthorityFactory

SNAPSHOT = datetime.date(2025, 6, 30)


@pytest.fixture
def seeded(authority: LocalAuthority) -> LocalAuthority:
    demo_families_seed(authority=authority, families=12, seed=7, today=SNAPSHOT)
    return authority


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


@pytest.mark.django_db
def test_the_copy_baseline_gives_the_rows_and_columns_of_the_files(
    seeded: LocalAuthority,
) -> None:
    submission = Submission.objects.create(
        local_authority=seeded, snapshot_on=SNAPSHOT, status=SubmissionStatus.BUILDING
    )
    package = io.BytesIO()
    package_write(submission, package)
    files = zipfile.ZipFile(package)

    for name, sql in (("nis_individuals.csv", individuals_sql()), ("fpd_progress.csv", fpd_sql())):
        copied = io.BytesIO()
        rows = copy_to(copied, sql, copy_parameters(seeded, SNAPSHOT))
        built = _rows(files.read(name))
        assert len(built) > 1, name
        assert rows == len(built) - 1
        # The same header, rows and order.
        assert _rows(copied.getvalue()) == built, name


@pytest.mark.parametrize(
    "row",
    [
        ["a", "b", "c"],
        ["", "", ""],
        ["one, two", "x"],
        ['say "hi"', "x"],
        ["line\nbreak", "x"],
        ["carriage\rreturn", "x"],
        ["ends,", ",starts", ","],
        [" spaced ", "tab\there", "Zoë Ó'Brien", "😀"],
        ["", "x,y", ""],
        [""],
        ["x", None, 3],
    ],
)
def test_the_builds_csv_writer_writes_the_bytes_csv_writer_does(row: list[Any]) -> None:
    expected = io.StringIO()
    csv.writer(expected, lineterminator="\r\n").writerows([row, ["after"]])
    written = io.BytesIO()
    text = io.TextIOWrapper(written, encoding="utf-8", newline="")
    _CsvWriter(text).writerows([row, ["after"]])
    text.flush()
    assert written.getvalue().decode("utf-8") == expected.getvalue()


@given(rows=st.lists(st.lists(st.text(), min_size=1, max_size=6), max_size=6))
def test_the_builds_csv_writer_writes_what_csv_writer_does_whatever_the_text(
    rows: list[list[str]],
) -> None:
    expected = io.StringIO()
    csv.writer(expected, lineterminator="\r\n").writerows(rows)
    written = io.BytesIO()
    text = io.TextIOWrapper(written, encoding="utf-8", newline="", errors="surrogatepass")
    _CsvWriter(text).writerows(rows)
    text.flush()
    assert written.getvalue().decode("utf-8", errors="surrogatepass") == expected.getvalue()


def test_the_counting_sink_reads_the_sizes_of_a_zip_written_to_it() -> None:
    sink = CountingSink()
    with zipfile.ZipFile(sink, mode="w") as archive:
        archive.writestr("a.csv", "x" * 300_000, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("b.csv", b"")
    assert sink.zip_sizes() == {"a.csv": 300_000, "b.csv": 0}
    assert 0 < sink.size < 300_000


@pytest.mark.django_db(transaction=True)  # each build runs in a process of its own
def test_bench_nis_measures_a_small_authority_and_leaves_nothing_behind(
    seeded: LocalAuthority, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEBUG", "true")  # for the build processes
    settings.DEBUG = True
    other = LocalAuthorityFactory.create(gss_code="E06000098", dfe_number="802")
    demo_families_seed(authority=other, families=3, seed=8, today=SNAPSHOT)
    out = StringIO()

    call_command(
        "bench_nis", "--la", seeded.gss_code, "--la", other.gss_code,
        "--snapshot", SNAPSHOT.isoformat(), "--runs", "1", "--warmup", "0",
        stdout=out, stderr=StringIO(),
    )  # fmt: skip

    text = out.getvalue()
    assert text.count("COPY rows match the build's") == 2
    for line in ("COPY, both files", "build, no encryption", "build, with encryption"):
        assert len(re.findall(rf"^  {line} +[0-9,]+ ", text, flags=re.MULTILINE)) == 2
    assert f"Peak RSS, {other.gss_code}" in text
    # Counts and timings only: never a name or an identifier.
    for member in Individual.objects.all():
        for value in (f"{member.forename} {member.surname}", member.nhs_number, member.nino):
            assert not value or value not in text
    assert not Submission.objects.exists()
    assert not ValidationIssue.objects.exists()


@pytest.mark.django_db
def test_bench_nis_refuses_without_debug(seeded: LocalAuthority, settings: Any) -> None:
    with pytest.raises(CommandError, match="DEBUG=true"):
        call_command("bench_nis", "--la", seeded.gss_code, stdout=StringIO())
