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


def questions_for(family: Family, period: Period, measures: list[Measure]) -> list[Question]:
    """Every value the family's return must hold: family measures, then each member's."""
    questions = [
        Question(measure, None) for measure in measures if measure.level == MeasureLevel.FAMILY
    ]
    for member in family.members.all():
        age = age_in_years(born_on=member.date_of_birth, on=period.end_on)
        questions.extend(
            Question(measure, member)
            for measure in measures
            if measure.level == MeasureLevel.INDIVIDUAL
            and member.date_of_birth <= period.end_on
            and applies_at_age(min_age=measure.min_age, max_age=measure.max_age, age=age)
        )
    return questions


def measures_asked(period: Period) -> list[Measure]:
    """The measures in use for a period: introduced by its end, and not retired by then."""
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
