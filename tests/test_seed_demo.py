"""Demo families (seed_demo): the same seed gives the same data, a re-run adds nothing, and
nothing stored breaks a rule the product enforces on what users type, nor a decision or
status move the eligibility rules would not make."""

import datetime
import itertools
from collections import Counter
from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Max, QuerySet
from django.test import override_settings
from django.utils import timezone
from faker import Faker
from hypothesis import given
from hypothesis import strategies as st

from changing_lives.accounts.models import User
from changing_lives.accounts.roles import Role
from changing_lives.authorities.models import LocalAuthority
from changing_lives.demo.families import load_progress
from changing_lives.demo.families.frameworks import framework_catalogue, framework_code_on
from changing_lives.demo.families.generate import demo_family_generate
from changing_lives.demo.families.identifiers import (
    demo_nhs_number,
    demo_nino,
    demo_uln,
    demo_upn,
)
from changing_lives.demo.families.load import demo_families_seed
from changing_lives.demo.families.progress_catalogue import progress_catalogue
from changing_lives.demo.families.records import (
    MAX_FAMILY_NUMBER,
    MAX_MEMBERS,
    DemoFamily,
    ProgressRows,
    SeedResult,
)
from eligibility import rules
from eligibility.models import (
    Assessment,
    CriterionMet,
    EndReason,
    EvidenceSource,
    Intervention,
    StatusChange,
    SupportIntensity,
)
from eligibility.services import member_facts, rules_for
from eligibility.status import Move, next_status
from families.identifiers import (
    clean_nhs_number,
    clean_nino,
    clean_postcode,
    clean_uln,
    clean_upn,
    is_temporary_upn,
)
from families.la_ids import ReferenceKind, reference_retire
from families.models import (
    DfeLaNumber,
    Family,
    FamilyHistoryEntry,
    FamilyStatus,
    Individual,
    Relationship,
)
from families.validation import OLDEST_AGE_YEARS
from progress.due import measures_asked, questions_for, supported_during
from progress.models import FamilyReturn, Measure, Period, ProgressValue, ReturnStatus
from progress.services import key_of, spec_of
from progress.values import UNKNOWN, clean_value, display_value
from tests.factories import IndividualFactory

TODAY = datetime.date(2025, 6, 30)
FIRST_REFERRAL = datetime.date(2015, 4, 1)

FAMILY_FIELDS = (
    "public_id",
    "la_family_id",
    "lead_professional__username",
    "address_line_1",
    "address_line_2",
    "address_line_3",
    "town",
    "postcode",
    "uprn",
    "referred_on",
    "case_opened_on",
    "case_closed_on",
    "status",
    "notes",
)
MEMBER_FIELDS = (
    "public_id",
    "family__la_family_id",
    "la_individual_id",
    "forename",
    "other_names",
    "surname",
    "search_name",
    "date_of_birth",
    "gender",
    "relationship",
    "lives_in_household",
    "expectant_parent",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "uprn",
    "nhs_number",
    "nino",
    "upn",
    "uln",
    "school_urn",
)

ASSESSMENT_FIELDS = (
    "public_id",
    "family__la_family_id",
    "framework__code",
    "framework_version",
    "screened_on",
    "assessed_by__username",
    "eligible",
    "headlines_counted",
    "reasons",
    "override_eligible",
    "override_reason",
    "overridden_by__username",
    "overridden_at",
)
CRITERION_FIELDS = (
    "assessment__public_id",
    "individual__la_individual_id",
    "headline__code",
    "indicator__code",
    "evidence_note",
    "evidence_on",
    "evidence_source",
)
INTERVENTION_FIELDS = (
    "family__la_family_id",
    "started_on",
    "intensity",
    "lead_professional__username",
    "ended_on",
    "end_reason",
)
STATUS_CHANGE_FIELDS = (
    "family__la_family_id",
    "from_status",
    "to_status",
    "move",
    "changed_by",
    "effective_on",
)
RETURN_FIELDS = (
    "family__la_family_id",
    "period__start_on",
    "status",
    "completed_at",
    "completed_by",
)
VALUE_FIELDS = (
    "family_return__family__la_family_id",
    "family_return__period__start_on",
    "measure__code",
    "individual__la_individual_id",
    "value",
    "recorded_by",
    "correction_pending",
)


