"""An admin adds a measure (after a code list with one code), retires it and restores it, adds
a period and moves a due date. Every page on the way passes axe-core."""

import datetime

import pytest
from playwright.sync_api import Page, expect

from changing_lives.accounts.roles import Role
from progress.models import Measure, Period
from tests.browser.conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def fill_date(page: Page, field_id: str, day: str, month: str, year: str) -> None:
    page.locator(f"#id_{field_id}_0").fill(day)
    page.locator(f"#id_{field_id}_1").fill(month)
    page.locator(f"#id_{field_id}_2").fill(year)


def test_add_a_measure_after_a_mistake_then_retire_and_restore_it(
    page: Page, make_user, assert_accessible
) -> None:
    admin = make_user(Role.ADMIN)
    sign_in(page, admin)
    page.get_by_role("link", name="Progress periods and measures").click()
    expect(page).to_have_title("Progress periods and measures - Changing Lives")
    expect(page.get_by_text("shared by every local authority")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Add a measure").click()
    expect(page).to_have_title("Add a measure - Changing Lives")
    assert_accessible(page)
    page.get_by_label("Code", exact=True).fill("exclusion_type")
    page.get_by_label("Label", exact=True).fill("School exclusion")
    page.get_by_label("Each member of the family").check()
    page.get_by_label("Code from a list").check()
    page.get_by_label("Codes (for a code list only)").fill("NONE: None")
    page.get_by_label("Oldest age (optional)").fill("17")
    page.get_by_role("button", name="Add measure").click()

    expect(page).to_have_title("Error: Add a measure - Changing Lives")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Codes must list at least 2 codes for a code list")
    assert_accessible(page)
    summary.get_by_role("link", name="Codes must list at least 2 codes").click()
    expect(page.get_by_label("Codes (for a code list only)")).to_be_focused()
    page.get_by_label("Codes (for a code list only)").fill(
        "NONE: None\nFIXED: Fixed-term exclusion\nPERMANENT: Permanent exclusion"
    )
    page.get_by_role("button", name="Add measure").click()

    expect(page.get_by_text("Measure EXCLUSION_TYPE added")).to_be_visible()
    row = page.locator("#measure-EXCLUSION_TYPE")
    expect(row).to_contain_text("17 and under")
    expect(row).to_contain_text("In use")
    assert_accessible(page)
    assert Measure.objects.get(code="EXCLUSION_TYPE").codes[2] == [
        "PERMANENT",
        "Permanent exclusion",
    ]

    row.get_by_role("link", name="Retire School exclusion").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Retire School exclusion")
    today = datetime.date.today()
    expect(page.locator("#id_retired_on_2")).to_have_value(str(today.year))
    assert_accessible(page)
    page.get_by_role("button", name="Retire measure").click()

    expect(page.get_by_text("Measure EXCLUSION_TYPE retired from")).to_be_visible()
    expect(row).to_contain_text("Retired")
    assert Measure.objects.get(code="EXCLUSION_TYPE").retired_on == today
    assert_accessible(page)

    row.get_by_role("link", name="Restore School exclusion").click()
    assert_accessible(page)
    page.get_by_role("button", name="Restore measure").click()
    expect(page.get_by_text("Measure EXCLUSION_TYPE restored")).to_be_visible()
    expect(row).to_contain_text("In use")


def test_add_a_period_and_move_a_due_date(page: Page, make_user, assert_accessible) -> None:
    admin = make_user(Role.ADMIN)
    sign_in(page, admin)
    page.goto("/progress/reference/")
    page.get_by_role("button", name="Add a period").click()
    assert_accessible(page)
    fill_date(page, "start_on", "1", "4", "2040")
    fill_date(page, "end_on", "31", "3", "2040")
    page.get_by_role("button", name="Add period").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "End date must be after the start date"
    )
    assert_accessible(page)
    fill_date(page, "end_on", "30", "9", "2040")
    page.get_by_role("button", name="Add period").click()
    expect(page.get_by_text("April to September 2040 added")).to_be_visible()

    page.get_by_role("link", name="Change due date for April to September 2040").click()
    assert_accessible(page)
    fill_date(page, "due_on", "15", "11", "2040")
    page.get_by_role("button", name="Save due date").click()
    expect(page.get_by_text("returns now due by 15 November 2040")).to_be_visible()
    assert Period.objects.get(start_on=datetime.date(2040, 4, 1)).due_on == datetime.date(
        2040, 11, 15
    )
