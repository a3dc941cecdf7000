"""A demo family's Family Progress Data: a return for each period of its support that had
ended by the day it was made, filled in as caseworkers fill them in, with gaps.

What is asked follows progress.due.questions_for (family measures, then each member's
individual measures by age at the period's end), made here from the in-memory members with
the same rule functions, as the generated family is not stored yet. The values themselves
are drawn in progress_values.
"""

import datetime
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace

from django.utils import timezone

from changing_lives.demo.families.progress_catalogue import (
    ProgressCatalogue,
    ProgressMeasure,
    ProgressPeriod,
)
from changing_lives.demo.families.progress_values import (
    FamilyTraits,
    MemberTraits,
    family_traits,
    member_traits,
    value_draw,
)
from changing_lives.demo.families.records import (
    DemoMember,
    DemoReturn,
    DemoSupport,
    DemoValue,
)
from eligibility.rules import age_in_years
from progress.due import asked_of_member
from progress.models import MeasureLevel, ReturnStatus

# Returns past their due date: mostly complete, some left in progress, a few never started.
PAST_DUE_GAPS = {"complete": 88, "in_progress": 8, "not_started": 4}
# Returns of the period being collected now (ended, not yet due): mostly still to do.
BEING_COLLECTED_GAPS = {"complete": 20, "in_progress": 45, "not_started": 35}
# A return left in progress past its due date lacks only a few values.
MOST_MISSING_PAST_DUE = 3
# A complete return is mostly completed a week or so before its due date; some are late.
DAYS_EARLY_AT_MOST_OFTEN = 7
DAYS_LATE_AT_MOST = 60
# Now and then a value is corrected after its return was complete.
CORRECTION_CHANCE = 0.005


@dataclass(frozen=True, slots=True)
class _Question:
    measure: ProgressMeasure
    member: DemoMember | None
    age: int  # the member's at the period's end; 0 for the family


def demo_progress_generate(
    rng: random.Random,
    *,
    members: Sequence[DemoMember],
    supports: Sequence[DemoSupport],
    catalogue: ProgressCatalogue,
    today: datetime.date,
) -> tuple[DemoReturn, ...]:
    """The family's returns: one for each period that overlaps a support period and ended
    before `today`, except those never started. Every value is drawn, even for a return
    left unstarted, so how the gaps fall never changes the values around them."""
    periods = [
        period
        for period in catalogue.periods
        if period.end_on < today and any(_overlaps(support, period) for support in supports)
    ]
    if not periods:
        return ()
    family = family_traits(rng)
    traits = {member.public_id: member_traits(rng, member) for member in members}
    returns = []
    for index, period in enumerate(periods):
        questions = _questions(members, period, catalogue.measures)
        values = [_value(rng, question, family, traits, index) for question in questions]
        made = _return(rng, period, values, today=today)
        if made is not None:
            returns.append(made)
    return tuple(returns)


def _overlaps(support: DemoSupport, period: ProgressPeriod) -> bool:
    # As progress.due.supported_during.
    return support.started_on <= period.end_on and (
        support.ended_on is None or support.ended_on >= period.start_on
    )


def _questions(
    members: Sequence[DemoMember], period: ProgressPeriod, measures: Sequence[ProgressMeasure]
) -> list[_Question]:
    asked = [measure for measure in measures if measure.asked_in(period)]
    questions = [
        _Question(measure, None, 0) for measure in asked if measure.level == MeasureLevel.FAMILY
    ]
    for member in members:
        born = member.date_of_birth
        questions.extend(
            _Question(measure, member, age_in_years(born_on=born, on=period.end_on))
            for measure in asked
            if measure.level == MeasureLevel.INDIVIDUAL
            and asked_of_member(
                min_age=measure.min_age, max_age=measure.max_age, born_on=born,
                period_end=period.end_on,
            )
        )  # fmt: skip
    return questions


def _value(
    rng: random.Random,
    question: _Question,
    family: FamilyTraits,
    traits: dict[uuid.UUID, MemberTraits],
    index: int,
) -> DemoValue:
    member = question.member
    value = value_draw(
        rng,
        question.measure,
        family=family,
        member=traits[member.public_id] if member else None,
        age=question.age,
        periods_supported=index,
    )
    return DemoValue(
        measure_id=question.measure.pk,
        member=member.public_id if member else None,
        value=value,
        correction_pending=False,
    )


def _return(
    rng: random.Random, period: ProgressPeriod, values: list[DemoValue], *, today: datetime.date
) -> DemoReturn | None:
    being_collected = period.due_on >= today
    gaps = BEING_COLLECTED_GAPS if being_collected else PAST_DUE_GAPS
    (gap,) = rng.choices(list(gaps), weights=list(gaps.values()))
    # A return with a single question cannot be part-done: it is done.
    if gap == "in_progress" and len(values) < 2:
        gap = "complete"
    if gap == "not_started":
        return None
    if gap == "in_progress":
        most = len(values) - 1 if being_collected else min(MOST_MISSING_PAST_DUE, len(values) - 1)
        missing = set(rng.sample(range(len(values)), rng.randint(1, most)))
        kept = tuple(value for index, value in enumerate(values) if index not in missing)
        return DemoReturn(period.pk, ReturnStatus.IN_PROGRESS, completed_at=None, values=kept)
    corrected = tuple(
        replace(value, correction_pending=True) if rng.random() < CORRECTION_CHANCE else value
        for value in values
    )
    return DemoReturn(
        period.pk,
        ReturnStatus.COMPLETE,
        completed_at=_completed_at(rng, period, today=today),
        values=corrected,
    )


def _completed_at(
    rng: random.Random, period: ProgressPeriod, *, today: datetime.date
) -> datetime.datetime:
    """A working hour of a day after the period ended, and never after `today`."""
    latest = min(today, period.due_on + datetime.timedelta(days=DAYS_LATE_AT_MOST))
    span = (latest - period.end_on).days
    due_in = (period.due_on - period.end_on).days
    most_often = max(1, min(span, due_in - DAYS_EARLY_AT_MOST_OFTEN))
    days = round(rng.triangular(1, span, most_often))
    return datetime.datetime.combine(
        period.end_on + datetime.timedelta(days=days),
        datetime.time(hour=rng.randint(9, 16), minute=rng.randrange(60)),
        tzinfo=timezone.get_default_timezone(),
    )