def dump(authority: LocalAuthority) -> dict[str, list[dict[str, Any]]]:
    """What the authority holds, without database ids and timestamps."""
    return {
        "families": list(
            Family.objects.for_authority(authority).order_by("la_family_id").values(*FAMILY_FIELDS)
        ),
        "members": list(
            Individual.objects.for_authority(authority)
            .order_by("la_individual_id")
            .values(*MEMBER_FIELDS)
        ),
        "history": list(
            FamilyHistoryEntry.objects.filter(family__local_authority=authority)
            .order_by("family__la_family_id")
            .values("family__la_family_id", "action", "actor", "subject_id", "note")
        ),
        "assessments": list(
            Assessment.objects.for_authority(authority)
            .order_by("family__la_family_id")
            .values(*ASSESSMENT_FIELDS)
        ),
        "criteria": list(
            CriterionMet.objects.filter(assessment__family__local_authority=authority)
            .order_by("individual__la_individual_id", "headline__framework", "headline__order")
            .values(*CRITERION_FIELDS)
        ),
        "interventions": list(
            Intervention.objects.filter(family__local_authority=authority)
            .order_by("family__la_family_id", "started_on")
            .values(*INTERVENTION_FIELDS)
        ),
        "status_changes": list(
            StatusChange.objects.filter(family__local_authority=authority)
            .order_by("family__la_family_id", "effective_on", "id")
            .values(*STATUS_CHANGE_FIELDS)
        ),
        "returns": list(
            FamilyReturn.objects.for_authority(authority)
            .order_by("family__la_family_id", "period__start_on")
            .values(*RETURN_FIELDS)
        ),
        "values": list(
            ProgressValue.objects.filter(family_return__family__local_authority=authority)
            .order_by(*VALUE_FIELDS[:4])
            .values(*VALUE_FIELDS)
        ),
    }


