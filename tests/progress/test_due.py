"""Who owes Family Progress Data for a period, and what is asked of them: families supported
at any time in the period (never the comparison group), members asked each individual measure
that applies to their age at the period's end, measures not retired before the period ended.
"""

import datetime

import pytest

from eligibility.models import Intervention, SupportIntensity
from families.models import Family
from progress.due import collection_periods, families_due, measures_asked, questions_for
from progress.models import Measure, Period
from tests.factories import FamilyFactory, IndividualFactory

pytestmark = pytest.mark.django_db

FAMILY_MEASURES = [
    "HOMELESS",
    "HOMELESSNESS_APPLICATIONS",
    "EVICTION_RISK",
    "RENT_ARREARS",
    "DEBT_LEVEL",
    "DA_INCIDENTS",
    "WORKLESS_HOUSEHOLD",
]


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


@pytest.fixture
def period() -> Period:
    """April to September 2024: created with the other half-years by the migrations."""
    return Period.objects.get(start_on=day("2024-04-01"))


def support(family: Family, started: str, ended: str | None = None) -> Intervention:
    return Intervention.objects.create(
        family=family,
        started_on=day(started),
        ended_on=day(ended) if ended else None,
        intensity=SupportIntensity.STANDARD,
    )


def test_the_periods_are_financial_half_years_with_returns_due_30_days_after(
    period: Period,
) -> None:
    assert (period.start_on, period.end_on, period.due_on) == (
        day("2024-04-01"), day("2024-09-30"), day("2024-10-30"),
    )  # fmt: skip
    winter = Period.objects.get(start_on=day("2024-10-01"))
    assert (winter.end_on, winter.due_on) == (day("2025-03-31"), day("2025-04-30"))
    assert winter.label == "October 2024 to March 2025"
    assert period.label == "April to September 2024"
    assert Period.objects.order_by("start_on")[0].start_on == day("2015-04-01")


@pytest.mark.parametrize(
    ("started", "ended", "due"),
    [
        ("2024-06-01", None, True),  # support started mid-period and is still open
        ("2024-06-01", "2024-08-15", True),  # started and ended inside the period
        ("2023-01-01", "2024-05-15", True),  # ended mid-period
        ("2023-01-01", None, True),  # open since before the period
        ("2023-01-01", "2025-01-01", True),  # spans the whole period
        ("2024-09-30", None, True),  # started on its last day
        ("2023-01-01", "2024-04-01", True),  # ended on its first day
        ("2024-10-01", None, False),  # started after the period
        ("2025-01-01", "2025-02-01", False),
        ("2023-01-01", "2024-03-31", False),  # ended the day before it began
    ],
)
def test_a_family_is_due_if_supported_at_any_time_in_the_period(
    authority, family, period: Period, started: str, ended: str | None, due: bool
) -> None:
    support(family, started, ended)
    assert list(families_due(authority, period)) == ([family] if due else [])


def test_the_comparison_group_is_never_due(authority, family, period: Period) -> None:
    # A comparison-group family is recorded and assessed but never supported.
    assert not family.interventions.exists()
    assert list(families_due(authority, period)) == []


def test_two_support_periods_make_one_family_due_once(authority, family, period) -> None:
    support(family, "2024-01-01", "2024-05-01")
    support(family, "2024-07-01")
    assert list(families_due(authority, period)) == [family]


def test_two_support_periods_either_side_of_the_period_do_not_make_it_due(
    authority, family, period
) -> None:
    support(family, "2023-01-01", "2024-03-01")
    support(family, "2024-11-01")
    assert list(families_due(authority, period)) == []


def test_another_authoritys_supported_family_is_not_due_here(
    authority, other_authority, period
) -> None:
    theirs = FamilyFactory.create(local_authority=other_authority)
    support(theirs, "2024-01-01")
    assert list(families_due(authority, period)) == []
    assert list(families_due(other_authority, period)) == [theirs]


