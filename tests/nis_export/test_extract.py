"""What the NIS files hold: every member of every assessed family but objectors, as at the
snapshot date, in the spec's format; progress data keyed by LA IDs only.

Each test builds a real package (GnuPG encryption included) and reads it decrypted, as the
recipient would.
"""

import codecs
import datetime
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from changing_lives.accounts.models import User
from changing_lives.accounts.roles import Role
from changing_lives.authorities.models import LocalAuthority
from eligibility.models import (
    CriterionMet,
    EndReason,
    Headline,
    Intervention,
    StatusChange,
    SupportIntensity,
)
from eligibility.reference_data import FRAMEWORKS
from families.models import Family, FamilyStatus, Individual, ObjectionMethod
from nis_export.columns import FPD_COLUMNS, INDIVIDUAL_COLUMNS
from nis_export.models import RecipientKey, SubmissionStatus
from progress.models import (
    FamilyReturn,
    Measure,
    MeasureLevel,
    Period,
    ProgressValue,
    ReturnStatus,
)
from tests.factories import FamilyFactory, IndividualFactory
from tests.nis_export.keys import KeyPair, make_key, remove
from tests.nis_export.test_build import (
    FPD,
    INDIVIDUALS,
    SNAPSHOT,
    Package,
    assess,
    build_now,
    demo_seed,
    package_open,
    recipient_key_add,
)

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
NEVER_WRITTEN = {"N/A", "NA", "NULL", "null", "None", "none", "nan", "NaN"}


@pytest.fixture(scope="module")
def ons() -> Iterator[KeyPair]:
    pair = make_key("ONS NIS extract test <nis@ons.example>")
    yield pair
    remove(pair)


@pytest.fixture
def recipient(ons: KeyPair) -> RecipientKey:
    return recipient_key_add(ons)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def demo(authority: LocalAuthority) -> LocalAuthority:
    demo_seed(authority, 150)
    return authority


def ready_package(authority: LocalAuthority, ons: KeyPair) -> Package:
    submission = build_now(authority)
    assert submission.status == SubmissionStatus.READY, list(submission.issues.values("code"))
    return package_open(submission, ons)


def object_to_the_study(*members: Individual) -> None:
    Individual.objects.filter(pk__in=[m.pk for m in members]).update(
        nis_objection_on=SNAPSHOT - 10 * DAY, nis_objection_method=ObjectionMethod.IN_WRITING
    )


def progress_value(
    family: Family,
    code: str,
    value: str,
    *,
    member: Individual | None = None,
    correction: bool = False,
    status: ReturnStatus = ReturnStatus.COMPLETE,
) -> ProgressValue:
    """A value in the family's return for the last period ended by the snapshot."""
    period = Period.objects.filter(end_on__lte=SNAPSHOT).order_by("-start_on").first()
    assert period is not None
    family_return, _ = FamilyReturn.objects.get_or_create(
        family=family, period=period, defaults={"status": status}
    )
    return ProgressValue.objects.create(
        family_return=family_return,
        measure=Measure.objects.get(code=code),
        individual=member,
        value=value,
        correction_pending=correction,
    )


def member(family: Family, la_individual_id: str) -> Individual:
    return family.members.get(la_individual_id=la_individual_id)


# --- Who is in the file ------------------------------------------------------------------


