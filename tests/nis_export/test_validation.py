"""Checking a submission before release: each error of the spec blocks the package (the
data officer sees it, named by LA IDs), each warning is recorded and does not block.

The rules are first read as a table over unsaved records, then each one is shown blocking
(or not) a real build. Two errors cannot be stored through the database's own guards (a
shared identifier, support ending before it starts): those builds drop the guard inside the
test's transaction, as a record loaded around it would be, and the rollback puts it back.
"""

import datetime
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection

from changing_lives.audit.actions import AuditAction
from changing_lives.audit.models import AuditEvent
from changing_lives.authorities.models import LocalAuthority
from eligibility.models import Assessment, Intervention, SupportIntensity
from families import identifiers
from families.models import Family, FamilyStatus, Individual
from nis_export import build
from nis_export.extract import FamilyFacts
from nis_export.models import IssueSeverity, RecipientKey, SubmissionStatus
from nis_export.validation import family_issues, member_issues, shared_identifier_issues
from tests.factories import FamilyFactory, IndividualFactory
from tests.nis_export.keys import KeyPair, make_key, remove
from tests.nis_export.test_build import SNAPSHOT, assess, build_now, recipient_key_add

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
ERROR, WARNING = IssueSeverity.ERROR, IssueSeverity.WARNING
TOO_OLD = SNAPSHOT.replace(year=SNAPSHOT.year - 110) - DAY
OLDEST = SNAPSHOT.replace(year=SNAPSHOT.year - 110)


def nhs_number(nine: str) -> str:
    return f"{nine}{identifiers.nhs_check_digit(nine)}"


def uln(nine: str) -> str:
    return f"{nine}{identifiers.uln_check_digit(nine)}"


def upn(twelve: str) -> str:
    return f"{identifiers.upn_check_letter(twelve)}{twelve}"


VALID_ULN = uln("123456789")
WRONG_CHECK_ULN = VALID_ULN[:9] + str((int(VALID_ULN[9]) + 1) % 10)
TEMPORARY_UPN = upn("80120000100A")
WRONG_CHECK_UPN = "A801200001001"  # H801200001001 with another check letter


@pytest.fixture(scope="module")
def ons() -> Iterator[KeyPair]:
    pair = make_key("ONS NIS validation test <nis@ons.example>")
    yield pair
    remove(pair)


@pytest.fixture
def recipient(ons: KeyPair) -> RecipientKey:
    return recipient_key_add(ons)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


# --- The rules, as a table ---------------------------------------------------------------


def facts_of(**family_fields: Any) -> FamilyFacts:
    authority = LocalAuthority(gss_code="E06000023", dfe_number="801")
    fields = {"la_family_id": "F1", "postcode": "BS1 4DJ", **family_fields}
    return FamilyFacts(Family(local_authority=authority, **fields))


def person(**fields: Any) -> Individual:
    values = {
        "la_individual_id": "I1",
        "forename": "Sarah",
        "surname": "Okafor",
        "date_of_birth": datetime.date(1985, 6, 15),
        "nino": "AB123456C",
        **fields,
    }
    return Individual(**values)


