"""The eligibility rules, by tables for both frameworks and by Hypothesis properties.

No database: the rules take plain data.
"""

import dataclasses
import datetime
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eligibility.rules import (
    NON_RESIDENT_PARENT,
    CriterionFacts,
    Decision,
    FrameworkRules,
    MemberFacts,
    age_in_years,
    decide,
)
from families.models import Relationship

SCREENED_ON = datetime.date(2024, 6, 1)

TROUBLED_FAMILIES = FrameworkRules(
    code="2015-2020",
    version=1,
    name="Troubled Families 2015 to 2020",
    min_headlines=2,
    headlines=(
        ("CRIME", "Crime"),
        ("EDUCATION", "Education"),
        ("CHILDREN_NEED_HELP", "Children who need help"),
        ("DOMESTIC_ABUSE", "Domestic abuse"),
        ("HEALTH", "Health"),
        ("FINANCIAL_EXCLUSION", "Financial exclusion"),
    ),
    headline_noun="headline problems",
)
SUPPORTING_FAMILIES = FrameworkRules(
    code="2022-2025",
    version=1,
    name="Supporting Families 2022 to 2025",
    min_headlines=3,
    headlines=(
        ("EDUCATION", "Getting a good education"),
        ("EARLY_YEARS", "Good early years development"),
        ("HEALTH", "Improved mental and physical health"),
        ("SUBSTANCE", "Substance use"),
        ("FAMILY_RELATIONSHIPS", "Improved family relationships"),
        ("SAFE_CHILDREN", "Children safe from abuse and exploitation"),
        ("CRIME", "Crime prevention and tackling crime"),
        ("DOMESTIC_ABUSE", "Safe from domestic abuse"),
        ("HOUSING", "Secure housing"),
        ("FINANCIAL", "Financial stability"),
    ),
    headline_noun="headline outcomes",
)


def born(*, age: int) -> datetime.date:
    """A date of birth that makes someone `age` at SCREENED_ON, months after their birthday."""
    return datetime.date(SCREENED_ON.year - age, 1, 15)


def member(
    key: str,
    *,
    name: str,
    date_of_birth: datetime.date,
    relationship: str = Relationship.CHILD,
    lives_in_household: bool = True,
    expectant_parent: bool = False,
    in_full_time_education: bool = False,
) -> MemberFacts:
    return MemberFacts(
        key=key,
        name=name,
        date_of_birth=date_of_birth,
        relationship=relationship,
        lives_in_household=lives_in_household,
        expectant_parent=expectant_parent,
        in_full_time_education=in_full_time_education,
    )


SARAH = member(
    "2f1c1f6e-0f55-4b8e-9d1a-6c1e3b0a9d11",
    name="Sarah Okafor",
    date_of_birth=born(age=38),
    relationship=Relationship.MAIN_CARER,
)
TUNDE = member(
    "7a0e5b2c-3d4f-4a6b-8c9d-0e1f2a3b4c22", name="Tunde Okafor", date_of_birth=born(age=10)
)
SAM = member(
    "c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e33",
    name="Sam Okafor",
    date_of_birth=born(age=41),
    relationship=Relationship.NON_RESIDENT_PARENT,
    lives_in_household=False,
)
KEMI = member(
    "d4e5f6a7-b8c9-4d0e-9f1a-2b3c4d5e6f44",
    name="Kemi Adeyemi",
    date_of_birth=born(age=36),
    relationship=Relationship.NON_RESIDENT_PARENT,
    lives_in_household=False,
)


def met(who: MemberFacts, *codes: str) -> list[CriterionFacts]:
    return [CriterionFacts(member_key=who.key, headline_code=code) for code in codes]


def decide_on_screening_date(
    *,
    rules: FrameworkRules,
    members: list[MemberFacts],
    criteria: list[CriterionFacts],
    screened_on: datetime.date = SCREENED_ON,
) -> Decision:
    return decide(rules=rules, members=members, criteria=criteria, screened_on=screened_on)


