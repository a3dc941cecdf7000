"""Reporting periods: financial half-years (1 April to 30 September, 1 October to 31 March),
each return due a set number of days after its period ends (FPD_RETURN_DUE_DAYS, 30)."""

import datetime

from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.conf import settings
from django.utils import timezone

# The programme's first full half-year under the 2015-2020 framework.
FIRST_PERIOD_START = datetime.date(2015, 4, 1)


def half_year_containing(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    if 4 <= day.month <= 9:
        return datetime.date(day.year, 4, 1), datetime.date(day.year, 9, 30)
    year = day.year if day.month >= 10 else day.year - 1
    return datetime.date(year, 10, 1), datetime.date(year + 1, 3, 31)


def periods_ensure(
    *, today: datetime.date | None = None, apps: Apps = global_apps, using: str = "default"
) -> int:
    """Create every half-year from the programme's start to the one after today's, if
    missing; return how many were created. Periods an admin added or changed are kept."""
    today = today or timezone.localdate()
    period_model = apps.get_model("progress", "Period")
    existing = list(period_model.objects.using(using).values_list("start_on", "end_on"))
    _, this_end = half_year_containing(today)
    _, last_end = half_year_containing(this_end + datetime.timedelta(days=1))
    new = []
    start = FIRST_PERIOD_START
    while start <= last_end:
        start, end = half_year_containing(start)
        # Skip a half-year that overlaps any period an admin has added or changed.
        if not any(
            start <= other_end and other_start <= end for other_start, other_end in existing
        ):
            due = end + datetime.timedelta(days=settings.FPD_RETURN_DUE_DAYS)
            new.append(period_model(start_on=start, end_on=end, due_on=due))
        start = end + datetime.timedelta(days=1)
    period_model.objects.using(using).bulk_create(new)
    return len(new)
