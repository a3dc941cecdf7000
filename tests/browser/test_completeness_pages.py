"""A data officer checks how complete the latest period's returns are, from the list of
periods to the period's families and gaps, and sees the figures on the programme overview.
Every page passes axe-core."""

import datetime

import pytest
from playwright.sync_api import Page, expect

from changing_lives.accounts.roles import Role
from eligibility.models import Intervention, SupportIntensity
from progress.models import Period
from progress.services import family_return_save, key_of, return_state
from tests.browser.conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_a_data_officer_checks_a_periods_completeness(
    page: Page, family, make_user, assert_accessible
) -> None:
    latest = Period.objects.filter(end_on__lt=datetime.date.today()).order_by("-start_on").first()
    assert latest is not None
    Intervention.objects.create(
        family=family, started_on=latest.start_on, intensity=SupportIntensity.STANDARD
    )
    homeless = next(
        q for q in return_state(family, latest).questions if q.measure.code == "HOMELESS"
    )
    family_return_save(
        actor=make_user(Role.CASEWORKER), family=family, period=latest,
        typed={key_of(homeless): "unknown"},
    )  # fmt: skip
    officer = make_user(Role.DATA_OFFICER)

    sign_in(page, officer)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Completeness").click()
    expect(page.get_by_role("heading", name="Family Progress Data completeness")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=latest.label).click()
    expect(page.get_by_role("heading", name="Completeness of Family Progress Data")).to_be_visible()
    expect(page.get_by_text("0 complete, 1 in progress, 0 not started")).to_be_visible()
    expect(page.get_by_role("row", name="I100002, Tunde Okafor")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="F100001").click()
    expect(page.get_by_role("heading", name="Family Progress Data")).to_be_visible()

    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Programme").click()
    expect(page.get_by_role("table", name="Returns by period")).to_contain_text(latest.label)
    assert_accessible(page)