# --- Headline thresholds ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rules", "codes", "eligible"),
    [
        (TROUBLED_FAMILIES, (), False),
        (TROUBLED_FAMILIES, ("CRIME",), False),
        (TROUBLED_FAMILIES, ("CRIME", "EDUCATION"), True),
        (TROUBLED_FAMILIES, ("CRIME", "EDUCATION", "HEALTH"), True),
        (SUPPORTING_FAMILIES, (), False),
        (SUPPORTING_FAMILIES, ("EDUCATION",), False),
        (SUPPORTING_FAMILIES, ("EDUCATION", "HEALTH"), False),
        (SUPPORTING_FAMILIES, ("EDUCATION", "HEALTH", "HOUSING"), True),
    ],
)
def test_family_with_a_child_is_eligible_from_the_frameworks_minimum_headlines(
    rules: FrameworkRules, codes: tuple[str, ...], eligible: bool
) -> None:
    decision = decide_on_screening_date(
        rules=rules, members=[SARAH, TUNDE], criteria=met(SARAH, *codes)
    )

    assert decision.eligible is eligible
    assert decision.headlines_counted == codes


def test_headlines_are_counted_in_the_frameworks_order_whoever_meets_them() -> None:
    decision = decide_on_screening_date(
        rules=SUPPORTING_FAMILIES,
        members=[SARAH, TUNDE],
        criteria=[*met(TUNDE, "HOUSING", "EDUCATION"), *met(SARAH, "CRIME")],
    )

    assert decision.headlines_counted == ("EDUCATION", "CRIME", "HOUSING")


@pytest.mark.parametrize(
    ("criteria", "counted", "eligible"),
    [
        ([*met(SARAH, "CRIME"), *met(TUNDE, "CRIME")], ("CRIME",), False),
        ([*met(SARAH, "CRIME"), *met(SARAH, "CRIME")], ("CRIME",), False),
        ([*met(SARAH, "CRIME"), *met(TUNDE, "CRIME", "HEALTH")], ("CRIME", "HEALTH"), True),
    ],
)
def test_a_headline_met_twice_counts_once(
    criteria: list[CriterionFacts], counted: tuple[str, ...], eligible: bool
) -> None:
    decision = decide_on_screening_date(
        rules=TROUBLED_FAMILIES, members=[SARAH, TUNDE], criteria=criteria
    )

    assert decision.headlines_counted == counted
    assert decision.eligible is eligible


