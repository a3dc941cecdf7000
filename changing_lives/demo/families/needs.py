"""Which needs a demo family's members have: the headlines and indicators that fit each
member (by age at screening and place in the family), with evidence for each.

Only the shipped indicators are used: an indicator an authority adds has no known audience.
"""

import datetime
import enum
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import assert_never

from changing_lives.demo.families.records import DemoCriterion, DemoMember
from eligibility.models import EvidenceSource
from eligibility.rules import FrameworkRules, age_in_years
from families.models import Relationship

OLDEST = 120
# How many headlines a family's criteria cover, against the framework's minimum: mostly
# enough or more, sometimes fewer, so that both decisions appear.
HEADLINES_OVER_MINIMUM = (-2, -1, 0, 1, 2, 3)
HEADLINES_OVER_MINIMUM_WEIGHTS = (2, 8, 30, 30, 18, 12)
# A headline is mostly met by one member; sometimes by two.
SECOND_MEMBER_CHANCE = 0.25
EVIDENCE_DAYS_BEFORE_SCREENING = (0, 90)
NOTE_CHANCE = 0.25
EVIDENCE_NOTES = (
    "Confirmed at the multi-agency meeting.",
    "From the service's own records.",
    "Discussed with the family at the first visit.",
    "Checked with the referring service.",
    "Recorded at the team's weekly review.",
)

POLICE = EvidenceSource.POLICE
SCHOOL = EvidenceSource.SCHOOL
HEALTH = EvidenceSource.HEALTH
SOCIAL_CARE = EvidenceSource.SOCIAL_CARE
HOUSING = EvidenceSource.HOUSING
DWP = EvidenceSource.DWP
YOUTH_JUSTICE = EvidenceSource.YOUTH_JUSTICE
FAMILY = EvidenceSource.FAMILY
OTHER = EvidenceSource.OTHER


class Who(enum.Enum):
    ANYONE = enum.auto()
    IN_HOUSEHOLD = enum.auto()
    # The main carer, their partner, or a parent who lives elsewhere.
    PARENT = enum.auto()
    # The main carer or their partner.
    PARENT_IN_HOUSEHOLD = enum.auto()
    EXPECTANT = enum.auto()
    NOT_IN_EDUCATION = enum.auto()


PARENTS = frozenset(
    {Relationship.MAIN_CARER, Relationship.PARTNER, Relationship.NON_RESIDENT_PARENT}
)


@dataclass(frozen=True)
class Need:
    indicator: str
    ages: tuple[int, int]  # at screening, inclusive
    sources: tuple[EvidenceSource, ...]
    who: Who = Who.ANYONE
    weight: int = 3  # how common, beside the headline's other indicators

    def fits(self, member: DemoMember, age: int) -> bool:
        low, high = self.ages
        return low <= age <= high and _is(member, self.who)


@dataclass(frozen=True)
class HeadlineNeeds:
    weight: int  # how common, beside the framework's other headlines
    needs: tuple[Need, ...]


ADULT = (18, OLDEST)
CHILD = (0, 17)
SCHOOL_AGE = (5, 15)

