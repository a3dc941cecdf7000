"""The periods and measures of Family Progress Data as the demo needs them, read from the
database once per run and passed to generation as plain data."""

import datetime
from dataclasses import dataclass

from progress.due import asked_in_period
from progress.models import Measure, Period


@dataclass(frozen=True, slots=True)
class ProgressPeriod:
    pk: int
    start_on: datetime.date
    end_on: datetime.date
    due_on: datetime.date


@dataclass(frozen=True, slots=True)
class ProgressMeasure:
    pk: int
    code: str
    level: str
    kind: str
    min_age: int | None
    max_age: int | None
    codes: tuple[str, ...]
    introduced_on: datetime.date | None
    retired_on: datetime.date | None

    def asked_in(self, period: ProgressPeriod) -> bool:
        return asked_in_period(
            introduced_on=self.introduced_on, retired_on=self.retired_on, period_end=period.end_on
        )


@dataclass(frozen=True)
class ProgressCatalogue:
    periods: tuple[ProgressPeriod, ...]  # earliest first
    measures: tuple[ProgressMeasure, ...]  # in the order a return lists them


def progress_catalogue() -> ProgressCatalogue:
    """Every period and measure, retired and not yet introduced ones too (two queries)."""
    periods = Period.objects.order_by("start_on")
    measures = Measure.objects.order_by("order", "code")
    return ProgressCatalogue(
        periods=tuple(
            ProgressPeriod(pk=p.pk, start_on=p.start_on, end_on=p.end_on, due_on=p.due_on)
            for p in periods
        ),
        measures=tuple(
            ProgressMeasure(
                pk=m.pk,
                code=m.code,
                level=m.level,
                kind=m.kind,
                min_age=m.min_age,
                max_age=m.max_age,
                codes=tuple(code for code, _ in m.codes),
                introduced_on=m.introduced_on,
                retired_on=m.retired_on,
            )
            for m in measures
        ),
    )