# --- Non-resident parents --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rules", "criteria", "counted", "eligible"),
    [
        pytest.param(
            TROUBLED_FAMILIES,
            met(SAM, "CRIME", "HEALTH"),
            ("CRIME",),
            False,
            id="alone meeting two headlines counts for one",
        ),
        pytest.param(
            TROUBLED_FAMILIES,
            [*met(SARAH, "CRIME"), *met(SAM, "CRIME")],
            ("CRIME",),
            False,
            id="a headline others already meet adds nothing",
        ),
        pytest.param(
            TROUBLED_FAMILIES,
            [*met(SARAH, "CRIME"), *met(SAM, "CRIME", "HEALTH")],
            ("CRIME", "HEALTH"),
            True,
            id="adds a headline no one else meets, reaching exactly 2",
        ),
        pytest.param(
            TROUBLED_FAMILIES,
            [*met(SARAH, "CRIME"), *met(SAM, "EDUCATION", "HEALTH")],
            ("CRIME", "EDUCATION"),
            True,
            id="of two new headlines the first in framework order counts",
        ),
        pytest.param(
            TROUBLED_FAMILIES,
            [*met(SARAH, "CRIME"), *met(SAM, "CRIME", "HEALTH", "EDUCATION")],
            ("CRIME", "EDUCATION"),
            True,
            id="a headline others meet does not use up the allowance",
        ),
        pytest.param(
            SUPPORTING_FAMILIES,
            [*met(SARAH, "EDUCATION"), *met(TUNDE, "HEALTH"), *met(SAM, "CRIME", "HOUSING")],
            ("EDUCATION", "HEALTH", "CRIME"),
            True,
            id="residents meeting 2 and the parent 1 reach exactly 3",
        ),
        pytest.param(
            SUPPORTING_FAMILIES,
            [*met(SARAH, "EDUCATION"), *met(SAM, "CRIME", "HOUSING")],
            ("EDUCATION", "CRIME"),
            False,
            id="residents meeting 1 and the parent 2 stay below 3",
        ),
        pytest.param(
            TROUBLED_FAMILIES,
            [*met(SAM, "CRIME", "HEALTH"), *met(KEMI, "CRIME")],
            ("CRIME", "HEALTH"),
            True,
            id="two parents are given the headlines that count the most",
        ),
        pytest.param(
            TROUBLED_FAMILIES,
            [*met(SAM, "CRIME"), *met(KEMI, "CRIME")],
            ("CRIME",),
            False,
            id="two parents meeting the same headline count it once",
        ),
        pytest.param(
            TROUBLED_FAMILIES,
            [*met(SAM, "CRIME", "EDUCATION"), *met(KEMI, "CRIME", "EDUCATION")],
            ("CRIME", "EDUCATION"),
            True,
            id="two parents meeting the same two headlines count one each",
        ),
        pytest.param(
            SUPPORTING_FAMILIES,
            [*met(SARAH, "HEALTH"), *met(SAM, "CRIME"), *met(KEMI, "HOUSING")],
            ("HEALTH", "CRIME", "HOUSING"),
            True,
            id="two parents each adding one reach exactly 3",
        ),
    ],
)
def test_a_non_resident_parent_counts_for_one_headline_no_one_else_meets(
    rules: FrameworkRules,
    criteria: list[CriterionFacts],
    counted: tuple[str, ...],
    eligible: bool,
) -> None:
    decision = decide_on_screening_date(
        rules=rules, members=[SARAH, TUNDE, SAM, KEMI], criteria=criteria
    )

    assert decision.headlines_counted == counted
    assert decision.eligible is eligible


def test_a_framework_can_let_a_non_resident_parent_count_for_more_headlines() -> None:
    rules = dataclasses.replace(TROUBLED_FAMILIES, non_resident_parent_max=2)

    decision = decide_on_screening_date(
        rules=rules, members=[SARAH, TUNDE, SAM], criteria=met(SAM, "CRIME", "HEALTH", "EDUCATION")
    )

    assert decision.headlines_counted == ("CRIME", "EDUCATION")
    assert decision.reasons[1] == (
        "Sam Okafor is a non-resident parent, so counts for 2 headlines only: Crime, Education "
        "(not counted: Health)."
    )


def test_the_relationship_value_matches_the_families_model() -> None:
    assert NON_RESIDENT_PARENT == Relationship.NON_RESIDENT_PARENT


# --- Dependent children and expectant parents ------------------------------------------------


