"""Who is due a return, and what is asked of them.

A family is due for a period if it was in intervention (receiving support) at any time in
it; its members are asked each individual measure that applies to their age at the period's
end. The comparison group is never due: it is not supported.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

from changing_lives.authorities.models import LocalAuthority
from eligibility.models import Intervention
from eligibility.rules import age_in_years
from families.models import Family, FamilyQuerySet, Individual
from progress.models import Measure, MeasureLevel, Period
from progress.values import applies_at_age


def supported_during(period: Period) -> Q:
    """Families with a support period that overlaps `period`."""
    return Q(
        Exists(
            Intervention.objects.filter(
                family=OuterRef("pk"), started_on__lte=period.end_on
            ).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=period.start_on))
        )
    )


def families_due(authority: LocalAuthority, period: Period) -> FamilyQuerySet:
    return Family.objects.for_authority(authority).filter(supported_during(period))


@dataclass(frozen=True)
class Question:
    """One value asked in a family's return: a measure, for the family or one member."""

    measure: Measure
    individual: Individual | None


def asked_in_period(
    *,
    introduced_on: datetime.date | None,
    retired_on: datetime.date | None,
    period_end: datetime.date,
) -> bool:
    """A measure is asked for a period it was introduced by the end of, and not retired by."""
    introduced = introduced_on is None or introduced_on <= period_end
    return introduced and (retired_on is None or retired_on > period_end)


def asked_of_member(
    *, min_age: int | None, max_age: int | None, born_on: datetime.date, period_end: datetime.date
) -> bool:
    """An individual measure is asked of a member born by the period's end whose age then is
    in the measure's range."""
    if born_on > period_end:
        return False
    age = age_in_years(born_on=born_on, on=period_end)
    return applies_at_age(min_age=min_age, max_age=max_age, age=age)


def questions_for(family: Family, period: Period, measures: list[Measure]) -> list[Question]:
    """Every value the family's return must hold: family measures, then each member's."""
    questions = [
        Question(measure, None) for measure in measures if measure.level == MeasureLevel.FAMILY
    ]
    for member in family.members.all():
        questions.extend(
            Question(measure, member)
            for measure in measures
            if measure.level == MeasureLevel.INDIVIDUAL
            and asked_of_member(
                min_age=measure.min_age,
                max_age=measure.max_age,
                born_on=member.date_of_birth,
                period_end=period.end_on,
            )
        )
    return questions


def measures_asked(period: Period) -> list[Measure]:
    """The measures in use for a period: the query form of asked_in_period."""
    return list(
        Measure.objects.filter(Q(retired_on__isnull=True) | Q(retired_on__gt=period.end_on)).filter(
            Q(introduced_on__isnull=True) | Q(introduced_on__lte=period.end_on)
        )
    )


def collection_periods(today: datetime.date) -> tuple[Period | None, list[Period]]:
    """The latest period to have ended, whose returns caseworkers are working on now (due or,
    after its due date, overdue), and the earlier ended periods, newest first."""
    ended = list(Period.objects.filter(end_on__lt=today).order_by("-end_on"))
    return (ended[0] if ended else None), ended[1:]
