"""A demo family's way through the programme after its assessment: the decision, support
(perhaps after a time in the comparison group) and its end, as status moves.

Every move goes through eligibility.status.next_status, so the history is one the product
itself would allow; a move it refuses is a bug here and raises MoveRefused. Every date and
choice is drawn first, then the history is cut at `today`: nothing is dated after it.
"""

import datetime
import random
from dataclasses import dataclass, field

from changing_lives.demo.families.records import (
    DemoAssessment,
    DemoMove,
    DemoProgramme,
    DemoSupport,
)
from eligibility.models import EndReason, SupportIntensity
from eligibility.status import Move, next_status
from families.models import FamilyStatus

# Eligible families: most start support, some go to the comparison group first.
COMPARISON_CHANCE = 0.2
# Of those, about half are offered support later.
SUPPORT_AFTER_COMPARISON_CHANCE = 0.5
# Days from screening to the decision (confirming not eligible, or the comparison group):
# mostly a week or two, now and then a panel's wait of months.
DECISION_DAYS = (0, 90, 7)  # triangular: low, high, mode
# Days from screening to support starting: mostly a couple of weeks, longer when the
# family waits for a keyworker.
SUPPORT_START_DAYS = (3, 90, 14)  # triangular
COMPARISON_DAYS_BEFORE_SUPPORT = (90, 365)
# Support lasts from a few months to a year and a half.
SUPPORT_DAYS = (60, 540, 240)  # triangular: low, high, mode
INTENSITIES = (SupportIntensity.LIGHT, SupportIntensity.STANDARD, SupportIntensity.INTENSIVE)
INTENSITY_WEIGHTS = (25, 55, 20)
END_REASONS = (
    EndReason.OUTCOMES_ACHIEVED,
    EndReason.DISENGAGED,
    EndReason.MOVED_AWAY,
    EndReason.STEPPED_UP,
    EndReason.OTHER,
)
END_REASON_WEIGHTS = (65, 12, 8, 8, 7)


@dataclass(frozen=True)
class _Plan:
    """Every date and choice of the family's history, drawn up front."""

    decided_on: datetime.date
    comparison: bool
    support_after_comparison: bool
    support_starts_on: datetime.date
    intensity: SupportIntensity
    support_ends_on: datetime.date
    end_reason: EndReason


@dataclass
class _History:
    eligible: bool
    today: datetime.date
    status: FamilyStatus = FamilyStatus.REFERRED
    moves: list[DemoMove] = field(default_factory=list)

    def make(self, move: Move, on: datetime.date) -> bool:
        """Make the move if `on` is not after today; say whether it was made."""
        if on > self.today:
            return False
        after = FamilyStatus(next_status(current=self.status, move=move, eligible=self.eligible))
        self.moves.append(DemoMove(move=move, from_status=self.status, to_status=after, on=on))
        self.status = after
        return True


def demo_programme_generate(
    rng: random.Random, *, assessment: DemoAssessment | None, today: datetime.date
) -> DemoProgramme:
    if assessment is None:
        return DemoProgramme(assessment=None, moves=(), supports=())
    plan = _plan(rng, screened_on=assessment.screened_on)
    history = _History(eligible=assessment.effective_eligible, today=today)
    history.make(Move.ASSESS, assessment.screened_on)
    support = _decision_and_support(history, plan)
    return DemoProgramme(
        assessment=assessment,
        moves=tuple(history.moves),
        supports=(support,) if support else (),
    )


def _plan(rng: random.Random, *, screened_on: datetime.date) -> _Plan:
    def days(count: float) -> datetime.timedelta:
        return datetime.timedelta(days=round(count))

    decided_on = screened_on + days(rng.triangular(*DECISION_DAYS))
    comparison = rng.random() < COMPARISON_CHANCE
    support_after_comparison = rng.random() < SUPPORT_AFTER_COMPARISON_CHANCE
    support_starts_on = (
        decided_on + days(rng.randint(*COMPARISON_DAYS_BEFORE_SUPPORT))
        if comparison
        else screened_on + days(rng.triangular(*SUPPORT_START_DAYS))
    )
    (intensity,) = rng.choices(INTENSITIES, weights=INTENSITY_WEIGHTS)
    (end_reason,) = rng.choices(END_REASONS, weights=END_REASON_WEIGHTS)
    return _Plan(
        decided_on=decided_on,
        comparison=comparison,
        support_after_comparison=support_after_comparison,
        support_starts_on=support_starts_on,
        intensity=intensity,
        support_ends_on=support_starts_on + days(rng.triangular(*SUPPORT_DAYS)),
        end_reason=end_reason,
    )


def _decision_and_support(history: _History, plan: _Plan) -> DemoSupport | None:
    """The moves after the assessment, up to today; the support period, if it started."""
    if not history.eligible:
        history.make(Move.CONFIRM_NOT_ELIGIBLE, plan.decided_on)
        return None
    if plan.comparison:
        placed = history.make(Move.PLACE_IN_COMPARISON, plan.decided_on)
        if not (placed and plan.support_after_comparison):
            return None
    if not history.make(Move.START_SUPPORT, plan.support_starts_on):
        return None
    if not history.make(Move.CLOSE, plan.support_ends_on):
        return DemoSupport(plan.support_starts_on, plan.intensity, ended_on=None, end_reason=None)
    return DemoSupport(
        plan.support_starts_on, plan.intensity, plan.support_ends_on, plan.end_reason
    )
