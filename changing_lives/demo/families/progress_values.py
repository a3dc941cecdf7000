"""Realistic values for the shipped Family Progress Data measures, in their canonical stored
form (progress.values): "yes"/"no", whole numbers, pence, one-decimal percentages, codes,
and now and then "unknown".

Each family and member has traits drawn once (a family in housing trouble, a child who
goes missing), and support eases most troubles period by period, never all the way, so a
family's returns read as one story. A measure an admin added gets a plain value of its kind.
"""

import math
import random
from dataclasses import dataclass

from changing_lives.demo.families.progress_catalogue import ProgressMeasure
from changing_lives.demo.families.records import DemoMember
from progress.models import MeasureKind
from progress.values import UNKNOWN

UNKNOWN_CHANCE = 0.03
# How much of a trouble is left after each period of support, and at least.
EASING_PER_PERIOD = 0.8
LEAST_LEFT = 0.35
# A child under this age is not involved in anti-social behaviour or missing episodes.
YOUNGEST_INVOLVED = 10
# Children's social care statuses, and the one a child steps down to as things improve
# (being looked after is not stepped down within the demo's span).
CARE_STATUSES = ("NONE", "CIN", "CPP", "LAC")
CARE_STATUS_WEIGHTS = (72, 15, 9, 4)
CARE_STEP_DOWN = {"CPP": "CIN", "CIN": "NONE"}


@dataclass(frozen=True, slots=True)
class FamilyTraits:
    homeless_chance: float
    eviction_chance: float
    applications_rate: float  # homelessness applications, a period's mean
    arrears_pence: int  # when support starts
    debt_pence: int  # when support starts
    abuse_rate: float  # domestic abuse incidents, a period's mean
    # The first period (counted from 0, the first of support) with an adult in work;
    # None if no adult finds work.
    in_work_from: int | None
    care_status: str  # the children's, at the start of support
    care_steps_down_every: int  # periods


@dataclass(frozen=True, slots=True)
class MemberTraits:
    asb_rate: float  # a period's mean
    offending_rate: float
    missing_rate: float
    attendance: float  # percent, at the start of support
    neet_chance: float
    shares_care_status: bool  # a child the family's social care status covers


def family_traits(rng: random.Random) -> FamilyTraits:
    housing_trouble = rng.random() < 0.2
    workless = rng.random() < 0.55
    return FamilyTraits(
        homeless_chance=0.35 if housing_trouble else 0.02,
        eviction_chance=0.3 if housing_trouble else 0.03,
        applications_rate=0.6 if housing_trouble else 0.02,
        arrears_pence=_amount_pence(rng, chance=0.4, median_pounds=600, most_pounds=6000),
        debt_pence=_amount_pence(rng, chance=0.5, median_pounds=1500, most_pounds=9000),
        abuse_rate=0.8 if rng.random() < 0.2 else 0.02,
        in_work_from=rng.choice((1, 2, 3, 4, None, None)) if workless else 0,
        care_status=rng.choices(CARE_STATUSES, weights=CARE_STATUS_WEIGHTS)[0],
        care_steps_down_every=rng.randint(1, 3),
    )


def member_traits(rng: random.Random, member: DemoMember) -> MemberTraits:
    return MemberTraits(
        asb_rate=1.0 if rng.random() < 0.08 else 0.02,
        offending_rate=0.7 if rng.random() < 0.05 else 0.01,
        missing_rate=1.2 if rng.random() < 0.04 else 0.01,
        attendance=_attendance(rng),
        neet_chance=0.08 if member.in_full_time_education else 0.45,
        shares_care_status=rng.random() < 0.9,
    )


def _amount_pence(
    rng: random.Random, *, chance: float, median_pounds: int, most_pounds: int
) -> int:
    if rng.random() >= chance:
        return 0
    pounds = min(most_pounds, rng.lognormvariate(math.log(median_pounds), 0.8))
    return round(pounds * 100)


def _attendance(rng: random.Random) -> float:
    """Mostly above 90%, some 80-90%, a few persistently absent."""
    band = rng.random()
    if band < 0.75:
        return rng.triangular(90, 100, 97)
    if band < 0.93:
        return rng.uniform(80, 90)
    return rng.uniform(60, 80)


def value_draw(
    rng: random.Random,
    measure: ProgressMeasure,
    *,
    family: FamilyTraits,
    member: MemberTraits | None,
    age: int,
    periods_supported: int,
) -> str:
    """A value for the family (member None) or a member of `age` at the period's end, in
    the family's `periods_supported`-th period of support (from 0)."""
    if rng.random() < UNKNOWN_CHANCE:
        return UNKNOWN
    if member is None:
        value = _family_value(rng, measure, family, periods_supported)
    else:
        value = _member_value(rng, measure, family, member, age, periods_supported)
    return _of_kind(rng, measure) if value is None else value