def test_every_individual_of_every_assessed_family_is_in_the_file_except_objectors(
    demo: LocalAuthority, recipient: RecipientKey, ons: KeyPair
) -> None:
    families = Family.objects.for_authority(demo)
    assessed = families.filter(assessments__screened_on__lte=SNAPSHOT).distinct()
    never_assessed = families.exclude(pk__in=assessed)
    assert never_assessed.exists(), "the demo data has families still at referral"
    # Assessed only after the snapshot: not in this submission.
    late = FamilyFactory.create(local_authority=demo, la_family_id="DEMO-F999999")
    IndividualFactory.create(family=late, la_individual_id="DEMO-I999999")
    assess(late, screened_on=SNAPSHOT + DAY)
    # Objectors in assessed families, and one in a family never assessed.
    in_assessed = Individual.objects.filter(family__in=assessed).order_by("la_individual_id")
    objectors = list(in_assessed[::41])
    assert len(objectors) >= 5
    object_to_the_study(*objectors, Individual.objects.filter(family__in=never_assessed)[0])

    submission = build_now(demo)
    assert submission.status == SubmissionStatus.READY
    package = package_open(submission, ons)
    rows = package.rows(INDIVIDUALS)

    expected = sorted(
        in_assessed.filter(nis_objection_on__isnull=True).values_list(
            "family__la_family_id", "la_individual_id"
        )
    )
    # Each once, in the order (LA family ID, LA individual ID).
    assert [(row["la_family_id"], row["la_individual_id"]) for row in rows] == expected
    # The counts reconcile: with the families list, the manifest and the exclusions.
    manifest = package.manifest
    assert manifest["files"][INDIVIDUALS]["rows"] == len(rows) == len(expected)
    assert manifest["exclusions"] == {"objected": len(objectors)}
    assert len(rows) + len(objectors) == in_assessed.count()
    assert {row["la_family_id"] for row in rows} == set(
        assessed.values_list("la_family_id", flat=True)
    )
    absent = set(never_assessed.values_list("la_family_id", flat=True)) | {"DEMO-F999999"}
    assert not absent & {row["la_family_id"] for row in rows}
    objector_ids = {objector.la_individual_id for objector in objectors}
    assert not objector_ids & {row["la_individual_id"] for row in rows}
    # Progress data only for the families in the file, and none of an objector's.
    fpd = package.rows(FPD)
    assert fpd
    assert {row["la_family_id"] for row in fpd} <= {row["la_family_id"] for row in rows}
    assert not objector_ids & {row["la_individual_id"] for row in fpd}
    assert manifest["files"][FPD]["rows"] == len(fpd)


def test_an_objectors_row_and_progress_values_are_left_out_and_counted(
    authority: LocalAuthority, recipient: RecipientKey, ons: KeyPair, family: Family
) -> None:
    assess(family)
    sarah, tunde = member(family, "I100001"), member(family, "I100002")
    progress_value(family, "HOMELESS", "no")
    progress_value(family, "ASB_INCIDENTS", "2", member=sarah)
    progress_value(family, "ASB_INCIDENTS", "1", member=tunde)
    object_to_the_study(sarah)

    package = ready_package(authority, ons)

    assert [row["la_individual_id"] for row in package.rows(INDIVIDUALS)] == ["I100002"]
    assert b"Sarah" not in package.files[INDIVIDUALS]
    fpd = [(row["la_individual_id"], row["measure_code"]) for row in package.rows(FPD)]
    # The family's own measure stays: it is not hers.
    assert fpd == [("", "HOMELESS"), ("I100002", "ASB_INCIDENTS")]
    assert package.manifest["exclusions"] == {"objected": 1}


# --- As at the snapshot date -------------------------------------------------------------


