"""How complete a period's Family Progress Data is, for one authority: by family, by measure
and by member.

A question (progress/due.py) is a measure asked of a family or of one member; it is
recorded when its return holds a value for it ("unknown" included), and a gap otherwise.
Values kept for questions no longer asked (a member who moved on, say) count for nothing.

Families are read with their members and values in bulk, a few queries for any number of
families: all at once for a page, in chunks for the gaps download so that memory stays flat.
"""

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from changing_lives.authorities.models import LocalAuthority
from families.models import Family, FamilyQuerySet, Individual
from progress.due import Question, families_due, measures_asked, questions_for
from progress.models import FamilyReturn, Measure, Period, ProgressValue, ReturnStatus
from progress.services import Key, key_of
from progress.values import UNKNOWN

# A due family with no return yet (a return is created when its first value is saved).
NOT_STARTED = "not_started"
# Families read at a time for the gaps download: big enough that the queries per chunk do
# not dominate, small enough that a chunk's members and values sit easily in memory.
CHUNK_SIZE = 500


def percent_of(part: int, whole: int) -> int | None:
    """Whole per cent, rounded down so that a period with one gap left never shows 100%;
    None when nothing was asked."""
    return None if whole == 0 else part * 100 // whole


@dataclass(frozen=True)
class FamilyCompleteness:
    """One due family's return: what it asks and which of those it holds."""

    family: Family
    # A ReturnStatus value, or NOT_STARTED when the family has no return yet.
    status: str
    questions: tuple[Question, ...]
    recorded_keys: frozenset[Key]
    unknown_keys: frozenset[Key]

    @property
    def asked(self) -> int:
        return len(self.questions)

    @property
    def recorded(self) -> int:
        return sum(1 for question in self.questions if key_of(question) in self.recorded_keys)

    @property
    def gaps(self) -> list[Question]:
        return [q for q in self.questions if key_of(q) not in self.recorded_keys]


@dataclass(frozen=True)
class MeasureCompleteness:
    measure: Measure
    asked: int
    recorded: int
    unknown: int

    @property
    def percent_recorded(self) -> int | None:
        return percent_of(self.recorded, self.asked)


@dataclass(frozen=True)
class WhoseGaps:
    """The measures not yet recorded for the family itself (individual None) or a member."""

    family: Family
    individual: Individual | None
    measures: tuple[Measure, ...]


@dataclass(frozen=True)
class Gap:
    """One question of a due family's return with no value: a row of the gaps download."""

    family: Family
    individual: Individual | None
    measure: Measure
    status: str


@dataclass(frozen=True)
class PeriodCompleteness:
    period: Period
    measures: list[Measure]
    families: list[FamilyCompleteness]

    @property
    def families_due(self) -> int:
        return len(self.families)

    def _with_status(self, status: str) -> int:
        return sum(1 for family in self.families if family.status == status)

    @property
    def returns_complete(self) -> int:
        return self._with_status(ReturnStatus.COMPLETE)

    @property
    def returns_in_progress(self) -> int:
        return self._with_status(ReturnStatus.IN_PROGRESS)

    @property
    def returns_not_started(self) -> int:
        return self._with_status(NOT_STARTED)

    @property
    def asked(self) -> int:
        return sum(family.asked for family in self.families)

    @property
    def recorded(self) -> int:
        return sum(family.recorded for family in self.families)

    @property
    def percent_recorded(self) -> int | None:
        return percent_of(self.recorded, self.asked)

    @property
    def all_complete(self) -> bool:
        return self.returns_complete == self.families_due

    def is_overdue(self, today: datetime.date) -> bool:
        """Past its due date with a return still not complete."""
        return self.period.due_on < today and not self.all_complete

    def by_measure(self) -> list[MeasureCompleteness]:
        asked: dict[int, int] = dict.fromkeys((m.pk for m in self.measures), 0)
        recorded = asked.copy()
        unknown = asked.copy()
        for family in self.families:
            for question in family.questions:
                key = key_of(question)
                asked[question.measure.pk] += 1
                recorded[question.measure.pk] += key in family.recorded_keys
                unknown[question.measure.pk] += key in family.unknown_keys
        return [
            MeasureCompleteness(m, asked[m.pk], recorded[m.pk], unknown[m.pk])
            for m in self.measures
        ]


