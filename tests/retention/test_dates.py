"""The retention date rule: 8 years (or the authority's years) after the family's last
activity, or the destroy-by date if that is earlier."""

import datetime

import pytest

from changing_lives.retention.dates import retention_date, years_after

D = datetime.date


@pytest.mark.parametrize(
    ("screened", "support_end", "closed", "years", "destroy_by", "expected"),
    [
        (None, None, None, 8, None, D(2023, 4, 1)),  # never screened: from the referral
        (D(2016, 1, 5), None, None, 8, None, D(2024, 1, 5)),  # screening only
        (D(2016, 1, 5), D(2018, 3, 31), None, 8, None, D(2026, 3, 31)),  # support end later
        (D(2016, 1, 5), D(2018, 3, 31), D(2019, 6, 30), 8, None, D(2027, 6, 30)),  # closure latest
        (D(2019, 1, 5), D(2018, 3, 31), D(2018, 6, 30), 8, None, D(2027, 1, 5)),  # reassessed later
        (D(2016, 1, 5), None, None, 6, None, D(2022, 1, 5)),  # the authority's years
        (D(2016, 1, 5), None, None, 8, D(2022, 12, 31), D(2022, 12, 31)),  # destroy-by earlier
        (D(2012, 1, 5), None, None, 8, D(2022, 12, 31), D(2020, 1, 5)),  # years earlier than it
    ],
)
def test_retention_date(screened, support_end, closed, years, destroy_by, expected) -> None:
    assert (
        retention_date(
            referred_on=D(2015, 4, 1),
            screened_on=screened,
            support_ended_on=support_end,
            case_closed_on=closed,
            years=years,
            destroy_by=destroy_by,
        )
        == expected
    )


def test_a_29_february_anniversary_falls_on_28_february() -> None:
    assert years_after(D(2016, 2, 29), 8) == D(2024, 2, 29)
    assert years_after(D(2016, 2, 29), 7) == D(2023, 2, 28)