def test_a_row_describes_the_family_as_it_was_on_the_snapshot_date(
    authority: LocalAuthority,
    recipient: RecipientKey,
    ons: KeyPair,
    family: Family,
    make_user: Callable[..., User],
) -> None:
    caseworker = make_user(Role.CASEWORKER, first_name="Jane", last_name="Leadworker")
    sarah, tunde = member(family, "I100001"), member(family, "I100002")
    Individual.objects.filter(pk=tunde.pk).update(address_line_1="5 Other Road", postcode="BS2 0JA")
    assessment = assess(family, screened_on=SNAPSHOT - 60 * DAY, status=FamilyStatus.CLOSED)
    crime = Headline.objects.get(framework=assessment.framework, code="CRIME")
    CriterionMet.objects.create(
        assessment=assessment,
        individual=sarah,
        headline=crime,
        indicator=crime.indicators.order_by("order")[0],
        evidence_on=SNAPSHOT - 70 * DAY,
        evidence_source="police",
    )
    # Recorded after the snapshot: none of these is in this submission.
    assess(family, screened_on=SNAPSHOT + 3 * DAY, eligible=False, framework="2022-2025")
    support = Intervention.objects.create(
        family=family,
        started_on=SNAPSHOT - 50 * DAY,
        intensity=SupportIntensity.STANDARD,
        lead_professional=caseworker,
        ended_on=SNAPSHOT + 10 * DAY,
        end_reason=EndReason.OUTCOMES_ACHIEVED,
    )
    for old, new, on in [
        (FamilyStatus.REFERRED, FamilyStatus.ASSESSED, SNAPSHOT - 60 * DAY),
        (FamilyStatus.ASSESSED, FamilyStatus.INTERVENTION, support.started_on),
        (FamilyStatus.INTERVENTION, FamilyStatus.CLOSED, SNAPSHOT + 10 * DAY),
    ]:
        StatusChange.objects.create(
            family=family, from_status=old, to_status=new, move="test", effective_on=on
        )

    rows = {row["la_individual_id"]: row for row in ready_package(authority, ons).rows(INDIVIDUALS)}

    mother, son = rows["I100001"], rows["I100002"]
    assert mother["framework_code"] == "2015-2020"
    assert mother["date_screened"] == (SNAPSHOT - 60 * DAY).isoformat()
    assert mother["eligible"] == "Y"
    assert (mother["criteria_CRIME"], son["criteria_CRIME"]) == ("Y", "N")
    assert mother["criteria_EDUCATION"] == "N"
    assert mother["criteria_HOUSING"] == ""  # not a headline of the 2015-2020 framework
    assert mother["intervention_status"] == "INTERVENTION"  # it closed after the snapshot
    assert mother["support_start_date"] == (SNAPSHOT - 50 * DAY).isoformat()
    # The support ended after the snapshot date: on that date it was still going.
    assert (mother["support_end_date"], mother["support_end_reason"]) == ("", "")
    assert mother["support_intensity"] == "STANDARD"
    assert mother["lead_professional_role"] == "CASEWORKER"  # a role, never a person
    assert "Leadworker" not in str(rows)
    assert (mother["gender"], son["gender"]) == ("2", "1")
    assert (mother["relationship_to_family"], son["relationship_to_family"]) == (
        "MAIN_CARER",
        "CHILD",
    )
    assert (mother["nino"], mother["nhs_number"], son["upn"]) == (
        "AB123456C",
        "9434765919",
        "H801200001001",
    )
    assert (mother["date_of_birth"], son["date_of_birth"]) == ("1985-06-15", "2014-02-03")
    # A member's own address where they have one, otherwise the family's.
    assert (son["address_line_1"], son["postcode"]) == ("5 Other Road", "BS2 0JA")
    assert (mother["address_line_1"], mother["postcode"]) == (family.address_line_1, "BS1 4DJ")
    assert (mother["la_gss_code"], mother["la_dfe_number"]) == ("E06000023", "801")


def test_support_that_ended_by_the_snapshot_is_shown_ended_with_its_reason(
    authority: LocalAuthority, recipient: RecipientKey, ons: KeyPair, family: Family
) -> None:
    assess(family, status=FamilyStatus.CLOSED)
    Intervention.objects.create(
        family=family,
        started_on=SNAPSHOT - 50 * DAY,
        intensity=SupportIntensity.INTENSIVE,
        ended_on=SNAPSHOT,
        end_reason=EndReason.MOVED_AWAY,
    )

    (row, _) = ready_package(authority, ons).rows(INDIVIDUALS)

    assert row["support_end_date"] == SNAPSHOT.isoformat()
    assert row["support_end_reason"] == "MOVED_AWAY"
    assert row["intervention_status"] == "CLOSED"
    assert row["lead_professional_role"] == ""  # no lead recorded: empty, not "N/A"


# --- The format --------------------------------------------------------------------------


def lines_of(data: bytes) -> list[bytes]:
    """The file's lines, after checking every one ends with CRLF and none is bare."""
    assert data.endswith(b"\r\n")
    lines = data.split(b"\r\n")[:-1]
    assert not any(b"\n" in line or b"\r" in line for line in lines)
    return lines


def test_each_file_is_utf8_with_crlf_line_ends_and_rfc_4180_quoting(
    authority: LocalAuthority, recipient: RecipientKey, ons: KeyPair, family: Family
) -> None:
    assess(family)
    Family.objects.filter(pk=family.pk).update(
        address_line_1="Flat 2, Oak House", address_line_2='The "Old" Mill'
    )
    # Past the forms' name rules (loaded from elsewhere): the file must still be sound.
    Individual.objects.filter(la_individual_id="I100001").update(
        forename="Zoë, Anne", surname='O"Brien-Nguyễn'
    )
    progress_value(family, "HOMELESS", "yes")

    package = ready_package(authority, ons)

    data = package.files[INDIVIDUALS]
    assert not data.startswith(codecs.BOM_UTF8)
    data.decode("utf-8")  # strict: raises on anything else
    lines = lines_of(data)
    assert lines[0] == ",".join(column.name for column in INDIVIDUAL_COLUMNS).encode()
    assert len(lines) == 3
    assert b',"Flat 2, Oak House","The ""Old"" Mill",' in data
    assert ',"Zoë, Anne","O""Brien-Nguyễn",'.encode() in data
    assert b",Tunde,Okafor," in data  # quoted only where needed
    mother = package.rows(INDIVIDUALS)[0]
    assert (mother["forename"], mother["surname"]) == ("Zoë, Anne", 'O"Brien-Nguyễn')
    assert (mother["address_line_1"], mother["address_line_2"]) == (
        "Flat 2, Oak House",
        'The "Old" Mill',
    )
    fpd_lines = lines_of(package.files[FPD])
    assert fpd_lines[0] == ",".join(column.name for column in FPD_COLUMNS).encode()
    assert len(fpd_lines) == 2