@pytest.mark.parametrize(
    ("member_fields", "family_fields", "expected"),
    [
        ({}, {}, set()),
        ({"forename": ""}, {}, {(ERROR, "missing_forename")}),
        ({"forename": "  "}, {}, {(ERROR, "missing_forename")}),
        ({"surname": ""}, {}, {(ERROR, "missing_surname")}),
        ({"date_of_birth": None}, {}, {(ERROR, "missing_date_of_birth")}),
        ({"date_of_birth": SNAPSHOT + DAY}, {}, {(ERROR, "date_of_birth_future")}),
        ({"date_of_birth": SNAPSHOT}, {}, set()),
        ({"date_of_birth": TOO_OLD}, {}, {(ERROR, "date_of_birth_too_old")}),
        ({"date_of_birth": OLDEST}, {}, set()),
        ({"nhs_number": "9434765918"}, {}, {(ERROR, "identifier_nhs_check_digit")}),
        ({"nhs_number": "9434765919"}, {}, set()),
        ({"nino": "AB1234567"}, {}, {(ERROR, "identifier_nino_format")}),
        ({"nino": "AB123456"}, {}, {(ERROR, "identifier_nino_suffix_missing")}),
        ({"upn": WRONG_CHECK_UPN}, {}, {(ERROR, "identifier_upn_check_letter")}),
        ({"uln": WRONG_CHECK_ULN}, {},
         {(ERROR, "identifier_uln_check_digit")}),
        ({"uln": VALID_ULN}, {}, set()),
        ({}, {"postcode": "BS1"}, {(ERROR, "identifier_postcode_format")}),
        ({"nino": ""}, {}, {(WARNING, "no_national_identifier")}),
        ({"nino": "", "upn": "H801200001001"}, {}, set()),
        ({"nino": "", "nhs_number": "9434765919"}, {}, set()),
        ({"upn": TEMPORARY_UPN}, {}, {(WARNING, "temporary_upn")}),
        ({}, {"postcode": ""}, {(WARNING, "postcode_missing")}),
        ({"postcode": "BS2 0JA"}, {"postcode": ""}, set()),
        # Their own address, without a postcode: the file has none for them.
        ({"address_line_1": "5 Other Road"}, {}, {(WARNING, "postcode_missing")}),
        ({"address_line_1": "5 Other Road", "postcode": "BS2"}, {},
         {(ERROR, "identifier_postcode_format")}),
        ({"forename": "", "nino": "", "date_of_birth": None}, {"postcode": ""},
         {(ERROR, "missing_forename"), (ERROR, "missing_date_of_birth"),
          (WARNING, "no_national_identifier"), (WARNING, "postcode_missing")}),
    ],
)  # fmt: skip
def test_the_member_rules(
    member_fields: dict[str, Any], family_fields: dict[str, Any], expected: set[tuple[str, str]]
) -> None:
    facts = facts_of(**family_fields)
    issues = list(member_issues(facts, person(**member_fields), SNAPSHOT))
    assert {(issue.severity, issue.code) for issue in issues} == expected
    for issue in issues:
        assert (issue.la_family_id, issue.la_individual_id) == ("F1", "I1")
        assert issue.family is facts.family
        assert "Okafor" not in issue.message
        assert "AB123" not in issue.message


def support(started_on: datetime.date, ended_on: datetime.date | None) -> Intervention:
    return Intervention(
        started_on=started_on, ended_on=ended_on, intensity=SupportIntensity.STANDARD
    )


@pytest.mark.parametrize(
    ("eligible", "override", "status", "intervention", "expected"),
    [
        (True, None, "intervention", support(SNAPSHOT - 9 * DAY, None), set()),
        (True, None, "comparison", None, set()),
        (True, None, "closed", support(SNAPSHOT - 9 * DAY, SNAPSHOT), set()),
        (True, None, "assessed", None, {"eligible_without_status"}),
        (True, None, "referred", None, {"eligible_without_status"}),
        (False, True, "assessed", None, {"eligible_without_status"}),
        (True, False, "assessed", None, set()),
        (False, None, "not_eligible", None, set()),
        (False, None, "assessed", None, set()),
        (True, None, "closed", support(SNAPSHOT - 9 * DAY, SNAPSHOT - 10 * DAY),
         {"support_end_before_start"}),
        (True, None, "closed", support(SNAPSHOT - 9 * DAY, SNAPSHOT - 9 * DAY), set()),
    ],
)  # fmt: skip
def test_the_family_rules(
    eligible: bool,
    override: bool | None,
    status: str,
    intervention: Intervention | None,
    expected: set[str],
) -> None:
    """Support ending before it starts cannot be saved (a check constraint): the rule is
    read here with an unsaved support period, as one loaded around the database would be."""
    facts = facts_of()
    facts.assessment = Assessment(eligible=eligible, override_eligible=override)
    facts.status = status
    facts.intervention = intervention
    issues = list(family_issues(facts))
    assert {issue.code for issue in issues} == expected
    assert all(issue.severity == ERROR and issue.la_family_id == "F1" for issue in issues)


