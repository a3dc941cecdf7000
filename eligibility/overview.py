"""The programme overview's figures: families by status, by headline, over time, and each
recent period's Family Progress Data returns.

Aggregates only (counts), computed per authority; no names or identifiers leave here.
"""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import TruncQuarter

from changing_lives.authorities.models import LocalAuthority
from eligibility.models import Assessment, AssessmentQuerySet, Framework
from families.models import Family, FamilyStatus
from progress.completeness import due_and_complete, periods_ended

QUARTERS_SHOWN = 8
PERIODS_SHOWN = 4


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    # Share of the chart's largest bar, 0-100, for the bar's drawn length.
    percent: int


@dataclass(frozen=True)
class QuarterBar:
    label: str
    eligible: int
    not_eligible: int
    eligible_percent: int
    not_eligible_percent: int


@dataclass(frozen=True)
class PeriodBar:
    label: str
    due: int
    complete: int
    complete_percent: int
    not_complete_percent: int


def _bars(pairs: list[tuple[str, int]]) -> list[Bar]:
    largest = max((value for _, value in pairs), default=0) or 1
    return [Bar(label, value, round(100 * value / largest)) for label, value in pairs]


def families_by_status(authority: LocalAuthority) -> list[Bar]:
    counts = dict(
        Family.objects.for_authority(authority)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return _bars([(status.label, counts.get(status.value, 0)) for status in FamilyStatus])


def latest_assessments(authority: LocalAuthority) -> AssessmentQuerySet:
    latest = Assessment.objects.filter(family=OuterRef("family")).order_by("-created_at", "-id")
    return Assessment.objects.for_authority(authority).filter(pk=Subquery(latest.values("pk")[:1]))


def families_by_headline(authority: LocalAuthority) -> dict[Framework, list[Bar]]:
    """For each framework in use: how many families meet each headline in their latest
    assessment."""
    counts: dict[int, Counter[str]] = {}
    for framework_id, headlines in latest_assessments(authority).values_list(
        "framework_id", "headlines_counted"
    ):
        counts.setdefault(framework_id, Counter()).update(headlines)
    result = {}
    for framework in Framework.objects.filter(pk__in=counts).prefetch_related("headlines"):
        tally = counts[framework.pk]
        result[framework] = _bars([(h.label, tally[h.code]) for h in framework.headlines.all()])
    return result


def overridden_decisions(authority: LocalAuthority) -> AssessmentQuerySet:
    """Every assessment whose decision a team manager overrode, newest first."""
    return (
        Assessment.objects.for_authority(authority)
        .filter(override_eligible__isnull=False)
        .select_related("family", "overridden_by")
        .order_by("-overridden_at")
    )


def assessments_by_quarter(authority: LocalAuthority, today: datetime.date) -> list[QuarterBar]:
    """Families assessed in each of the last eight calendar quarters, eligible or not (each
    assessment's own decision, overrides included)."""
    first = _quarter_start(today)
    for _ in range(QUARTERS_SHOWN - 1):
        first = _quarter_start(first - datetime.timedelta(days=1))
    rows = (
        Assessment.objects.for_authority(authority)
        .filter(screened_on__gte=first)
        .annotate(quarter=TruncQuarter("screened_on"))
        .values_list("quarter", "eligible", "override_eligible")
    )
    tally: Counter[tuple[datetime.date, bool]] = Counter()
    for quarter, eligible, override in rows:
        tally[(quarter, eligible if override is None else override)] += 1
    quarters = []
    start = first
    for _ in range(QUARTERS_SHOWN):
        quarters.append(start)
        start = _quarter_start(start + datetime.timedelta(days=100))
    largest = max((tally[(q, True)] + tally[(q, False)] for q in quarters), default=0) or 1
    return [
        QuarterBar(
            label=f"{_QUARTER_NAMES[q.month]} {q.year}",
            eligible=tally[(q, True)],
            not_eligible=tally[(q, False)],
            eligible_percent=round(100 * tally[(q, True)] / largest),
            not_eligible_percent=round(100 * tally[(q, False)] / largest),
        )
        for q in quarters
    ]


def progress_by_period(authority: LocalAuthority, today: datetime.date) -> list[PeriodBar]:
    """Families due a Family Progress Data return, and returns complete, in each of the last
    four periods that have ended, oldest first (one query for each)."""
    periods = list(periods_ended(today)[:PERIODS_SHOWN])[::-1]
    figures = [(period, *due_and_complete(authority, period)) for period in periods]
    largest = max((due for _, due, _ in figures), default=0) or 1
    return [
        PeriodBar(
            label=period.label,
            due=due,
            complete=complete,
            complete_percent=round(100 * complete / largest),
            not_complete_percent=round(100 * (due - complete) / largest),
        )
        for period, due, complete in figures
    ]


_QUARTER_NAMES = {1: "Jan to Mar", 4: "Apr to Jun", 7: "Jul to Sep", 10: "Oct to Dec"}


def _quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