def seed(authority: LocalAuthority, families: int, *, seed: int = 7) -> SeedResult:
    return demo_families_seed(authority=authority, families=families, seed=seed, today=TODAY)


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("seed_demo", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def seeded(authority: LocalAuthority) -> LocalAuthority:
    """A few hundred families: enough for every kind of gap to show up."""
    seed(authority, 300)
    return authority


@pytest.mark.django_db
def test_the_same_seed_generates_the_same_families_and_another_seed_others() -> None:
    rules_by_code = framework_catalogue().rules
    progress = progress_catalogue()

    def families(seed: int) -> list[DemoFamily]:
        fake = Faker("en_GB")
        return [
            demo_family_generate(
                seed=seed,
                authority_code="E06000023",
                number=number,
                dfe_number="801",
                today=TODAY,
                fake=fake,
                rules_by_code=rules_by_code,
                progress=progress,
            )
            for number in range(1, 51)
        ]

    first = families(1)
    assert first == families(1)
    assert [f.programme for f in first] != [f.programme for f in families(2)]
    assert any(f.progress for f in first)


@pytest.mark.django_db
def test_loading_the_same_seed_again_stores_the_same_data(seeded: LocalAuthority) -> None:
    first = dump(seeded)
    Family.objects.for_authority(seeded).delete()
    seed(seeded, 300)
    assert dump(seeded) == first
    assert len(first["families"]) == len(first["history"]) == 300
    assert first["assessments"]
    assert first["criteria"]
    assert first["interventions"]
    assert first["status_changes"]
    assert first["returns"]
    assert first["values"]


@pytest.mark.django_db
def test_a_family_is_the_same_whatever_number_of_families_is_asked_for(
    authority: LocalAuthority,
) -> None:
    seed(authority, 120)
    at_once = dump(authority)
    Family.objects.for_authority(authority).delete()
    seed(authority, 50)
    seed(authority, 120)
    assert dump(authority) == at_once


@pytest.mark.django_db
def test_a_second_run_creates_nothing(authority: LocalAuthority) -> None:
    first = seed(authority, 80)
    before = dump(authority)
    second = seed(authority, 80)
    assert (first.families_created, second.families_created) == (80, 0)
    assert second.members_created == 0
    assert first.progress_created.values > first.progress_created.returns > 0
    assert second.progress_created == ProgressRows()
    assert first.demo_families == second.demo_families == 80
    assert first.demo_returns == second.demo_returns
    assert first.demo_returns.total() == first.progress_created.returns
    assert dump(authority) == before


@pytest.mark.django_db
def test_another_seed_adds_families_without_clashing_with_those_held(
    authority: LocalAuthority,
) -> None:
    seed(authority, 40, seed=1)
    held = dump(authority)["families"]
    result = seed(authority, 90, seed=2)
    assert result.families_created == 50
    assert dump(authority)["families"][:40] == held


@pytest.mark.django_db
def test_two_authorities_seeded_alike_get_different_families(
    authority: LocalAuthority, other_authority: LocalAuthority
) -> None:
    seed(authority, 30)
    seed(other_authority, 30)
    ours, theirs = dump(authority)["members"], dump(other_authority)["members"]
    assert {m["public_id"] for m in ours}.isdisjoint(m["public_id"] for m in theirs)
    assert [m["search_name"] for m in ours] != [m["search_name"] for m in theirs]


@pytest.mark.django_db
def test_every_stored_identifier_is_valid_and_unique_in_the_authority(
    seeded: LocalAuthority,
) -> None:
    known = set(DfeLaNumber.objects.values_list("code", flat=True))
    cleaners: dict[str, Callable[[str], str]] = {
        "nhs_number": clean_nhs_number,
        "nino": clean_nino,
        "upn": lambda value: clean_upn(value, known_la_numbers=known),
        "uln": clean_uln,
        "postcode": clean_postcode,
    }
    members = list(Individual.objects.for_authority(seeded))
    for member in members:
        member.clean_fields()  # names, dates of birth, UPRN, school URN, choices, lengths
        for name, clean in cleaners.items():
            value = getattr(member, name)
            assert clean(value) == value, (member.la_individual_id, name)
        assert member.upn[1:4] in ("", seeded.dfe_number)
    for name in ("nhs_number", "nino", "upn", "uln"):
        values = [getattr(member, name) for member in members if getattr(member, name)]
        assert len(values) == len(set(values)), name
    for family in Family.objects.for_authority(seeded):
        family.full_clean()
        assert clean_postcode(family.postcode) == family.postcode


@pytest.mark.django_db
def test_dates_are_in_order_and_births_are_spaced_as_in_life(seeded: LocalAuthority) -> None:
    oldest = datetime.date.today() - datetime.timedelta(days=OLDEST_AGE_YEARS * 365)
    for family in Family.objects.for_authority(seeded).prefetch_related("members"):
        assert FIRST_REFERRAL <= family.referred_on <= TODAY
        if family.case_opened_on:
            assert family.referred_on <= family.case_opened_on <= TODAY
        if family.case_closed_on:
            assert family.case_opened_on
            assert family.case_opened_on <= family.case_closed_on <= TODAY
        members = list(family.members.all())
        for member in members:
            assert oldest < member.date_of_birth <= family.referred_on
        (carer,) = [m for m in members if m.relationship == Relationship.MAIN_CARER]
        births = sorted(m.date_of_birth for m in members if m.relationship == Relationship.CHILD)
        if births:
            assert (births[0] - carer.date_of_birth).days > 15 * 365
        assert all((later - earlier).days >= 300 for earlier, later in itertools.pairwise(births))


@pytest.mark.django_db
def test_families_look_like_real_households_with_the_gaps_real_records_have(
    seeded: LocalAuthority,
) -> None:
    families = list(Family.objects.for_authority(seeded).prefetch_related("members"))
    sizes = Counter(len(family.members.all()) for family in families)
    assert set(sizes) <= set(range(1, MAX_MEMBERS + 1))
    assert sizes[3] + sizes[4] + sizes[5] > len(families) / 2
    for family in families:
        relationships = [member.relationship for member in family.members.all()]
        assert relationships.count(Relationship.MAIN_CARER) == 1
    members = [member for family in families for member in family.members.all()]
    identifiers = ("nhs_number", "nino", "upn", "uln")
    assert any(not any(getattr(m, name) for name in identifiers) for m in members)
    assert any(is_temporary_upn(m.upn) for m in members)
    assert any(m.upn and not is_temporary_upn(m.upn) for m in members)
    assert any(not family.postcode for family in families)
    assert any(m.expectant_parent for m in members)
    away = [m for m in members if not m.lives_in_household]
    assert away
    assert all(m.relationship == Relationship.NON_RESIDENT_PARENT and m.town for m in away)
    assert {m.gender for m in members} >= {"male", "female", "not_known"}
    assert any(family.notes for family in families)
    assert any(not family.case_opened_on for family in families)
    assert any(family.case_closed_on for family in families)


@pytest.mark.django_db
def test_open_cases_are_led_by_the_authoritys_caseworker(
    authority: LocalAuthority, make_user: Callable[..., User]
) -> None:
    caseworker = make_user(Role.CASEWORKER)
    make_user(Role.DATA_OFFICER)
    seed(authority, 40)
    for family in Family.objects.for_authority(authority):
        assert family.lead_professional == (caseworker if family.case_opened_on else None)
    interventions = Intervention.objects.filter(family__local_authority=authority)
    assert interventions
    assert all(i.lead_professional == caseworker for i in interventions)
    assessments = Assessment.objects.for_authority(authority)
    assert all(a.assessed_by == caseworker for a in assessments)


@pytest.mark.django_db
def test_overrides_are_the_team_managers_and_flip_the_decision_on_the_screening_day(
    authority: LocalAuthority, make_user: Callable[..., User]
) -> None:
    manager = make_user(Role.TEAM_MANAGER)
    make_user(Role.CASEWORKER)
    seed(authority, 600)
    overridden = list(
        Assessment.objects.for_authority(authority).filter(override_eligible__isnull=False)
    )
    assert overridden
    for assessment in overridden:
        assert assessment.override_eligible is not assessment.eligible
        assert assessment.override_reason
        assert assessment.overridden_by == manager
        assert assessment.overridden_at is not None
        assert timezone.localtime(assessment.overridden_at).date() == assessment.screened_on
        # Made while the family awaited a decision: no move came before it.
        moves = StatusChange.objects.filter(family=assessment.family_id)
        assert all(m.effective_on >= assessment.screened_on for m in moves)


@pytest.mark.django_db
def test_an_identifier_typed_by_hand_is_left_blank_rather_than_shared(
    authority: LocalAuthority,
) -> None:
    seed(authority, 1)
    first_member = Individual.objects.get(la_individual_id="DEMO-I000001-1")
    nhs_number = first_member.nhs_number
    assert nhs_number
    Family.objects.for_authority(authority).delete()
    IndividualFactory.create(
        family__local_authority=authority, la_individual_id="I000001", nhs_number=nhs_number
    )
    seed(authority, 1)
    assert Individual.objects.get(la_individual_id="DEMO-I000001-1").nhs_number == ""


@pytest.mark.django_db
def test_a_retired_family_id_is_not_used_again(authority: LocalAuthority) -> None:
    reference_retire(authority=authority, kind=ReferenceKind.FAMILY, value="DEMO-F000002")
    result = seed(authority, 3)
    assert result.families_created == 2
    assert list(
        Family.objects.for_authority(authority)
        .order_by("la_family_id")
        .values_list("la_family_id", flat=True)
    ) == ["DEMO-F000001", "DEMO-F000003"]


@pytest.mark.django_db
def test_every_stored_decision_is_what_the_rules_decide_from_the_stored_criteria(
    seeded: LocalAuthority,
) -> None:
    assessments = (
        Assessment.objects.for_authority(seeded)
        .select_related("family", "framework")
        .prefetch_related(
            "family__members", "criteria__individual", "criteria__headline", "criteria__indicator"
        )
    )
    rules_by_framework: dict[int, rules.FrameworkRules] = {}
    for assessment in assessments:
        framework = assessment.framework
        if framework.pk not in rules_by_framework:
            rules_by_framework[framework.pk] = rules_for(framework)
        criteria = list(assessment.criteria.all())
        decision = rules.decide(
            rules=rules_by_framework[framework.pk],
            members=[member_facts(member) for member in assessment.family.members.all()],
            criteria=[
                rules.CriterionFacts(
                    member_key=str(c.individual.public_id), headline_code=c.headline.code
                )
                for c in criteria
            ],
            screened_on=assessment.screened_on,
        )
        assert assessment.eligible == decision.eligible
        assert assessment.headlines_counted == list(decision.headlines_counted)
        assert assessment.reasons == list(decision.reasons)
        assert assessment.framework_version == decision.framework_version
        assert framework.code == framework_code_on(assessment.screened_on)
        assert assessment.family.referred_on <= assessment.screened_on
        assert criteria, "a screening records at least one criterion"
        for criterion in criteria:
            assert criterion.individual.family_id == assessment.family_id
            assert criterion.headline.framework_id == framework.pk
            assert criterion.indicator.headline_id == criterion.headline_id
            assert criterion.individual.date_of_birth <= criterion.evidence_on
            assert criterion.evidence_on <= assessment.screened_on
            assert criterion.evidence_source in EvidenceSource.values


def effective_eligibility_on(assessments: list[Assessment], day: datetime.date) -> bool | None:
    """The effective decision of the latest assessment screened by `day`, as the status
    service would take it."""
    made = [a for a in assessments if a.screened_on <= day]
    return made[-1].effective_eligible if made else None


@pytest.mark.django_db
def test_every_status_history_is_one_the_state_machine_allows_and_ends_at_the_status(
    seeded: LocalAuthority,
) -> None:
    families = Family.objects.for_authority(seeded).prefetch_related(
        "assessments", "interventions", "status_changes"
    )
    for family in families:
        assessments = sorted(family.assessments.all(), key=lambda a: (a.screened_on, a.pk))
        changes = sorted(family.status_changes.all(), key=lambda c: (c.effective_on, c.pk))
        status = FamilyStatus.REFERRED.value
        for change in changes:
            eligible = effective_eligibility_on(assessments, change.effective_on)
            assert change.from_status == status, family
            status = next_status(current=status, move=Move(change.move), eligible=eligible)
            assert change.to_status == status, family
            assert change.changed_by is None
            assert family.referred_on <= change.effective_on <= TODAY
        assert status == family.status, family

        interventions = sorted(family.interventions.all(), key=lambda i: i.started_on)
        for intervention in interventions:
            assert assessments[0].screened_on <= intervention.started_on <= TODAY
            if intervention.ended_on:
                assert intervention.started_on <= intervention.ended_on <= TODAY
                assert intervention.end_reason in EndReason.values
            assert intervention.intensity in SupportIntensity.values
        starts = [c.effective_on for c in changes if c.move == Move.START_SUPPORT]
        assert starts == [i.started_on for i in interventions], family
        assert family.case_opened_on == (interventions[0].started_on if interventions else None)
        if family.status == FamilyStatus.CLOSED:
            assert family.case_closed_on == interventions[-1].ended_on
            assert family.case_closed_on is not None
        else:
            assert family.case_closed_on is None
        if family.status == FamilyStatus.INTERVENTION:
            assert interventions[-1].ended_on is None


@pytest.mark.django_db
def test_both_decisions_and_every_status_appear_in_a_few_hundred_families(
    seeded: LocalAuthority,
) -> None:
    assessments = Assessment.objects.for_authority(seeded)
    eligible = assessments.filter(eligible=True).count()
    assert 0.8 * 300 <= assessments.count() <= 0.95 * 300
    assert 0.7 < eligible / assessments.count() < 0.9
    statuses = Counter(Family.objects.for_authority(seeded).values_list("status", flat=True))
    assert set(statuses) == set(FamilyStatus.values), statuses
    assert {a.framework.code for a in assessments.select_related("framework")} == {
        "2015-2020",
        "2022-2025",
    }
    reasons = set(
        Intervention.objects.filter(family__local_authority=seeded).values_list(
            "end_reason", flat=True
        )
    )
    assert EndReason.OUTCOMES_ACHIEVED in reasons
    assert len(reasons) > 2


@pytest.mark.django_db
def test_no_demo_date_is_after_the_day_it_was_loaded(authority: LocalAuthority) -> None:
    today = datetime.date(2022, 5, 10)
    demo_families_seed(authority=authority, families=200, seed=5, today=today)
    families = Family.objects.for_authority(authority)
    assessments = Assessment.objects.for_authority(authority)
    interventions = Intervention.objects.filter(family__local_authority=authority)
    dated: list[tuple[QuerySet[Any], str]] = [
        (families, "referred_on"),
        (families, "case_opened_on"),
        (families, "case_closed_on"),
        (assessments, "screened_on"),
        (CriterionMet.objects.filter(assessment__family__local_authority=authority), "evidence_on"),
        (StatusChange.objects.filter(family__local_authority=authority), "effective_on"),
        (interventions, "started_on"),
        (interventions, "ended_on"),
    ]
    latest = {field: rows.aggregate(latest=Max(field))["latest"] for rows, field in dated}
    assert all(day is not None and day <= today for day in latest.values()), latest
    overridden = assessments.aggregate(latest=Max("overridden_at"))["latest"]
    assert overridden is None or timezone.localtime(overridden).date() <= today


# --- Progress returns ----------------------------------------------------------------------


def returns_due(authority: LocalAuthority, today: datetime.date) -> dict[tuple[int, int], Period]:
    """Every (family id, period id) a return is due for by `today`, by the product's rule."""
    return {
        (family_id, period.pk): period
        for period in Period.objects.filter(end_on__lt=today)
        for family_id in Family.objects.for_authority(authority)
        .filter(supported_during(period))
        .values_list("pk", flat=True)
    }


def returns_held(authority: LocalAuthority) -> dict[tuple[int, int], FamilyReturn]:
    returns = FamilyReturn.objects.for_authority(authority)
    return {(r.family_id, r.period_id): r for r in returns}


@pytest.mark.django_db
def test_every_stored_progress_value_passes_its_measures_rule(seeded: LocalAuthority) -> None:
    values = ProgressValue.objects.filter(family_return__family__local_authority=seeded)
    assert values.count() > 1000
    for value in values.select_related("measure"):
        spec = spec_of(value.measure)
        # As a user would type it (money in pounds), it is stored as it is.
        typed = display_value(spec, value.value)
        assert clean_value(spec, typed, whose="the family") == value.value, value


@pytest.mark.django_db
def test_returns_are_only_for_periods_of_support_that_ended_before_the_day_of_loading(
    seeded: LocalAuthority,
) -> None:
    held = returns_held(seeded)
    assert held
    assert set(held) <= set(returns_due(seeded, TODAY))
    assert not Period.objects.filter(end_on__lt=TODAY, due_on__gte=TODAY).exists()


@pytest.mark.django_db
def test_a_complete_return_answers_every_question_and_one_in_progress_only_some(
    seeded: LocalAuthority,
) -> None:
    measures = {period.pk: measures_asked(period) for period in Period.objects.all()}
    returns = (
        FamilyReturn.objects.for_authority(seeded)
        .select_related("period", "family")
        .prefetch_related("family__members", "values")
    )
    for family_return in returns:
        questions = questions_for(
            family_return.family, family_return.period, measures[family_return.period_id]
        )
        asked = {key_of(question) for question in questions}
        held = [(v.measure_id, v.individual_id) for v in family_return.values.all()]
        assert len(held) == len(set(held))
        if family_return.status == ReturnStatus.COMPLETE:
            assert set(held) == asked, family_return
        else:
            assert set(held) < asked, family_return
            assert held, "a return starts when its first value is saved"


@pytest.mark.django_db
def test_past_their_due_date_most_returns_are_complete_some_in_progress_a_few_missing(
    seeded: LocalAuthority,
) -> None:
    due = returns_due(seeded, TODAY)
    held = returns_held(seeded)
    statuses = Counter(held[pair].status if pair in held else "missing" for pair in due)
    assert 0.8 < statuses[ReturnStatus.COMPLETE] / len(due) < 0.95, statuses
    assert 0.02 < statuses[ReturnStatus.IN_PROGRESS] / len(due) < 0.15, statuses
    assert 0.005 < statuses["missing"] / len(due) < 0.1, statuses
    for family_return in held.values():
        if family_return.status == ReturnStatus.COMPLETE:
            assert family_return.completed_at is not None
            completed_on = timezone.localtime(family_return.completed_at).date()
            assert due[family_return.family_id, family_return.period_id].end_on < completed_on
            assert completed_on <= TODAY
        else:
            assert family_return.completed_at is None
        assert family_return.completed_by is None


@pytest.mark.django_db
def test_the_period_being_collected_is_mostly_still_to_do(authority: LocalAuthority) -> None:
    today = datetime.date(2024, 10, 20)  # April to September 2024 is due by 30 October
    demo_families_seed(authority=authority, families=400, seed=3, today=today)
    (being_collected,) = Period.objects.filter(end_on__lt=today, due_on__gte=today)
    due = [
        pair for pair, period in returns_due(authority, today).items() if period == being_collected
    ]
    held = returns_held(authority)
    statuses = Counter(held[pair].status if pair in held else "missing" for pair in due)
    assert statuses[ReturnStatus.COMPLETE] < len(due) / 2, statuses
    assert statuses[ReturnStatus.IN_PROGRESS], statuses
    assert statuses["missing"], statuses
    completed = FamilyReturn.objects.for_authority(authority).aggregate(latest=Max("completed_at"))[
        "latest"
    ]
    assert timezone.localtime(completed).date() <= today


@pytest.mark.django_db
def test_values_stored_without_postgresqls_copy_are_the_same(
    authority: LocalAuthority, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PostgreSQL stores values by COPY; every other database (the quick start's SQLite)
    # by bulk_create, which this exercises on PostgreSQL.
    seed(authority, 60)
    by_copy = dump(authority)
    Family.objects.for_authority(authority).delete()
    monkeypatch.setattr(load_progress, "COPY_VENDORS", frozenset())
    seed(authority, 60)
    assert dump(authority) == by_copy
    assert by_copy["values"]


@pytest.mark.django_db
def test_progress_values_read_like_real_families_with_a_few_unknown_and_corrected(
    seeded: LocalAuthority,
) -> None:
    rows = list(
        ProgressValue.objects.filter(family_return__family__local_authority=seeded).values_list(
            "measure__code", "value", "correction_pending", "family_return__status"
        )
    )
    by_measure: dict[str, Counter[str]] = {}
    for code, value, _, _ in rows:
        by_measure.setdefault(code, Counter())[value] += 1
    assert set(by_measure) == set(Measure.objects.values_list("code", flat=True))
    unknown = sum(counts[UNKNOWN] for counts in by_measure.values())
    assert 0.015 < unknown / len(rows) < 0.05
    for code in ("HOMELESS", "EVICTION_RISK"):
        assert by_measure[code]["no"] > 5 * by_measure[code]["yes"] > 0, code
    for code in ("WORKLESS_HOUSEHOLD", "NEET"):
        assert {"yes", "no"} <= set(by_measure[code]), code
    for code in ("ASB_INCIDENTS", "OFFENCES", "MISSING_EPISODES", "DA_INCIDENTS"):
        counts = by_measure[code]
        assert counts["0"] > sum(counts.values()) / 2, code
        assert any(value not in ("0", UNKNOWN) for value in counts), code
    for code in ("RENT_ARREARS", "DEBT_LEVEL"):
        pence = [int(v) for v in by_measure[code].elements() if v != UNKNOWN]
        assert 0 in pence, code
        assert any(10_000 <= amount <= 1_000_000 for amount in pence), code  # £100 to £10,000
    care = by_measure["CHILD_STATUS"]
    assert set(care) - {UNKNOWN} == {"NONE", "CIN", "CPP", "LAC"}
    assert care["NONE"] > sum(care.values()) / 2
    attendance = [float(v) for v in by_measure["SCHOOL_ATTENDANCE"].elements() if v != UNKNOWN]
    assert all(60 <= percent <= 100 for percent in attendance)
    assert sum(percent >= 90 for percent in attendance) > len(attendance) / 2
    corrected = [status for _, _, correction, status in rows if correction]
    assert 0 < len(corrected) < len(rows) / 50
    assert set(corrected) == {ReturnStatus.COMPLETE}


member_numbers = st.tuples(st.integers(1, MAX_FAMILY_NUMBER), st.integers(1, MAX_MEMBERS)).map(
    lambda pair: pair[0] * 10 + pair[1]
)


def upn_without_check_letter_and_year(upn: str) -> str:
    return upn[1:8] + upn[10:]


@given(a=member_numbers, b=member_numbers, temporary=st.booleans())
def test_two_members_never_share_an_identifier_whatever_the_seed(
    a: int, b: int, temporary: bool
) -> None:
    # What the seed chooses (a NINO's suffix, a UPN's year, and so its check letter) is
    # left out: the rest alone must tell members apart.
    made: dict[str, Callable[[int], str]] = {
        "nhs_number": demo_nhs_number,
        "uln": demo_uln,
        "nino": lambda n: demo_nino(n, suffix="A")[:8],
        "upn": lambda n: upn_without_check_letter_and_year(
            demo_upn(n, dfe_number="801", year=2010, temporary=temporary)
        ),
    }
    for name, make in made.items():
        assert (make(a) == make(b)) == (a == b), name


@given(n=member_numbers, temporary=st.booleans(), year=st.integers(2000, 2040))
def test_every_identifier_made_passes_its_check(n: int, temporary: bool, year: int) -> None:
    assert clean_nhs_number(demo_nhs_number(n)) == demo_nhs_number(n)
    assert clean_uln(demo_uln(n)) == demo_uln(n)
    for suffix in "ABCD":
        assert clean_nino(demo_nino(n, suffix=suffix)) == demo_nino(n, suffix=suffix)
    upn = demo_upn(n, dfe_number="801", year=year, temporary=temporary)
    assert clean_upn(upn, known_la_numbers={"801"}) == upn
    assert is_temporary_upn(upn) == temporary


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_seed_demo_prints_the_same_on_a_second_run_and_says_what_it_created() -> None:
    first_out, first_err = run("--families", "25", "--seed", "3")
    second_out, second_err = run("--families", "25", "--seed", "3")
    assert first_out == second_out
    assert "Demo families: 25" in first_out
    assert "By status: Referred " in first_out
    assert "Progress returns: in progress " in first_out
    assert "Created 25 families, " in first_err
    assert "progress returns (" in first_err
    assert (
        "Created 0 families, 0 members, 0 assessments and 0 progress returns (0 values)"
        in second_err
    )
    assert Family.objects.count() == 25


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_seed_demo_creates_a_missing_authority_without_demo_users() -> None:
    taken = LocalAuthority.objects.create(name="Holder", gss_code="E06000001", dfe_number="201")
    out, _ = run("--la", "e09000033", "--families", "10")
    authority = LocalAuthority.objects.get(gss_code="E09000033")
    assert authority.name == "Authority E09000033"
    # The lowest known DfE number that no authority holds yet.
    expected = DfeLaNumber.objects.exclude(code=taken.dfe_number).order_by("code").first()
    assert expected is not None
    assert authority.dfe_number == expected.code
    assert Family.objects.for_authority(authority).count() == 10
    assert not User.objects.exists()
    assert "password" not in out
    run("--la", "E09000034", "--dfe", "213", "--families", "0")
    assert LocalAuthority.objects.get(gss_code="E09000034").dfe_number == "213"


def test_members_of_neighbouring_families_never_share_an_identifier() -> None:
    # Random pairs (above) rarely land side by side, where a numbering slip would show.
    families = [*range(1, 2001), *range(MAX_FAMILY_NUMBER - 2000, MAX_FAMILY_NUMBER + 1)]
    numbers = [family * 10 + member for family in families for member in range(1, 9)]
    made: dict[str, Callable[[int], str]] = {
        "nhs_number": demo_nhs_number,
        "uln": demo_uln,
        "nino": lambda n: demo_nino(n, suffix="A"),
        "upn": lambda n: demo_upn(n, dfe_number="801", year=2010, temporary=False),
        "temporary upn": lambda n: demo_upn(n, dfe_number="801", year=2010, temporary=True),
    }
    for name, make in made.items():
        values = [make(n) for n in numbers]
        assert len(set(values)) == len(values), name