@pytest.mark.parametrize(
    ("candidate", "screened_on", "dependant"),
    [
        pytest.param(member("m", name="Ada", date_of_birth=born(age=0)), SCREENED_ON, True, id="0"),
        pytest.param(
            member("m", name="Ada", date_of_birth=born(age=15)), SCREENED_ON, True, id="15"
        ),
        pytest.param(
            member("m", name="Ada", date_of_birth=born(age=16), in_full_time_education=True),
            SCREENED_ON,
            True,
            id="16 in education",
        ),
        pytest.param(
            member("m", name="Ada", date_of_birth=born(age=16)),
            SCREENED_ON,
            False,
            id="16 not in education",
        ),
        pytest.param(
            member("m", name="Ada", date_of_birth=born(age=18), in_full_time_education=True),
            SCREENED_ON,
            True,
            id="18 in education",
        ),
        pytest.param(
            member("m", name="Ada", date_of_birth=born(age=18)),
            SCREENED_ON,
            False,
            id="18 not in education",
        ),
        pytest.param(
            member("m", name="Ada", date_of_birth=born(age=19), in_full_time_education=True),
            SCREENED_ON,
            False,
            id="19 in education",
        ),
        pytest.param(
            member("m", name="Ada", date_of_birth=datetime.date(2008, 6, 1)),
            datetime.date(2024, 6, 1),
            False,
            id="16th birthday on the screening date, not in education",
        ),
        pytest.param(
            member("m", name="Ada", date_of_birth=datetime.date(2008, 6, 2)),
            datetime.date(2024, 6, 1),
            True,
            id="16th birthday the day after the screening date",
        ),
        pytest.param(
            member(
                "m",
                name="Ada",
                date_of_birth=datetime.date(2005, 6, 1),
                in_full_time_education=True,
            ),
            datetime.date(2024, 6, 1),
            False,
            id="19th birthday on the screening date, in education",
        ),
        pytest.param(
            member(
                "m",
                name="Ada",
                date_of_birth=datetime.date(2000, 2, 29),
                in_full_time_education=True,
            ),
            datetime.date(2019, 2, 28),
            True,
            id="born 29 February, still 18 on 28 February in a common year",
        ),
        pytest.param(
            member(
                "m",
                name="Ada",
                date_of_birth=datetime.date(2000, 2, 29),
                in_full_time_education=True,
            ),
            datetime.date(2019, 3, 1),
            False,
            id="born 29 February, 19 on 1 March in a common year",
        ),
        pytest.param(
            member("m", name="Ada", date_of_birth=datetime.date(2024, 6, 2)),
            datetime.date(2024, 6, 1),
            False,
            id="born after the screening date",
        ),
        pytest.param(
            member("m", name="Ada", date_of_birth=born(age=10), lives_in_household=False),
            SCREENED_ON,
            False,
            id="child not living in the household",
        ),
        pytest.param(
            member(
                "m",
                name="Ada",
                date_of_birth=born(age=10),
                relationship=Relationship.NON_RESIDENT_PARENT,
            ),
            SCREENED_ON,
            False,
            id="a non-resident parent is never a dependent child",
        ),
        pytest.param(
            member(
                "m",
                name="Ada",
                date_of_birth=born(age=24),
                relationship=Relationship.PARTNER,
                expectant_parent=True,
            ),
            SCREENED_ON,
            True,
            id="expectant parent",
        ),
        pytest.param(
            member(
                "m",
                name="Ada",
                date_of_birth=born(age=24),
                relationship=Relationship.PARTNER,
                lives_in_household=False,
                expectant_parent=True,
            ),
            SCREENED_ON,
            True,
            id="expectant parent living elsewhere",
        ),
        pytest.param(
            member(
                "m",
                name="Ada",
                date_of_birth=born(age=24),
                relationship=Relationship.NON_RESIDENT_PARENT,
                lives_in_household=False,
                expectant_parent=True,
            ),
            SCREENED_ON,
            False,
            id="expectant non-resident parent",
        ),
        pytest.param(
            member("m", name="Ada", date_of_birth=born(age=24), relationship=Relationship.PARTNER),
            SCREENED_ON,
            False,
            id="adult",
        ),
    ],
)
def test_family_qualifies_only_through_a_dependent_child_or_expectant_parent(
    candidate: MemberFacts, screened_on: datetime.date, dependant: bool
) -> None:
    adult = dataclasses.replace(SARAH, date_of_birth=datetime.date(1980, 1, 15))

    decision = decide_on_screening_date(
        rules=TROUBLED_FAMILIES,
        members=[adult, candidate],
        criteria=met(adult, "CRIME", "EDUCATION"),
        screened_on=screened_on,
    )

    assert decision.dependants == ((candidate.key,) if dependant else ())
    assert decision.eligible is dependant