def asked(family: Family, period: Period) -> list[tuple[str | None, str]]:
    questions = questions_for(family, period, measures_asked(period))
    return [(q.individual.forename if q.individual else None, q.measure.code) for q in questions]


def test_family_measures_come_first_then_each_members_in_age_order(family, period) -> None:
    # At 30 September 2024 Sarah (born 1985) is 39 and Tunde (born 3 February 2014) is 10.
    assert asked(family, period) == [
        *((None, code) for code in FAMILY_MEASURES),
        ("Sarah", "ASB_INCIDENTS"),
        ("Sarah", "OFFENCES"),
        ("Tunde", "ASB_INCIDENTS"),
        ("Tunde", "OFFENCES"),
        ("Tunde", "MISSING_EPISODES"),
        ("Tunde", "CHILD_STATUS"),
        ("Tunde", "SCHOOL_ATTENDANCE"),
    ]


# Ages at the period's end (30 September 2024) decide the individual measures.
@pytest.mark.parametrize(
    ("born", "measures"),
    [
        ("2024-09-30", {"ASB_INCIDENTS", "MISSING_EPISODES", "CHILD_STATUS"}),  # 0
        ("2019-10-01", {"ASB_INCIDENTS", "MISSING_EPISODES", "CHILD_STATUS"}),  # 4
        ("2019-09-30", {"ASB_INCIDENTS", "MISSING_EPISODES", "CHILD_STATUS", "SCHOOL_ATTENDANCE"}),
        ("2014-10-01", {"ASB_INCIDENTS", "MISSING_EPISODES", "CHILD_STATUS", "SCHOOL_ATTENDANCE"}),
        ("2014-09-30", {"ASB_INCIDENTS", "OFFENCES", "MISSING_EPISODES", "CHILD_STATUS",
                        "SCHOOL_ATTENDANCE"}),  # 10
        ("2009-09-30", {"ASB_INCIDENTS", "OFFENCES", "MISSING_EPISODES", "CHILD_STATUS",
                        "SCHOOL_ATTENDANCE"}),  # 15
        ("2008-09-30", {"ASB_INCIDENTS", "OFFENCES", "MISSING_EPISODES", "CHILD_STATUS", "NEET",
                        "SCHOOL_ATTENDANCE"}),  # 16
        ("2007-10-01", {"ASB_INCIDENTS", "OFFENCES", "MISSING_EPISODES", "CHILD_STATUS", "NEET",
                        "SCHOOL_ATTENDANCE"}),  # 16, 17 the day after the period ends
        ("2007-09-30", {"ASB_INCIDENTS", "OFFENCES", "MISSING_EPISODES", "CHILD_STATUS",
                        "NEET"}),  # 17
        ("2006-09-30", {"ASB_INCIDENTS", "OFFENCES", "NEET"}),  # 18
        ("2000-09-30", {"ASB_INCIDENTS", "OFFENCES", "NEET"}),  # 24
        ("1999-09-30", {"ASB_INCIDENTS", "OFFENCES"}),  # 25
        ("1950-01-01", {"ASB_INCIDENTS", "OFFENCES"}),
    ],
)  # fmt: skip
def test_a_members_age_at_the_end_of_the_period_decides_what_is_asked(
    authority, period, born: str, measures: set[str]
) -> None:
    family = FamilyFactory.create(local_authority=authority)
    IndividualFactory.create(family=family, forename="Member", date_of_birth=day(born))
    member_measures = [code for whose, code in asked(family, period) if whose == "Member"]
    assert set(member_measures) == measures
    assert len(member_measures) == len(measures)


def test_a_member_born_after_the_period_ended_is_not_asked_anything(authority, period) -> None:
    family = FamilyFactory.create(local_authority=authority)
    IndividualFactory.create(family=family, forename="Parent", date_of_birth=day("1990-01-01"))
    IndividualFactory.create(family=family, forename="Baby", date_of_birth=day("2024-10-01"))
    questions = asked(family, period)
    assert not [code for whose, code in questions if whose == "Baby"]
    assert [code for whose, code in questions if whose is None] == FAMILY_MEASURES
    # The next period asks about the baby.
    winter = Period.objects.get(start_on=day("2024-10-01"))
    assert {code for whose, code in asked(family, winter) if whose == "Baby"} == {
        "ASB_INCIDENTS", "MISSING_EPISODES", "CHILD_STATUS",
    }  # fmt: skip