def test_dates_flags_and_unknowns_are_written_as_the_spec_says(
    demo: LocalAuthority, recipient: RecipientKey, ons: KeyPair
) -> None:
    package = ready_package(demo, ons)
    headlines = {f["code"]: {h[0] for h in f["headlines"]} for f in FRAMEWORKS}
    criteria = [c.name for c in INDIVIDUAL_COLUMNS if c.name.startswith("criteria_")]

    rows = package.rows(INDIVIDUALS)
    for row in rows:
        assert len(row) == len(INDIVIDUAL_COLUMNS)
        assert None not in row  # no row longer than the header
        assert not NEVER_WRITTEN & set(row.values()), row
        assert DATE.fullmatch(row["date_of_birth"])
        assert DATE.fullmatch(row["date_screened"])
        for name in ("support_start_date", "support_end_date"):
            assert row[name] == "" or DATE.fullmatch(row[name]), row[name]
        assert row["eligible"] in {"Y", "N"}
        for name in criteria:
            in_framework = name.removeprefix("criteria_") in headlines[row["framework_code"]]
            assert row[name] in ({"Y", "N"} if in_framework else {""}), (name, row[name])
        assert row["gender"] in {"0", "1", "2", "9"}
        assert row["intervention_status"] in {
            "REFERRED", "ASSESSED", "NOT_ELIGIBLE", "INTERVENTION", "COMPARISON", "CLOSED"
        }  # fmt: skip
        assert row["support_intensity"] in {"", "LIGHT", "STANDARD", "INTENSIVE"}
        assert row["lead_professional_role"] in {"", "CASEWORKER", "TEAM_MANAGER", "DATA_OFFICER"}
        assert bool(row["support_end_date"]) == bool(row["support_end_reason"])
    # Unknown is empty: the demo data has members without each identifier or support.
    for name in ("nino", "upn", "uln", "nhs_number", "support_start_date", "support_end_date"):
        assert any(row[name] == "" for row in rows), name
        assert any(row[name] != "" for row in rows), name
    assert {row["eligible"] for row in rows} == {"Y", "N"}

    fpd = package.rows(FPD)
    for row in fpd:
        assert len(row) == len(FPD_COLUMNS)
        assert None not in row
        assert not NEVER_WRITTEN & set(row.values()), row
        assert DATE.fullmatch(row["period_start"])
        assert DATE.fullmatch(row["period_end"])
        assert row["period_start"] < row["period_end"] <= SNAPSHOT.isoformat()
        assert row["return_complete"] in {"Y", "N"}
        assert row["is_correction"] in {"Y", "N"}
        assert row["value"] != ""
    assert {row["return_complete"] for row in fpd} == {"Y", "N"}


def test_the_progress_file_holds_no_names_dates_of_birth_or_national_identifiers(
    demo: LocalAuthority, recipient: RecipientKey, ons: KeyPair
) -> None:
    package = ready_package(demo, ons)
    fpd = package.rows(FPD)
    assert [column.name for column in FPD_COLUMNS] == list(fpd[0])

    people = Individual.objects.for_authority(demo)
    personal = {
        value
        for fields in people.values_list(
            "forename", "surname", "other_names", "nino", "upn", "uln", "nhs_number", "pnc_number"
        )
        for value in fields
        if value
    }
    births = {born.isoformat() for born in people.values_list("date_of_birth", flat=True)}
    assert len(personal) > 500
    for row in fpd:
        assert not personal & set(row.values()), row
        assert not births & {row["la_individual_id"], row["value"]}, row
    known_ids = set(people.values_list("la_individual_id", flat=True)) | {""}
    assert {row["la_individual_id"] for row in fpd} <= known_ids


