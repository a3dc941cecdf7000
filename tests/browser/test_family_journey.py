"""A caseworker creates a family with three members (after a wrong NHS number check digit),
then finds it by a National Insurance number. Every page on the way passes axe-core."""

import pytest
from playwright.sync_api import Page, expect

from changing_lives.accounts.roles import Role
from families.models import Family
from tests.browser.conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def fill_date(page: Page, field_id: str, day: str, month: str, year: str) -> None:
    page.locator(f"#id_{field_id}_0").fill(day)
    page.locator(f"#id_{field_id}_1").fill(month)
    page.locator(f"#id_{field_id}_2").fill(year)


def fill_member(page: Page, *, forename: str, surname: str, born: tuple[str, str, str],
                gender: str, relationship: str) -> None:  # fmt: skip
    page.get_by_label("First name").fill(forename)
    page.get_by_label("Last name").fill(surname)
    fill_date(page, "date_of_birth", *born)
    page.get_by_label(gender, exact=True).check()
    page.get_by_label("Relationship to the family").select_option(label=relationship)
    page.get_by_role("group", name="Do they live in the household?").get_by_label("Yes").check()


def test_create_a_family_of_three_then_find_it_by_nino(
    page: Page, make_user, assert_accessible
) -> None:
    caseworker = make_user(Role.CASEWORKER, first_name="Casey", last_name="Worker")
    sign_in(page, caseworker)
    page.get_by_role("link", name="Families").first.click()
    expect(page).to_have_title("Families - Changing Lives")
    assert_accessible(page)

    page.get_by_role("button", name="Add a family").click()
    expect(page).to_have_title("Add a family - Changing Lives")
    assert_accessible(page)
    page.get_by_label("Lead professional").select_option(label="Casey Worker")
    fill_date(page, "referred_on", "3", "9", "2025")
    page.get_by_label("Address line 1").first.fill("12 Harbour Road")
    page.get_by_label("Town or city").first.fill("Bristol")
    page.get_by_label("Postcode").first.fill("bs1 4dj")
    fill_member(page, forename="Sarah", surname="Okafor", born=("14", "2", "1988"),
                gender="Female", relationship="Main carer")  # fmt: skip
    page.get_by_label("NHS number").fill("943 476 5918")
    page.get_by_label("National Insurance number").fill("ab 12 34 56 c")
    page.get_by_role("button", name="Create family").click()

    expect(page).to_have_title("Error: Add a family - Changing Lives")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("NHS number check digit is wrong")
    expect(page.locator("#id_nhs_number_1_error")).to_contain_text("check digit is wrong")
    assert_accessible(page)
    assert not Family.objects.exists()

    summary.get_by_role("link", name="NHS number check digit is wrong").click()
    expect(page.get_by_label("NHS number")).to_be_focused()
    page.get_by_label("NHS number").fill("943 476 5919")
    page.get_by_role("button", name="Create family").click()
    expect(page.get_by_role("alert").get_by_text("Family created")).to_be_visible()
    expect(page.get_by_role("heading", name="Sarah Okafor")).to_be_visible()
    expect(page.get_by_text("943 476 5919")).to_be_visible()
    assert_accessible(page)

    for forename, born, gender, relationship in [
        ("Tunde", ("3", "2", "2014"), "Male", "Child"),
        ("Amara", ("5", "11", "2019"), "Female", "Child"),
    ]:
        page.get_by_role("button", name="Add a member").click()
        expect(page).to_have_title("Add a member to family F000001 - Changing Lives")
        assert_accessible(page)
        fill_member(page, forename=forename, surname="Okafor", born=born, gender=gender,
                    relationship=relationship)  # fmt: skip
        page.get_by_role("button", name="Save member").click()
        expect(page.get_by_role("heading", name=f"{forename} Okafor")).to_be_visible()

    assert Family.objects.get().members.count() == 3
    page.get_by_role("link", name="See the whole history").click()
    expect(page.locator("tbody tr")).to_have_count(4)
    assert_accessible(page)

    page.get_by_role("link", name="Families").first.click()
    page.get_by_label("Search").fill("AB 12 34 56 C")
    page.get_by_role("button", name="Search").click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("F000001")
    expect(rows.first).to_contain_text("Sarah Okafor")
    assert_accessible(page)


def test_member_and_family_forms_pass_axe(page: Page, family, make_user, assert_accessible) -> None:
    sign_in(page, make_user(Role.CASEWORKER))
    page.goto(f"/families/{family.public_id}/")
    assert_accessible(page)
    tunde = family.members.get(forename="Tunde")
    # Each form, and each form again with a required answer left out.
    for path, required in [
        (f"/families/{family.public_id}/edit/", "#id_referred_on_0"),
        (f"/families/{family.public_id}/members/{tunde.public_id}/edit/", "#id_forename"),
        (f"/families/{family.public_id}/members/{tunde.public_id}/move/", "#id_la_family_id"),
        (f"/families/{family.public_id}/members/{tunde.public_id}/remove/", "#id_reason"),
    ]:
        page.goto(path)
        assert_accessible(page)
        page.locator(required).fill("")
        page.locator("form .govuk-button").click()
        expect(page.locator(".govuk-error-summary")).to_be_visible()
        assert_accessible(page)


def test_a_search_with_too_many_matches_asks_for_more_detail(
    page: Page, family, make_user, assert_accessible, monkeypatch: pytest.MonkeyPatch
) -> None:
    from families.views import lists
    from tests.factories import FamilyFactory, IndividualFactory

    monkeypatch.setattr(lists, "SEARCH_MOST", 1)  # as if 1 were 1,000
    other = FamilyFactory.create(local_authority=family.local_authority)
    IndividualFactory.create(family=other, surname="Okafor")
    sign_in(page, make_user(Role.CASEWORKER))
    page.goto("/families/")
    page.get_by_label("Search").fill("okafor")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="More than 1 families match")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(0)
    assert_accessible(page)