def test_a_family_with_no_members_is_asked_only_the_family_measures(authority, period) -> None:
    family = FamilyFactory.create(local_authority=authority)
    assert asked(family, period) == [(None, code) for code in FAMILY_MEASURES]


def codes_asked(period: Period) -> list[str]:
    return [measure.code for measure in measures_asked(period)]


def test_every_shipped_measure_is_asked_in_its_order(period) -> None:
    assert codes_asked(period) == [
        "HOMELESS", "HOMELESSNESS_APPLICATIONS", "EVICTION_RISK", "RENT_ARREARS", "DEBT_LEVEL",
        "ASB_INCIDENTS", "DA_INCIDENTS", "OFFENCES", "MISSING_EPISODES", "CHILD_STATUS",
        "WORKLESS_HOUSEHOLD", "NEET", "SCHOOL_ATTENDANCE",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("retired", "asked_in_summer_2024", "asked_in_winter_2024"),
    [
        ("2025-04-01", True, True),  # retired after both periods ended
        ("2025-03-31", True, False),  # retired on the winter period's last day
        ("2024-10-01", True, False),  # retired the day after the summer period ended
        ("2024-09-30", False, False),  # retired on the summer period's last day
        ("2024-06-01", False, False),  # retired in the middle of the summer period
    ],
)
def test_a_retired_measure_is_asked_only_of_periods_that_ended_before_its_retirement(
    retired: str, asked_in_summer_2024: bool, asked_in_winter_2024: bool
) -> None:
    Measure.objects.filter(code="NEET").update(retired_on=day(retired))
    summer = Period.objects.get(start_on=day("2024-04-01"))
    winter = Period.objects.get(start_on=day("2024-10-01"))
    assert ("NEET" in codes_asked(summer)) is asked_in_summer_2024
    assert ("NEET" in codes_asked(winter)) is asked_in_winter_2024
    assert len(codes_asked(summer)) == 12 + asked_in_summer_2024


def test_a_retired_individual_measure_is_not_asked_of_the_members(family, period) -> None:
    Measure.objects.filter(code="SCHOOL_ATTENDANCE").update(retired_on=day("2024-06-01"))
    assert ("Tunde", "SCHOOL_ATTENDANCE") not in asked(family, period)
    assert ("Tunde", "CHILD_STATUS") in asked(family, period)


def collection(today: str) -> tuple[datetime.date | None, list[datetime.date]]:
    current, earlier = collection_periods(day(today))
    return (current.start_on if current else None), [p.start_on for p in earlier]


@pytest.mark.parametrize(
    ("today", "current"),
    [
        ("2024-10-01", "2024-04-01"),  # the day after the period ended
        ("2024-10-30", "2024-04-01"),  # its due date
        ("2024-10-31", "2024-04-01"),  # past due: still the latest, now overdue
        ("2024-09-30", "2023-10-01"),  # its last day: not yet ended, the previous one is latest
        ("2025-04-15", "2024-10-01"),
    ],
)
def test_the_current_collection_is_the_latest_period_to_have_ended(
    today: str, current: str
) -> None:
    got_current, earlier = collection(today)
    assert got_current == day(current)
    assert got_current not in earlier
    # Earlier periods are every other ended one, newest first, back to 2015.
    ended_before = sorted(
        Period.objects.filter(end_on__lt=day(current)).values_list("start_on", flat=True),
        reverse=True,
    )
    assert earlier == ended_before
    assert earlier[-1] == day("2015-04-01")


def test_a_period_still_running_is_neither_current_nor_earlier() -> None:
    current, earlier = collection("2024-07-01")
    assert current == day("2023-10-01")
    assert day("2024-04-01") not in earlier
    assert earlier[0] == day("2023-04-01")