# --- Corrections -------------------------------------------------------------------------


def corrections(package: Package) -> dict[str, str]:
    return {row["measure_code"]: row["is_correction"] for row in package.rows(FPD)}


def test_a_correction_is_flagged_in_the_next_ready_package_and_then_cleared(
    authority: LocalAuthority, recipient: RecipientKey, ons: KeyPair, family: Family
) -> None:
    assess(family)
    corrected = progress_value(family, "HOMELESS", "yes", correction=True)
    progress_value(family, "ASB_INCIDENTS", "0", member=member(family, "I100002"))

    # A blocked build sends nothing, so the correction is still to send.
    Individual.objects.filter(la_individual_id="I100001").update(surname="")
    assert build_now(authority).status == SubmissionStatus.BLOCKED
    corrected.refresh_from_db()
    assert corrected.correction_pending
    Individual.objects.filter(la_individual_id="I100001").update(surname="Okafor")

    assert corrections(ready_package(authority, ons)) == {"HOMELESS": "Y", "ASB_INCIDENTS": "N"}
    corrected.refresh_from_db()
    assert not corrected.correction_pending

    assert corrections(ready_package(authority, ons)) == {"HOMELESS": "N", "ASB_INCIDENTS": "N"}


def test_only_periods_ended_by_the_snapshot_are_sent(
    authority: LocalAuthority, recipient: RecipientKey, ons: KeyPair, family: Family
) -> None:
    assess(family)
    progress_value(family, "HOMELESS", "no")
    later = Period.objects.filter(end_on__gt=SNAPSHOT).order_by("start_on").first()
    assert later is not None
    later_return = FamilyReturn.objects.create(family=family, period=later)
    ProgressValue.objects.create(
        family_return=later_return,
        measure=Measure.objects.filter(level=MeasureLevel.FAMILY).get(code="HOMELESS"),
        value="yes",
    )

    fpd = ready_package(authority, ons).rows(FPD)

    assert [(row["value"], row["period_end"] <= SNAPSHOT.isoformat()) for row in fpd] == [
        ("no", True)
    ]


@pytest.mark.django_db
def test_a_member_born_after_a_back_dated_snapshot_is_not_in_it(family: Family) -> None:
    from eligibility.models import Assessment, Framework
    from nis_export.extract import family_chunks

    Assessment.objects.create(
        family=family, framework=Framework.objects.get(code="2015-2020"), framework_version=1,
        screened_on=datetime.date(2020, 1, 1), eligible=False,
    )  # fmt: skip
    family.members.filter(forename="Tunde").update(date_of_birth=datetime.date(2021, 6, 1))
    (chunk,) = list(family_chunks(family.local_authority, datetime.date(2021, 1, 1)))
    (facts,) = chunk
    assert [member.forename for member in facts.members] == ["Sarah"]
    assert facts.objectors == 0


@pytest.mark.django_db
def test_a_supported_family_with_incomplete_progress_returns_is_warned(family: Family) -> None:
    from eligibility.models import Assessment, Framework, Intervention
    from nis_export.extract import family_chunks
    from nis_export.validation import issues_of
    from progress.models import FamilyReturn, Period, ReturnStatus

    Assessment.objects.create(
        family=family, framework=Framework.objects.get(code="2015-2020"), framework_version=1,
        screened_on=datetime.date(2023, 1, 10), eligible=True,
    )  # fmt: skip
    Intervention.objects.create(
        family=family, started_on=datetime.date(2023, 2, 1), ended_on=datetime.date(2024, 3, 31),
        intensity="STANDARD",
    )  # fmt: skip
    # Three periods of support: the first return is complete, the other two are not.
    FamilyReturn.objects.create(
        family=family, period=Period.objects.get(start_on=datetime.date(2022, 10, 1)),
        status=ReturnStatus.COMPLETE,
    )  # fmt: skip
    (chunk,) = list(family_chunks(family.local_authority, datetime.date(2024, 6, 1)))
    (facts,) = chunk
    assert [p.start_on for p in facts.progress_incomplete] == [
        datetime.date(2023, 4, 1), datetime.date(2023, 10, 1),
    ]  # fmt: skip
    (warning,) = [
        i for i in issues_of(facts, datetime.date(2024, 6, 1)) if i.code == "progress_incomplete"
    ]
    assert warning.severity == "warning"
    assert "2 period(s) of support" in warning.message