def test_a_member_who_is_both_a_child_and_expectant_is_one_dependant_with_two_reasons() -> None:
    ada = member(
        "m",
        name="Ada Okafor",
        date_of_birth=born(age=17),
        expectant_parent=True,
        in_full_time_education=True,
    )

    decision = decide_on_screening_date(
        rules=TROUBLED_FAMILIES, members=[ada], criteria=met(ada, "CRIME", "EDUCATION")
    )

    assert decision.dependants == ("m",)
    assert decision.reasons[1:3] == (
        "Includes a dependent child: Ada Okafor, aged 17, in full-time education or training.",
        "Includes an expectant parent: Ada Okafor.",
    )


def test_a_child_not_living_in_the_household_still_meets_headlines() -> None:
    away = dataclasses.replace(TUNDE, lives_in_household=False)

    decision = decide_on_screening_date(
        rules=TROUBLED_FAMILIES, members=[SARAH, away], criteria=met(away, "CRIME", "EDUCATION")
    )

    assert decision.headlines_counted == ("CRIME", "EDUCATION")
    assert not decision.eligible


@pytest.mark.parametrize(
    ("born_on", "on", "age"),
    [
        (datetime.date(2014, 2, 3), datetime.date(2024, 2, 2), 9),
        (datetime.date(2014, 2, 3), datetime.date(2024, 2, 3), 10),
        (datetime.date(2014, 2, 3), datetime.date(2014, 2, 3), 0),
        (datetime.date(2004, 2, 29), datetime.date(2005, 2, 28), 0),
        (datetime.date(2004, 2, 29), datetime.date(2005, 3, 1), 1),
        (datetime.date(2004, 2, 29), datetime.date(2008, 2, 28), 3),
        (datetime.date(2004, 2, 29), datetime.date(2008, 2, 29), 4),
        (datetime.date(2003, 3, 1), datetime.date(2004, 2, 29), 0),
    ],
)
def test_age_is_in_whole_years_with_a_birthday_on_the_day_counted(
    born_on: datetime.date, on: datetime.date, age: int
) -> None:
    assert age_in_years(born_on=born_on, on=on) == age