# --- Errors block the build --------------------------------------------------------------


def drop_guard(sql: str) -> None:
    """Drop one of the database's own guards for this test only: the test's transaction is
    rolled back at its end, and the DDL with it."""
    with connection.cursor() as cursor:
        cursor.execute(sql)


def update_member(la_individual_id: str, **fields: Any) -> None:
    # A queryset update skips the forms' and models' rules, as a bulk load would.
    Individual.objects.filter(la_individual_id=la_individual_id).update(**fields)


def share_nhs_number(family: Family) -> None:
    drop_guard('DROP INDEX "nhs_number_unique_in_authority"')
    update_member("I100002", nhs_number="9434765919")  # Sarah's


def share_upn(family: Family) -> None:
    drop_guard('DROP INDEX "upn_unique_in_authority"')
    update_member("I100001", upn="H801200001001")  # Tunde's


def end_support_before_it_starts(family: Family) -> None:
    drop_guard(
        'ALTER TABLE eligibility_intervention DROP CONSTRAINT "support_ends_after_it_starts"'
    )
    Intervention.objects.create(
        family=family,
        started_on=SNAPSHOT - 10 * DAY,
        ended_on=SNAPSHOT - 20 * DAY,
        intensity=SupportIntensity.LIGHT,
    )


BOTH = ["I100001", "I100002"]
SPOILERS: list[tuple[str, Callable[[Family], object], str, list[str]]] = [
    ("missing_forename", lambda f: update_member("I100001", forename=""), "missing_forename",
     ["I100001"]),
    ("missing_surname", lambda f: update_member("I100002", surname=""), "missing_surname",
     ["I100002"]),
    ("born_in_the_future", lambda f: update_member(
        "I100002", date_of_birth=datetime.date.today() + DAY), "date_of_birth_future",
     ["I100002"]),
    ("born_over_110_years_ago", lambda f: update_member("I100001", date_of_birth=TOO_OLD),
     "date_of_birth_too_old", ["I100001"]),
    ("nhs_number_check", lambda f: update_member("I100001", nhs_number="9434765918"),
     "identifier_nhs_check_digit", ["I100001"]),
    ("nino_check", lambda f: update_member("I100001", nino="AB123456Z"), "identifier_nino_suffix",
     ["I100001"]),
    ("upn_check", lambda f: update_member("I100002", upn=WRONG_CHECK_UPN),
     "identifier_upn_check_letter", ["I100002"]),
    ("uln_check", lambda f: update_member("I100002", uln=WRONG_CHECK_ULN),
     "identifier_uln_check_digit", ["I100002"]),
    ("postcode", lambda f: Family.objects.filter(pk=f.pk).update(postcode="BS1 4"),
     "identifier_postcode_format", BOTH),
    ("shared_nhs_number", share_nhs_number, "shared_nhs_number", BOTH),
    ("shared_upn", share_upn, "shared_upn", BOTH),
    ("support_end_before_start", end_support_before_it_starts, "support_end_before_start", [""]),
    ("eligible_without_status",
     lambda f: Family.objects.filter(pk=f.pk).update(status=FamilyStatus.ASSESSED),
     "eligible_without_status", [""]),
]  # fmt: skip


def test_the_clean_family_builds_without_any_issue(
    authority: LocalAuthority, recipient: RecipientKey, family: Family
) -> None:
    assess(family)
    submission = build_now(authority)
    assert submission.status == SubmissionStatus.READY
    assert not submission.issues.exists()


