"""A caseworker assesses a family with the keyboard, reads why it is eligible, and starts
support. Every page passes axe-core, with the evidence fields shown and hidden."""

import datetime

import pytest
from playwright.sync_api import Page, expect

from changing_lives.accounts.roles import Role
from eligibility.models import Assessment, Framework
from families.models import FamilyStatus
from tests.browser.conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def tick_with_keyboard(page: Page, member: str, headline: str) -> None:
    group = page.get_by_role("group", name=member)
    box = group.get_by_role("checkbox", name=headline)
    box.focus()
    page.keyboard.press("Space")
    expect(box).to_be_checked()


def fill_evidence(page: Page, prefix: str, indicator: str) -> None:
    conditional = page.locator(f"#conditional-{prefix}")
    expect(conditional).to_be_visible()
    conditional.get_by_label("Indicator").select_option(label=indicator)
    conditional.locator(f"#id_{prefix}_on_0").fill("1")
    conditional.locator(f"#id_{prefix}_on_1").fill("3")
    conditional.locator(f"#id_{prefix}_on_2").fill("2025")
    conditional.get_by_label("Source of evidence").select_option(
        label="School or education service"
    )


def test_assess_a_family_then_start_support(
    page: Page, family, make_user, assert_accessible
) -> None:
    caseworker = make_user(Role.CASEWORKER, first_name="Casey", last_name="Worker")
    sign_in(page, caseworker)
    page.goto(f"/families/{family.public_id}/")
    assert_accessible(page)

    page.get_by_role("button", name="Assess the family").click()
    expect(page.locator("#conditional-m0_HEALTH")).to_be_hidden()
    assert_accessible(page)
    page.locator("#id_screened_on_0").fill("10")
    page.locator("#id_screened_on_1").fill("3")
    page.locator("#id_screened_on_2").fill("2025")
    tick_with_keyboard(page, "Sarah Okafor", "Health")
    tick_with_keyboard(page, "Tunde Okafor", "Education")
    assert_accessible(page)  # with the evidence fields revealed
    page.get_by_role("button", name="Record assessment").click()

    # Nothing said about the evidence: every missing answer is named, with its member.
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select the indicator for Sarah Okafor: Health")
    expect(summary).to_contain_text("Enter the evidence date for Tunde Okafor: Education")
    expect(page.locator("#conditional-m0_HEALTH")).to_be_visible()
    assert_accessible(page)
    fill_evidence(page, "m0_HEALTH", "Mental health need")
    fill_evidence(page, "m1_EDUCATION", "Persistent absence (under 90% attendance)")
    page.get_by_role("button", name="Record assessment").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Eligible")
    expect(page.get_by_text("Includes a dependent child: Tunde Okafor")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Back to the family").click()
    page.get_by_role("button", name="Start support").click()
    assert_accessible(page)
    page.locator("#id_on_0").fill("1")
    page.locator("#id_on_1").fill("4")
    page.locator("#id_on_2").fill("2025")
    page.get_by_label("Intensive").check()
    page.get_by_label("Lead professional").select_option(label="Casey Worker")
    page.get_by_role("button", name="Start support").click()

    expect(page.get_by_text("Support started")).to_be_visible()
    expect(page.locator(".govuk-tag", has_text="Eligible: intervention")).to_be_visible()
    assert_accessible(page)
    family.refresh_from_db()
    assert family.status == FamilyStatus.INTERVENTION


def test_the_programme_overview_passes_axe(
    page: Page, family, make_user, assert_accessible
) -> None:
    Assessment.objects.create(
        family=family, framework=Framework.objects.get(code="2015-2020"), framework_version=1,
        screened_on=datetime.date.today(), eligible=True, headlines_counted=["CRIME", "HEALTH"],
    )  # fmt: skip
    manager = make_user(Role.TEAM_MANAGER)
    sign_in(page, manager)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Programme").click()
    expect(page.get_by_role("heading", name="Programme overview")).to_be_visible()
    expect(page.locator("rect.app-bar-chart__bar").first).to_be_visible()
    assert_accessible(page)
