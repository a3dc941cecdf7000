"""Reaching a period by its start date and a measure by its code (both are reference data,
not personal records, so their dates and codes may name them in URLs)."""

import datetime

from django.http import Http404

from progress.models import Measure, Period


def period_starting(start: str) -> Period:
    try:
        day = datetime.date.fromisoformat(start)
    except ValueError:
        raise Http404("No such period") from None
    period = Period.objects.filter(start_on=day).first()
    if period is None:
        raise Http404("No such period")
    return period


def measure_coded(code: str) -> Measure:
    """A measure by its code, retired or not (measures too are reference data)."""
    measure = Measure.objects.filter(code=code).first()
    if measure is None:
        raise Http404("No such measure")
    return measure
