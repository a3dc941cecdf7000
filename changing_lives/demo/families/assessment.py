"""A demo family's assessment: when it is screened, under which framework, the criteria
recorded, the decision the product's rules make from them, and now and then an override."""

import datetime
import random
from collections.abc import Mapping, Sequence

from django.utils import timezone

from changing_lives.demo.families.frameworks import framework_code_on
from changing_lives.demo.families.needs import criteria_choose
from changing_lives.demo.families.records import (
    DemoAssessment,
    DemoCriterion,
    DemoMember,
    DemoOverride,
    demo_uuid,
)
from eligibility.rules import CriterionFacts, Decision, FrameworkRules, decide
from eligibility.services import member_facts
from families.models import Individual

ASSESSED_CHANCE = 0.9
# Screening follows referral by days to weeks.
SCREENING_DAYS_AFTER_REFERRAL = (0, 42)
OVERRIDE_CHANCE = 0.01
# Keyed by the decision the override gives. Neutral: no personal details.
OVERRIDE_REASONS = {
    True: (
        "Panel agreed the family meets the programme's intent; further needs to be recorded "
        "at review.",
        "Needs confirmed by partner agencies after the screening.",
    ),
    False: (
        "Needs already met by another service; panel agreed not to open a case.",
        "Panel agreed the recorded needs are being met by a single agency.",
    ),
}


def demo_assessment_generate(
    rng: random.Random,
    *,
    members: Sequence[DemoMember],
    referred_on: datetime.date,
    today: datetime.date,
    rules_by_code: Mapping[str, FrameworkRules],
) -> DemoAssessment | None:
    """The family's assessment, or None if it is not screened (yet, or at all)."""
    assessed = rng.random() < ASSESSED_CHANCE
    screened_on = referred_on + datetime.timedelta(days=rng.randint(*SCREENING_DAYS_AFTER_REFERRAL))
    if not assessed or screened_on > today:
        return None
    rules = rules_by_code[framework_code_on(screened_on)]
    criteria = criteria_choose(rng, rules=rules, members=members, screened_on=screened_on)
    decision = _decision(rules=rules, members=members, criteria=criteria, screened_on=screened_on)
    override = _override(rng, computed=decision.eligible, screened_on=screened_on)
    return DemoAssessment(
        public_id=demo_uuid(rng),
        framework_code=rules.code,
        screened_on=screened_on,
        criteria=criteria,
        decision=decision,
        # An override stamped later today could be in the future: only past screenings get one.
        override=override if screened_on < today else None,
    )


def _decision(
    *,
    rules: FrameworkRules,
    members: Sequence[DemoMember],
    criteria: Sequence[DemoCriterion],
    screened_on: datetime.date,
) -> Decision:
    """The decision exactly as eligibility.services.assessment_record makes it: the same
    snapshot of the members (through the services' own member_facts) and the same rules."""
    return decide(
        rules=rules,
        members=[member_facts(_unsaved_individual(member)) for member in members],
        criteria=[
            CriterionFacts(member_key=str(c.member), headline_code=c.headline_code)
            for c in criteria
        ],
        screened_on=screened_on,
    )


def _unsaved_individual(member: DemoMember) -> Individual:
    return Individual(
        public_id=member.public_id,
        forename=member.forename,
        other_names=member.other_names,
        surname=member.surname,
        date_of_birth=member.date_of_birth,
        relationship=member.relationship,
        lives_in_household=member.lives_in_household,
        expectant_parent=member.expectant_parent,
        in_full_time_education=member.in_full_time_education,
    )


def _override(
    rng: random.Random, *, computed: bool, screened_on: datetime.date
) -> DemoOverride | None:
    """Now and then a team manager's override, made on the screening day while the family
    awaits a decision (as the service requires); it always flips the computed decision."""
    if rng.random() >= OVERRIDE_CHANCE:
        return None
    eligible = not computed
    at = datetime.datetime.combine(
        screened_on,
        datetime.time(hour=rng.randint(9, 16), minute=rng.randrange(60)),
        tzinfo=timezone.get_default_timezone(),
    )
    return DemoOverride(eligible=eligible, reason=rng.choice(OVERRIDE_REASONS[eligible]), at=at)