# Matched by code and kind: a shipped measure whose kind an admin changed gets a plain
# value of its new kind (None here) instead.
def _family_value(
    rng: random.Random, measure: ProgressMeasure, family: FamilyTraits, periods: int
) -> str | None:
    left = _left(periods)
    match measure.code, measure.kind:
        case "HOMELESS", MeasureKind.YES_NO_UNKNOWN:
            return _yes_no(rng, family.homeless_chance * left)
        case "HOMELESSNESS_APPLICATIONS", MeasureKind.COUNT:
            return _count(rng, family.applications_rate * left)
        case "EVICTION_RISK", MeasureKind.YES_NO_UNKNOWN:
            return _yes_no(rng, family.eviction_chance * left)
        case "RENT_ARREARS", MeasureKind.MONEY:
            return _money(rng, family.arrears_pence, left)
        case "DEBT_LEVEL", MeasureKind.MONEY:
            return _money(rng, family.debt_pence, left)
        case "DA_INCIDENTS", MeasureKind.COUNT:
            return _count(rng, family.abuse_rate * left)
        case "WORKLESS_HOUSEHOLD", MeasureKind.YES_NO_UNKNOWN:
            in_work = family.in_work_from is not None and periods >= family.in_work_from
            return "no" if in_work else "yes"
    return None


def _member_value(
    rng: random.Random,
    measure: ProgressMeasure,
    family: FamilyTraits,
    member: MemberTraits,
    age: int,
    periods: int,
) -> str | None:
    left = _left(periods)
    involved = age >= YOUNGEST_INVOLVED
    match measure.code, measure.kind:
        case "ASB_INCIDENTS", MeasureKind.COUNT:
            return _count(rng, member.asb_rate * left if involved else 0.0)
        case "OFFENCES", MeasureKind.COUNT:
            return _count(rng, member.offending_rate * left)
        case "MISSING_EPISODES", MeasureKind.COUNT:
            return _count(rng, member.missing_rate * left if involved else 0.0)
        case "CHILD_STATUS", MeasureKind.CODE:
            return _care_status(family, member, periods)
        case "NEET", MeasureKind.YES_NO_UNKNOWN:
            return _yes_no(rng, member.neet_chance * left)
        case "SCHOOL_ATTENDANCE", MeasureKind.PERCENTAGE:
            improved = member.attendance + (1 - left) * 4 + rng.gauss(0, 2)
            return f"{min(100.0, max(60.0, improved)):.1f}"
    return None


def _left(periods_supported: int) -> float:
    return max(LEAST_LEFT, EASING_PER_PERIOD**periods_supported)


def _yes_no(rng: random.Random, chance: float) -> str:
    return "yes" if rng.random() < chance else "no"


def _count(rng: random.Random, mean: float) -> str:
    """A Poisson count (Knuth's method: the means here are small)."""
    limit = math.exp(-mean)
    count = 0
    product = rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return str(count)


def _money(rng: random.Random, starting_pence: int, left: float) -> str:
    # Some families clear what they owe; the longer the support, the more of them.
    if not starting_pence or rng.random() < (1 - left) / 2:
        return "0"
    return str(round(starting_pence * left * rng.uniform(0.8, 1.2)))


def _care_status(family: FamilyTraits, member: MemberTraits, periods: int) -> str:
    if not member.shares_care_status:
        return "NONE"
    status = family.care_status
    for _ in range(periods // family.care_steps_down_every):
        status = CARE_STEP_DOWN.get(status, status)
    return status


def _of_kind(rng: random.Random, measure: ProgressMeasure) -> str:
    """A plain value for a measure the demo knows nothing more of."""
    match measure.kind:
        case MeasureKind.YES_NO_UNKNOWN:
            return _yes_no(rng, 0.15)
        case MeasureKind.COUNT:
            return _count(rng, 0.2)
        case MeasureKind.MONEY:
            return "0" if rng.random() < 0.6 else str(rng.randrange(1_000, 200_000))
        case MeasureKind.PERCENTAGE:
            return f"{rng.uniform(60, 100):.1f}"
        case MeasureKind.CODE if measure.codes:
            return measure.codes[0] if rng.random() < 0.8 else rng.choice(measure.codes)
    return UNKNOWN