# --- Programming errors ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("members", "criteria", "message"),
    [
        ([SARAH], met(TUNDE, "CRIME"), "unknown member"),
        ([SARAH], met(SARAH, "HOUSING"), "not a headline of framework 2015-2020"),
        ([SARAH, SARAH], [], "share a key"),
    ],
)
def test_a_snapshot_that_does_not_hold_together_raises_value_error(
    members: list[MemberFacts], criteria: list[CriterionFacts], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        decide_on_screening_date(rules=TROUBLED_FAMILIES, members=members, criteria=criteria)


@pytest.mark.parametrize(
    "changes",
    [
        {"headlines": (("CRIME", "Crime"), ("CRIME", "Crime again"))},
        {"min_headlines": 0},
        {"min_headlines": 7},
        {"non_resident_parent_max": 0},
    ],
)
def test_a_framework_that_cannot_be_applied_raises_value_error(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="Framework 2015-2020"):
        dataclasses.replace(TROUBLED_FAMILIES, **changes)  # type: ignore[arg-type]


# --- Reasons ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rules", "members", "criteria", "reasons"),
    [
        pytest.param(
            TROUBLED_FAMILIES,
            [SARAH, TUNDE],
            [*met(SARAH, "CRIME"), *met(TUNDE, "EDUCATION")],
            (
                "Meets 2 of the 6 headline problems (at least 2 needed): Crime, Education.",
                "Includes a dependent child: Tunde Okafor, aged 10.",
                "Eligible: the family meets at least 2 headline problems and has a dependent "
                "child or expectant parent.",
            ),
            id="eligible",
        ),
        pytest.param(
            TROUBLED_FAMILIES,
            [SARAH, TUNDE, SAM],
            [*met(SARAH, "HEALTH"), *met(SAM, "CRIME", "HEALTH", "DOMESTIC_ABUSE")],
            (
                "Meets 2 of the 6 headline problems (at least 2 needed): Crime, Health.",
                "Sam Okafor is a non-resident parent, so counts for one headline only: Crime "
                "(not counted: Domestic abuse).",
                "Includes a dependent child: Tunde Okafor, aged 10.",
                "Eligible: the family meets at least 2 headline problems and has a dependent "
                "child or expectant parent.",
            ),
            id="non-resident parent limited",
        ),
        pytest.param(
            TROUBLED_FAMILIES,
            [SARAH, TUNDE, SAM],
            met(SAM, "CRIME", "HEALTH"),
            (
                "Meets 1 of the 6 headline problems (at least 2 needed): Crime.",
                "Sam Okafor is a non-resident parent, so counts for one headline only: Crime "
                "(not counted: Health).",
                "Includes a dependent child: Tunde Okafor, aged 10.",
                "Not eligible: the family meets fewer than 2 headline problems.",
            ),
            id="too few headlines",
        ),
        pytest.param(
            SUPPORTING_FAMILIES,
            [SARAH],
            [],
            (
                "Meets none of the 10 headline outcomes (at least 3 needed).",
                "No dependent child (aged 0 to 15, or 16 to 18 in full-time education or "
                "training) or expectant parent in the household.",
                "Not eligible: the family meets fewer than 3 headline outcomes and has no "
                "dependent child or expectant parent.",
            ),
            id="nothing",
        ),
        pytest.param(
            SUPPORTING_FAMILIES,
            [SARAH],
            met(SARAH, "HEALTH", "HOUSING", "FINANCIAL"),
            (
                "Meets 3 of the 10 headline outcomes (at least 3 needed): Improved mental and "
                "physical health, Secure housing, Financial stability.",
                "No dependent child (aged 0 to 15, or 16 to 18 in full-time education or "
                "training) or expectant parent in the household.",
                "Not eligible: the family has no dependent child or expectant parent.",
            ),
            id="no dependant",
        ),
        pytest.param(
            SUPPORTING_FAMILIES,
            [
                member("b", name="Baby Okafor", date_of_birth=born(age=0)),
                dataclasses.replace(SARAH, expectant_parent=True),
                member(
                    "f",
                    name="Femi Okafor",
                    date_of_birth=born(age=17),
                    in_full_time_education=True,
                ),
            ],
            met(SARAH, "HEALTH", "HOUSING", "FINANCIAL", "CRIME"),
            (
                "Meets 4 of the 10 headline outcomes (at least 3 needed): Improved mental and "
                "physical health, Crime prevention and tackling crime, Secure housing, Financial "
                "stability.",
                "Includes an expectant parent: Sarah Okafor.",
                "Includes a dependent child: Femi Okafor, aged 17, in full-time education or "
                "training.",
                "Includes a dependent child: Baby Okafor, aged under 1.",
                "Eligible: the family meets at least 3 headline outcomes and has a dependent "
                "child or expectant parent.",
            ),
            id="several dependants, oldest first",
        ),
    ],
)
def test_reasons_say_why_in_plain_sentences(
    rules: FrameworkRules,
    members: list[MemberFacts],
    criteria: list[CriterionFacts],
    reasons: tuple[str, ...],
) -> None:
    decision = decide_on_screening_date(rules=rules, members=members, criteria=criteria)

    assert decision.reasons == reasons


def test_the_decision_names_the_framework_it_was_made_under() -> None:
    rules = dataclasses.replace(SUPPORTING_FAMILIES, version=4)

    decision = decide_on_screening_date(rules=rules, members=[SARAH], criteria=[])

    assert (decision.framework_code, decision.framework_version) == ("2022-2025", 4)


# --- Properties ------------------------------------------------------------------------------

NAMES = ["Sarah Okafor", "Tunde Okafor", "Sam Okafor", "Kemi Adeyemi", "Ada Okafor"]

