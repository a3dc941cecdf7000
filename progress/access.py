"""Reaching a period by its start date (periods are reference data, not personal records,
so their dates may name them in URLs)."""

import datetime

from django.http import Http404

from progress.models import Period


def period_starting(start: str) -> Period:
    try:
        day = datetime.date.fromisoformat(start)
    except ValueError:
        raise Http404("No such period") from None
    period = Period.objects.filter(start_on=day).first()
    if period is None:
        raise Http404("No such period")
    return period
