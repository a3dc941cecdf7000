"""An admin invites a new user; the user accepts the invitation, sets a password, sets up an
authenticator app (typing the code computed from the key the page shows), sees their backup
codes, signs out, and signs in again with a code. Every page passes axe-core, error states
included."""

import base64
import re

import pytest
from django.core import mail
from django_otp.oath import totp
from playwright.sync_api import Page, expect

from changing_lives.accounts.models import User
from changing_lives.accounts.roles import Role
from changing_lives.audit.models import AuditEvent
from tests.browser.conftest import enter_totp_code, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

NEW_PASSWORD = "a-long-and-private-passphrase-9"


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_title("Sign in - Changing Lives")


def test_a_new_user_accepts_an_invitation_and_sets_up_multi_factor_sign_in(
    page: Page, make_user, assert_accessible
) -> None:
    admin = make_user(Role.ADMIN)
    sign_in(page, admin)
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Users").click()
    expect(page).to_have_title("Users of Home Council - Changing Lives")
    assert_accessible(page)

    page.get_by_role("button", name="Invite a user").click()
    expect(page).to_have_title("Invite a user - Changing Lives")
    assert_accessible(page)
    page.get_by_role("button", name="Send invitation").click()
    expect(page).to_have_title("Error: Invite a user - Changing Lives")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose at least one role")
    assert_accessible(page)
    page.get_by_label("First name").fill("Priya")
    page.get_by_label("Last name").fill("Shah")
    page.get_by_label("Email address").fill("priya.shah@example.gov.uk")
    page.get_by_label("Username").fill("pshah")
    page.get_by_label("Caseworker").check()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent")).to_be_visible()
    expect(page.get_by_role("heading", name="Priya Shah")).to_be_visible()
    assert_accessible(page)
    sign_out(page)

    # The invitee opens the link in the e-mail and sets a password.
    (message,) = mail.outbox
    link = re.search(r"https?://[^/\s]+(/account/invitation/\S+/)", str(message.body))
    assert link is not None
    page.goto(link.group(1))
    expect(page).to_have_title("Set your password - Changing Lives")
    expect(page.get_by_text("Your username is pshah")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("New password confirmation").fill("short")
    page.get_by_role("button", name="Set password and continue").click()
    expect(page).to_have_title("Error: Set your password - Changing Lives")
    expect(page.locator(".govuk-error-summary")).to_contain_text("at least 12 characters")
    assert_accessible(page)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password and continue").click()

    # Straight on to the authenticator app: a QR code, and the key as text.
    expect(page).to_have_title("Set up your authenticator app - Changing Lives")
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Code from your authenticator app").fill("12345")
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_title("Error: Set up your authenticator app - Changing Lives")
    assert_accessible(page)
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    code = f"{totp(base64.b32decode(secret)):06d}"
    page.get_by_label("Code from your authenticator app").fill(code)
    page.get_by_role("button", name="Continue").click()

    # The backup codes, shown once.
    expect(page).to_have_title("Your new backup codes - Changing Lives")
    expect(page.locator(".app-backup-codes li")).to_have_count(10)
    assert_accessible(page)
    page.get_by_role("button", name="I have stored my backup codes, continue").click()
    expect(page).to_have_title("Your work - Changing Lives")
    expect(page.get_by_text("Signed in as Priya Shah")).to_be_visible()
    sign_out(page)

    # Signing in again: the password, then a code from the app.
    user = User.objects.get(username="pshah")
    page.get_by_label("Username").fill("pshah")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_title("Enter your security code - Changing Lives")
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_title("Error: Enter your security code - Changing Lives")
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert_accessible(page)
    enter_totp_code(page, user)
    expect(page).to_have_title("Your work - Changing Lives")
    assert_accessible(page)

    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"user_invited", "user_invite_accepted", "mfa_enrolled", "mfa_verified"} <= actions


def test_the_admins_user_pages_pass_axe(page: Page, make_user, assert_accessible) -> None:
    admin = make_user(Role.ADMIN)
    colleague = make_user(Role.CASEWORKER, first_name="Casey", last_name="Worker")
    sign_in(page, admin)
    page.goto("/users/")
    page.get_by_role("link", name="Casey Worker").click()
    expect(page.get_by_role("heading", name="Casey Worker")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Change roles").click()
    page.get_by_label("Caseworker").uncheck()
    page.get_by_role("button", name="Save roles").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose at least one role")
    assert_accessible(page)
    page.get_by_label("Team manager").check()
    page.get_by_role("button", name="Save roles").click()
    expect(page.get_by_text("Roles saved")).to_be_visible()

    page.get_by_role("link", name="Reset multi-factor sign-in").click()
    expect(page).to_have_title("Reset Casey Worker's multi-factor sign-in - Changing Lives")
    assert_accessible(page)
    page.get_by_role("button", name="Reset multi-factor sign-in").click()
    expect(page.get_by_text("Not set up: they set it up when they next sign in")).to_be_visible()

    page.get_by_role("link", name="Deactivate account").click()
    assert_accessible(page)
    page.get_by_role("button", name="Deactivate account").click()
    expect(page.get_by_text("Account deactivated")).to_be_visible()
    assert_accessible(page)
    colleague.refresh_from_db()
    assert not colleague.is_active

    page.goto("/account/backup-codes/")
    expect(page).to_have_title("Backup codes - Changing Lives")
    assert_accessible(page)