members_strategy = st.builds(
    MemberFacts,
    key=st.uuids().map(str),
    name=st.sampled_from(NAMES),
    date_of_birth=st.dates(min_value=datetime.date(1950, 1, 1), max_value=SCREENED_ON),
    relationship=st.sampled_from(Relationship.values),
    lives_in_household=st.booleans(),
    expectant_parent=st.booleans(),
    in_full_time_education=st.booleans(),
)


@st.composite
def snapshots(
    draw: st.DrawFn,
) -> tuple[FrameworkRules, list[MemberFacts], list[CriterionFacts]]:
    rules = draw(st.sampled_from([TROUBLED_FAMILIES, SUPPORTING_FAMILIES]))
    members = draw(st.lists(members_strategy, min_size=1, max_size=4, unique_by=lambda m: m.key))
    criteria = draw(
        st.lists(
            st.builds(
                CriterionFacts,
                member_key=st.sampled_from([m.key for m in members]),
                headline_code=st.sampled_from([code for code, _ in rules.headlines]),
            ),
            max_size=12,
        )
    )
    return rules, members, criteria


@given(snapshot=snapshots(), seed=st.randoms(use_true_random=False))
def test_the_decision_does_not_depend_on_the_order_of_members_or_criteria(
    snapshot: tuple[FrameworkRules, list[MemberFacts], list[CriterionFacts]],
    seed: random.Random,
) -> None:
    rules, members, criteria = snapshot
    shuffled_members = seed.sample(members, len(members))
    shuffled_criteria = seed.sample(criteria, len(criteria))

    assert decide_on_screening_date(
        rules=rules, members=shuffled_members, criteria=shuffled_criteria
    ) == decide_on_screening_date(rules=rules, members=members, criteria=criteria)


@given(snapshot=snapshots(), extra=st.data())
def test_meeting_another_criterion_never_loses_a_headline_or_eligibility(
    snapshot: tuple[FrameworkRules, list[MemberFacts], list[CriterionFacts]],
    extra: st.DataObject,
) -> None:
    rules, members, criteria = snapshot
    added = CriterionFacts(
        member_key=extra.draw(st.sampled_from([m.key for m in members])),
        headline_code=extra.draw(st.sampled_from([code for code, _ in rules.headlines])),
    )

    before = decide_on_screening_date(rules=rules, members=members, criteria=criteria)
    after = decide_on_screening_date(rules=rules, members=members, criteria=[*criteria, added])

    assert len(after.headlines_counted) >= len(before.headlines_counted)
    assert after.eligible or not before.eligible


@given(snapshot=snapshots())
def test_every_resident_headline_counts_and_non_resident_parents_add_at_most_one_each(
    snapshot: tuple[FrameworkRules, list[MemberFacts], list[CriterionFacts]],
) -> None:
    rules, members, criteria = snapshot
    non_resident = {m.key for m in members if m.relationship == NON_RESIDENT_PARENT}
    resident_headlines = {c.headline_code for c in criteria if c.member_key not in non_resident}
    all_headlines = {c.headline_code for c in criteria}

    counted = set(
        decide_on_screening_date(rules=rules, members=members, criteria=criteria).headlines_counted
    )

    assert resident_headlines <= counted <= all_headlines
    assert len(counted - resident_headlines) <= len(non_resident)


@given(snapshot=snapshots())
def test_reasons_never_give_a_date_of_birth_or_an_identifier(
    snapshot: tuple[FrameworkRules, list[MemberFacts], list[CriterionFacts]],
) -> None:
    rules, members, criteria = snapshot

    reasons = " ".join(
        decide_on_screening_date(rules=rules, members=members, criteria=criteria).reasons
    )

    for m in members:
        dob = m.date_of_birth
        for secret in (
            m.key,
            dob.isoformat(),
            dob.strftime("%d/%m/%Y"),
            f"{dob.day} {dob:%B} {dob.year}",
            f"{dob:%B} {dob.year}",
        ):
            assert secret not in reasons