NEEDS: dict[str, dict[str, HeadlineNeeds]] = {
    "2015-2020": {
        "CRIME": HeadlineNeeds(
            4,
            (
                Need("CHILD_OFFENCE", (10, 17), (YOUTH_JUSTICE, POLICE)),
                Need("ASB_INTERVENTION", (10, OLDEST), (POLICE, HOUSING)),
                Need("ADULT_OFFENDER", ADULT, (POLICE,)),
            ),
        ),
        "EDUCATION": HeadlineNeeds(
            6,
            (
                Need("PERSISTENT_ABSENCE", SCHOOL_AGE, (SCHOOL,), weight=6),
                Need("EXCLUSION", SCHOOL_AGE, (SCHOOL,)),
                Need("NOT_ON_ROLL", SCHOOL_AGE, (SCHOOL, OTHER), weight=1),
                Need("ALTERNATIVE_PROVISION", SCHOOL_AGE, (SCHOOL,), weight=1),
            ),
        ),
        "CHILDREN_NEED_HELP": HeadlineNeeds(
            6,
            (
                Need("CHILD_IN_NEED", CHILD, (SOCIAL_CARE,)),
                Need("CHILD_PROTECTION_PLAN", CHILD, (SOCIAL_CARE,), weight=2),
                Need("LOOKED_AFTER", CHILD, (SOCIAL_CARE,), weight=1),
                Need("EARLY_HELP", CHILD, (SOCIAL_CARE, SCHOOL, HEALTH), weight=5),
            ),
        ),
        "DOMESTIC_ABUSE": HeadlineNeeds(
            4,
            (
                Need("POLICE_INCIDENT", ADULT, (POLICE,), Who.PARENT),
                Need("VICTIM_KNOWN", ADULT, (SOCIAL_CARE, HEALTH, POLICE), Who.IN_HOUSEHOLD),
                Need("PERPETRATOR_KNOWN", ADULT, (POLICE, SOCIAL_CARE), Who.PARENT, weight=2),
            ),
        ),
        "HEALTH": HeadlineNeeds(
            7,
            (
                Need("MENTAL_HEALTH", (5, OLDEST), (HEALTH,), weight=5),
                Need("SUBSTANCE_MISUSE", (14, OLDEST), (HEALTH, POLICE), weight=2),
                Need("DISABILITY", (0, OLDEST), (HEALTH, SOCIAL_CARE), weight=2),
            ),
        ),
        "FINANCIAL_EXCLUSION": HeadlineNeeds(
            7,
            (
                Need("OUT_OF_WORK_BENEFITS", (18, 66), (DWP,), weight=5),
                Need("PROBLEM_DEBT", ADULT, (HOUSING, FAMILY)),
                Need("NEET", (16, 24), (DWP, OTHER), Who.NOT_IN_EDUCATION),
            ),
        ),
    },
    "2022-2025": {
        "EDUCATION": HeadlineNeeds(
            6,
            (
                Need("PERSISTENT_ABSENCE", SCHOOL_AGE, (SCHOOL,), weight=6),
                Need("EXCLUSION", SCHOOL_AGE, (SCHOOL,), weight=2),
                Need("SEND_UNMET", (4, 18), (SCHOOL, HEALTH), Who.IN_HOUSEHOLD, weight=2),
                Need("NEET_RISK", (14, 18), (SCHOOL, OTHER), weight=2),
            ),
        ),
        "EARLY_YEARS": HeadlineNeeds(
            4,
            (
                Need("DEVELOPMENT", (0, 4), (HEALTH,)),
                # Before the birth, the need is the parent's.
                Need("PARENTAL_CAPACITY", (16, OLDEST), (HEALTH,), Who.EXPECTANT),
            ),
        ),
        "HEALTH": HeadlineNeeds(
            7,
            (
                Need("ADULT_MENTAL_HEALTH", ADULT, (HEALTH,), weight=5),
                Need("CHILD_MENTAL_HEALTH", (5, 17), (HEALTH, SCHOOL)),
                Need("PHYSICAL_HEALTH", (0, OLDEST), (HEALTH,), weight=2),
            ),
        ),
        "SUBSTANCE": HeadlineNeeds(
            3,
            (
                Need("ADULT_SUBSTANCE", ADULT, (HEALTH, POLICE), weight=4),
                Need("CHILD_SUBSTANCE", (13, 17), (HEALTH, YOUTH_JUSTICE), weight=1),
            ),
        ),
        "FAMILY_RELATIONSHIPS": HeadlineNeeds(
            5,
            (
                Need("PARENTAL_CONFLICT", ADULT, (SOCIAL_CARE, FAMILY), Who.PARENT),
                Need("CHILD_TO_PARENT", (10, 17), (POLICE, SOCIAL_CARE), weight=1),
                Need("PARENTING", ADULT, (SOCIAL_CARE, SCHOOL), Who.PARENT_IN_HOUSEHOLD),
            ),
        ),
        "SAFE_CHILDREN": HeadlineNeeds(
            5,
            (
                Need("CHILD_IN_NEED", CHILD, (SOCIAL_CARE,), weight=5),
                Need("EXPLOITATION", (10, 17), (POLICE, SOCIAL_CARE), weight=1),
                Need("MISSING", (10, 17), (POLICE,), weight=1),
            ),
        ),
        "CRIME": HeadlineNeeds(
            3,
            (
                Need("ADULT_CRIME", ADULT, (POLICE,)),
                Need("YOUTH_CRIME", (10, 17), (YOUTH_JUSTICE, POLICE)),
            ),
        ),
        "DOMESTIC_ABUSE": HeadlineNeeds(
            4,
            (
                Need("POLICE_INCIDENT", ADULT, (POLICE,), Who.PARENT),
                Need("KNOWN_TO_SERVICES", ADULT, (SOCIAL_CARE, HEALTH), Who.PARENT),
            ),
        ),
        "HOUSING": HeadlineNeeds(
            4,
            (
                Need("HOMELESS", ADULT, (HOUSING,), Who.PARENT_IN_HOUSEHOLD, weight=1),
                Need("EVICTION_RISK", ADULT, (HOUSING,), Who.PARENT_IN_HOUSEHOLD),
                Need("UNSUITABLE", ADULT, (HOUSING,), Who.PARENT_IN_HOUSEHOLD),
            ),
        ),
        "FINANCIAL": HeadlineNeeds(
            7,
            (
                Need("WORKLESS", (18, 66), (DWP,), weight=4),
                Need("PROBLEM_DEBT", ADULT, (HOUSING, FAMILY)),
            ),
        ),
    },
}


