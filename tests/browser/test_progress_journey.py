"""A caseworker records a whole family's Family Progress Data for a period from the family
page: one value is wrong the first time, the error summary names the member and the measure
and leads to the cell, and once it is corrected the return is marked complete. Every page on
the way, the error state included, passes axe-core."""

import datetime
import re

import pytest
from playwright.sync_api import Page, expect

from changing_lives.accounts.roles import Role
from eligibility.models import Intervention, SupportIntensity
from progress.models import FamilyReturn, ProgressValue, ReturnStatus
from tests.browser.conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

# The family fixture at the end of September 2024: Sarah is 39 and Tunde 10.
FAMILY_SELECTS = {
    "Homeless or in temporary accommodation": "No",
    "Notice seeking possession or eviction": "Unknown",
    "No adult in work": "Yes",
}
FAMILY_BOXES = {
    "Homelessness applications": "0",
    "Rent arrears": "£1,250.50",
    "Problem or unsecured debt": "unknown",
    "Domestic abuse incidents": "2",
}
MEMBER_BOXES = {
    "Anti-social behaviour incidents for Sarah Okafor": "0",
    "Proven offences for Sarah Okafor": "1",
    "Anti-social behaviour incidents for Tunde Okafor": "0",
    "Proven offences for Tunde Okafor": "0",
    "Missing from home episodes for Tunde Okafor": "unknown",
    "School attendance for Tunde Okafor": "120",  # wrong: more than 100
}
MEMBER_SELECTS = {"Children's social care status for Tunde Okafor": "Child in need"}


def test_record_a_whole_return_correct_one_value_and_mark_it_complete(
    page: Page, family, make_user, assert_accessible
) -> None:
    caseworker = make_user(Role.CASEWORKER)
    Intervention.objects.create(
        family=family,
        started_on=datetime.date(2024, 5, 20),
        ended_on=datetime.date(2025, 2, 28),
        intensity=SupportIntensity.STANDARD,
        lead_professional=caseworker,
    )
    sign_in(page, caseworker)
    page.goto(f"/families/{family.public_id}/")
    expect(page.get_by_role("heading", name="Family Progress Data")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="April to September 2024").click()
    expect(page).to_have_title(
        "Progress for family F100001, April to September 2024 - Changing Lives"
    )
    expect(page.get_by_text("0 of 14 values recorded")).to_be_visible()
    assert_accessible(page)

    for label, option in FAMILY_SELECTS.items():
        page.get_by_label(label, exact=True).select_option(label=option)
    for label, typed in FAMILY_BOXES.items():
        page.get_by_label(label, exact=True).fill(typed)
    for label, option in MEMBER_SELECTS.items():
        page.get_by_label(label, exact=True).select_option(label=option)
    for label, typed in MEMBER_BOXES.items():
        page.get_by_label(label, exact=True).fill(typed)
    page.get_by_role("button", name="Save", exact=True).click()

    message = "School attendance for Tunde Okafor must be between 0 and 100"
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_text([message])
    expect(page).to_have_title(
        "Error: Progress for family F100001, April to September 2024 - Changing Lives"
    )
    attendance = page.get_by_label("School attendance for Tunde Okafor", exact=True)
    expect(attendance).to_have_value("120")
    expect(attendance).to_have_accessible_description(f"Error: {message}")
    # Everything else typed is still there to save; nothing was saved yet.
    expect(page.get_by_label("Rent arrears", exact=True)).to_have_value("£1,250.50")
    assert not ProgressValue.objects.exists()
    assert_accessible(page)  # the error state

    summary.get_by_role("link", name=message).click()
    expect(attendance).to_be_focused()
    attendance.fill("95.5")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    expect(page.get_by_text("Return saved", exact=True)).to_be_visible()
    expect(page.get_by_text("14 of 14 values recorded")).to_be_visible()
    expect(page.get_by_label("Rent arrears", exact=True)).to_have_value("1250.50")
    expect(attendance).to_have_value("95.5")
    assert_accessible(page)

    page.get_by_role("button", name="Save and mark complete").click()
    expect(page.get_by_text("Return saved and marked complete")).to_be_visible()
    expect(page.locator("strong.govuk-tag", has_text="Complete")).to_be_visible()
    expect(page.get_by_role("button", name="Save and mark complete")).to_have_count(0)
    assert_accessible(page)

    family_return = FamilyReturn.objects.get(family=family)
    assert family_return.status == ReturnStatus.COMPLETE
    assert family_return.completed_by == caseworker
    assert family_return.values.count() == 14
    assert family_return.values.get(measure__code="SCHOOL_ATTENDANCE").value == "95.5"

    page.get_by_role("link", name="Back to the family").click()
    row = page.get_by_role("row", name="April to September 2024")
    expect(row.locator(".govuk-tag")).to_have_text("Complete")
    # Support continued into the winter: that return is still to do.
    expect(
        page.get_by_role("row", name="October 2024 to March 2025").locator(".govuk-tag")
    ).to_have_text("Not started")
    assert_accessible(page)


def test_the_returns_due_page_passes_axe(page: Page, family, make_user, assert_accessible) -> None:
    caseworker = make_user(Role.CASEWORKER)
    family.lead_professional = caseworker
    family.save()
    Intervention.objects.create(
        family=family, started_on=datetime.date(2024, 5, 20), intensity=SupportIntensity.LIGHT
    )
    sign_in(page, caseworker)
    page.goto("/progress/")
    expect(page.get_by_role("heading", name="Family Progress Data returns")).to_be_visible()
    # The visually hidden period makes each family's link name unique.
    expect(
        page.get_by_role("link", name=re.compile(r"^F100001\s*, April to September 2024$"))
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Show every family").click()
    expect(page.get_by_text("All families of your authority.")).to_be_visible()
    assert_accessible(page)