def periods_ended(today: datetime.date) -> QuerySet[Period]:
    """Periods whose returns can be complete: those that ended before today, newest first."""
    return Period.objects.filter(end_on__lt=today).order_by("-start_on")


def period_completeness(authority: LocalAuthority, period: Period) -> PeriodCompleteness:
    """Every due family of the authority, with its return's state. Four queries (measures,
    families, their members, their values) whatever the number of families."""
    measures = measures_asked(period)
    families = list(_due_with_status(authority, period).prefetch_related("members"))
    return PeriodCompleteness(period, measures, _assess(families, period, measures))


def gaps_by_whom(families: Iterable[FamilyCompleteness]) -> list[WhoseGaps]:
    """The gaps of these families, one row for the family and one per member with any, in
    the return's own order (the family's measures, then members by age)."""
    rows: list[WhoseGaps] = []
    for family in families:
        grouped: dict[int | None, list[Question]] = {}
        for question in family.gaps:
            grouped.setdefault(key_of(question)[1], []).append(question)
        rows.extend(
            WhoseGaps(
                family.family,
                questions[0].individual,
                tuple(question.measure for question in questions),
            )
            for questions in grouped.values()
        )
    return rows


def gaps_iter(authority: LocalAuthority, period: Period) -> Iterator[Gap]:
    """Every gap of the period, by LA family ID; families are read a chunk at a time so a
    large authority's download never holds all of them in memory."""
    measures = measures_asked(period)
    for chunk in _due_in_chunks(authority, period):
        for family in _assess(chunk, period, measures):
            for question in family.gaps:
                yield Gap(family.family, question.individual, question.measure, family.status)


def due_and_complete(authority: LocalAuthority, period: Period) -> tuple[int, int]:
    """Families due and returns complete for a period, counted in one query (no values
    read): for summaries that need no more than that."""
    complete = FamilyReturn.objects.filter(
        family=OuterRef("pk"), period=period, status=ReturnStatus.COMPLETE
    )
    figures = families_due(authority, period).aggregate(
        due=Count("pk"), complete=Count("pk", filter=Q(Exists(complete)))
    )
    return figures["due"], figures["complete"]


def _due_with_status(authority: LocalAuthority, period: Period) -> FamilyQuerySet:
    status = FamilyReturn.objects.filter(family=OuterRef("pk"), period=period).values("status")
    return (
        families_due(authority, period)
        .annotate(return_status=Subquery(status[:1]))
        .order_by("la_family_id")
    )


def _due_in_chunks(authority: LocalAuthority, period: Period) -> Iterator[list[Family]]:
    """Due families, CHUNK_SIZE at a time, each with its members; paged by the last LA
    family ID seen (unique in an authority), not by offset, so a later chunk costs no more
    than the first."""
    families = _due_with_status(authority, period).prefetch_related("members")
    after = Q()
    while chunk := list(families.filter(after)[:CHUNK_SIZE]):
        yield chunk
        after = Q(la_family_id__gt=chunk[-1].la_family_id)


def _assess(
    families: list[Family], period: Period, measures: list[Measure]
) -> list[FamilyCompleteness]:
    """Each family's questions against its stored values, with one query for all the
    values. The families must come with their members prefetched and `return_status`."""
    recorded: dict[int, set[Key]] = {}
    unknown: dict[int, set[Key]] = {}
    values = ProgressValue.objects.filter(
        family_return__period=period, family_return__family__in=[f.pk for f in families]
    ).values_list("family_return__family_id", "measure_id", "individual_id", "value")
    for family_id, measure_id, individual_id, value in values:
        recorded.setdefault(family_id, set()).add((measure_id, individual_id))
        if value == UNKNOWN:
            unknown.setdefault(family_id, set()).add((measure_id, individual_id))
    return [
        FamilyCompleteness(
            family=family,
            status=family.return_status or NOT_STARTED,  # type: ignore[attr-defined]
            questions=tuple(questions_for(family, period, measures)),
            recorded_keys=frozenset(recorded.get(family.pk, ())),
            unknown_keys=frozenset(unknown.get(family.pk, ())),
        )
        for family in families
    ]