def criteria_choose(
    rng: random.Random,
    *,
    rules: FrameworkRules,
    members: Sequence[DemoMember],
    screened_on: datetime.date,
) -> tuple[DemoCriterion, ...]:
    """The criteria a caseworker records for the family: a number of headlines around the
    framework's minimum, each met by one or two members it fits."""
    by_id = {m.public_id: m for m in members}
    ages = {m.public_id: age_in_years(born_on=m.date_of_birth, on=screened_on) for m in members}
    headlines = NEEDS[rules.code]
    fitting = {
        code: {
            m.public_id: needs
            for m in members
            if (needs := [n for n in headline.needs if n.fits(m, ages[m.public_id])])
        }
        for code, headline in headlines.items()
    }
    (over,) = rng.choices(HEADLINES_OVER_MINIMUM, weights=HEADLINES_OVER_MINIMUM_WEIGHTS)
    chosen = _weighted_sample(
        rng,
        [code for code in headlines if fitting[code]],
        weights=[headlines[code].weight for code in headlines if fitting[code]],
        count=max(1, rules.min_headlines + over),
    )
    criteria = []
    # In the framework's order: a set of strings is ordered differently from one process to
    # the next (hash randomisation), and the draws that follow must not be.
    for code in [code for code, _ in rules.headlines if code in chosen]:
        candidates = fitting[code]
        count = 2 if len(candidates) > 1 and rng.random() < SECOND_MEMBER_CHANCE else 1
        for member in rng.sample(sorted(candidates), count):
            criteria.append(
                _criterion(
                    rng,
                    member=by_id[member],
                    headline_code=code,
                    needs=candidates[member],
                    screened_on=screened_on,
                )
            )
    return tuple(criteria)


def _criterion(
    rng: random.Random,
    *,
    member: DemoMember,
    headline_code: str,
    needs: list[Need],
    screened_on: datetime.date,
) -> DemoCriterion:
    (need,) = rng.choices(needs, weights=[n.weight for n in needs])
    days_before = rng.randint(*EVIDENCE_DAYS_BEFORE_SCREENING)
    return DemoCriterion(
        member=member.public_id,
        headline_code=headline_code,
        indicator_code=need.indicator,
        # Evidence about a baby cannot come before the birth.
        evidence_on=max(member.date_of_birth, screened_on - datetime.timedelta(days=days_before)),
        evidence_source=rng.choice(need.sources),
        evidence_note=rng.choice(EVIDENCE_NOTES) if rng.random() < NOTE_CHANCE else "",
    )


def _weighted_sample(
    rng: random.Random, codes: list[str], *, weights: list[int], count: int
) -> set[str]:
    """`count` codes (or all, if fewer), drawn without replacement, likelier by weight."""
    remaining = dict(zip(codes, weights, strict=True))
    chosen: set[str] = set()
    while remaining and len(chosen) < count:
        (code,) = rng.choices(list(remaining), weights=list(remaining.values()))
        chosen.add(code)
        del remaining[code]
    return chosen


def _is(member: DemoMember, who: Who) -> bool:
    match who:
        case Who.ANYONE:
            return True
        case Who.IN_HOUSEHOLD:
            return member.lives_in_household
        case Who.PARENT:
            return member.relationship in PARENTS
        case Who.PARENT_IN_HOUSEHOLD:
            return member.relationship in PARENTS and member.lives_in_household
        case Who.EXPECTANT:
            return member.expectant_parent
        case Who.NOT_IN_EDUCATION:
            return not member.in_full_time_education
    assert_never(who)
