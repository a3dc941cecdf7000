"""The retention date: a pure rule, so it can be table-tested and computed in bulk.

By default 8 years after the latest of the family's support end, case closure and screening
date (a family never screened: its referral); the authority may set the years and a fixed
"destroy by" date, and the earlier of the two applies.
"""

import datetime


def years_after(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def retention_date(
    *,
    referred_on: datetime.date,
    screened_on: datetime.date | None,
    support_ended_on: datetime.date | None,
    case_closed_on: datetime.date | None,
    years: int,
    destroy_by: datetime.date | None,
) -> datetime.date:
    activity = [day for day in (support_ended_on, case_closed_on, screened_on) if day]
    last = max(activity) if activity else referred_on
    due = years_after(last, years)
    return min(due, destroy_by) if destroy_by else due
