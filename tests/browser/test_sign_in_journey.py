"""A user signs in (after one wrong password, then with a code from their authenticator app),
sees their home page and signs out.

Every page on the way, and the public and admin pages, pass axe-core (WCAG 2.2 AA).
"""

import re

import pytest
from playwright.sync_api import Page, expect

from changing_lives.accounts.roles import Role
from changing_lives.audit.models import AuditEvent
from tests.browser.conftest import enter_totp_code, sign_in
from tests.factories import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_sign_in_with_a_wrong_password_then_the_right_one_then_sign_out(
    page: Page, make_user, assert_accessible
) -> None:
    user = make_user(Role.CASEWORKER, first_name="Casey", last_name="Worker")

    page.goto("/")
    expect(page).to_have_title("Sign in - Changing Lives")
    assert_accessible(page)

    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill("not-my-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_title("Error: Sign in - Changing Lives")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Enter a correct username and password")
    assert_accessible(page)
    summary.get_by_role("link").click()
    expect(page.get_by_label("Username")).to_be_focused()

    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_title("Enter your security code - Changing Lives")
    assert_accessible(page)
    enter_totp_code(page, user)
    expect(page).to_have_title("Your work - Changing Lives")
    expect(page.get_by_role("heading", name="Caseworker")).to_be_visible()
    expect(page.get_by_text("Signed in as Casey Worker")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_title("Sign in - Changing Lives")
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/account/sign-in/\?next=/$"))

    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["login_failed", "login", "mfa_verified", "logout"]


def test_public_pages_pass_axe(page: Page, authority, assert_accessible) -> None:
    for path, title in [
        (f"/privacy/{authority.gss_code}/", f"Privacy notice: {authority.name}"),
        ("/accessibility/", "Accessibility statement"),
        ("/cookies/", "Cookies"),
        ("/account/password/reset/", "Reset your password"),
        ("/no-such-page/", "Page not found"),
    ]:
        page.goto(path)
        expect(page).to_have_title(f"{title} - Changing Lives")
        assert_accessible(page)


def test_admin_pages_pass_axe_and_the_settings_form_shows_its_error(
    page: Page, make_user, assert_accessible
) -> None:
    admin = make_user(Role.ADMIN)
    sign_in(page, admin)
    page.get_by_role("link", name="Audit trail").first.click()
    expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(2)  # signed in, and past the code
    assert_accessible(page)

    page.get_by_role("link", name="Settings").first.click()
    page.get_by_label("Privacy notice").fill("")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the privacy notice")
    assert_accessible(page)

    page.get_by_label("Privacy notice").fill("## Our notice\n\nWe keep your data safe.")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Settings saved")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Change password").click()
    expect(page.get_by_role("heading", name="Change your password")).to_be_visible()
    assert_accessible(page)