@pytest.mark.parametrize(
    ("spoil", "code", "individuals"),
    [
        pytest.param(spoil, code, individuals, id=name)
        for name, spoil, code, individuals in SPOILERS
    ],
)
def test_each_error_blocks_the_package_and_is_reported_by_la_ids(
    authority: LocalAuthority,
    recipient: RecipientKey,
    family: Family,
    spoil: Callable[[Family], object],
    code: str,
    individuals: list[str],
) -> None:
    assess(family)
    spoil(family)

    submission = build_now(authority)

    assert submission.status == SubmissionStatus.BLOCKED
    assert not submission.is_downloadable
    assert (submission.package_name, submission.package_sha256, submission.failure_reason) == (
        "",
        "",
        "",
    )
    assert not build.package_folder(submission).exists()  # its ciphertext deleted
    errors = submission.issues.filter(severity=ERROR)
    assert sorted(errors.values_list("code", "la_family_id", "la_individual_id")) == [
        (code, "F100001", individual) for individual in individuals
    ]
    assert all(issue.family == family for issue in errors)
    assert submission.manifest["files"]["nis_individuals.csv"]["rows"] == 2
    assert AuditEvent.objects.filter(action=AuditAction.NIS_BLOCKED.value).count() == 1
    assert not AuditEvent.objects.filter(action=AuditAction.NIS_BUILT.value).exists()


# --- Warnings do not ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "code", "individuals"),
    [
        (lambda f: update_member("I100001", nino="", nhs_number=""), "no_national_identifier",
         ["I100001"]),
        (lambda f: update_member("I100002", upn=TEMPORARY_UPN), "temporary_upn", ["I100002"]),
        (lambda f: Family.objects.filter(pk=f.pk).update(postcode=""), "postcode_missing", BOTH),
        (lambda f: update_member("I100002", address_line_1="5 Other Road"), "postcode_missing",
         ["I100002"]),
    ],
    ids=["no_national_identifier", "temporary_upn", "postcode_missing", "own_address_no_postcode"],
)  # fmt: skip
def test_each_warning_is_recorded_and_the_package_is_still_released(
    authority: LocalAuthority,
    recipient: RecipientKey,
    family: Family,
    change: Callable[[Family], object],
    code: str,
    individuals: list[str],
) -> None:
    assess(family)
    change(family)

    submission = build_now(authority)

    assert submission.status == SubmissionStatus.READY
    assert submission.is_downloadable
    assert sorted(submission.issues.values_list("severity", "code", "la_individual_id")) == [
        (WARNING, code, individual) for individual in individuals
    ]


# --- Shared identifiers ------------------------------------------------------------------


def test_an_identifier_shared_within_the_authority_is_reported_for_each_holder_in_the_extract(
    authority: LocalAuthority, other_authority: LocalAuthority, family: Family
) -> None:
    """The database refuses two holders in one authority (a partial unique index): it is
    dropped here, as for a record loaded around it, and restored by the rollback."""
    drop_guard('DROP INDEX "nino_unique_in_authority"')
    assess(family)
    # One holder in a family not assessed (outside the extract), one in another authority.
    elsewhere = FamilyFactory.create(local_authority=authority, la_family_id="F200001")
    IndividualFactory.create(family=elsewhere, la_individual_id="I200001", nino="AB123456C")
    other = FamilyFactory.create(local_authority=other_authority, la_family_id="F300001")
    IndividualFactory.create(family=other, la_individual_id="I300001", nhs_number="9434765919")
    assess(other)

    extract = Family.objects.filter(pk=family.pk)
    issues = list(shared_identifier_issues(authority, extract))

    assert [(i.code, i.la_family_id, i.la_individual_id) for i in issues] == [
        ("shared_nino", "F100001", "I100001")
    ]
    assert issues[0].severity == ERROR
    assert "AB123456C" not in issues[0].message
    # Another authority's person may hold the same NHS number: it is theirs to check.
    assert not list(shared_identifier_issues(other_authority, Family.objects.filter(pk=other.pk)))
