"""Real Chromium (Debian's, driven by Playwright) against pytest-django's live server."""

import os
from collections.abc import Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect, sync_playwright

from changing_lives.accounts.models import User
from tests.factories import PASSWORD
from tests.signing_in import totp_code, totp_device

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# around it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# WCAG 2.2 AA, and axe's best practices on top.
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, live_server) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


class AccessibilityChecker:
    """Runs axe-core on a page; the test fails on any violation, with axe's report."""

    def __init__(self) -> None:
        self.axe = Axe()
        self.checked: list[str] = []

    def __call__(self, page: Page) -> None:
        results = self.axe.run(page, options=AXE_OPTIONS)
        self.checked.append(page.url)
        assert results.violations_count == 0, (
            f"axe-core found violations on {page.url}:\n{results.generate_report()}"
        )


@pytest.fixture
def assert_accessible() -> AccessibilityChecker:
    return AccessibilityChecker()


def enter_totp_code(page: Page, user: User) -> None:
    """On the code page, type what the user's authenticator app shows now."""
    expect(page.get_by_role("heading", name="Enter your security code")).to_be_visible()
    page.get_by_label("Code", exact=True).fill(totp_code(totp_device(user)))
    page.get_by_role("button", name="Continue").click()


def sign_in(page: Page, user: User, password: str = PASSWORD) -> None:
    """Sign in through the real forms: username and password, then a code computed from the
    user's authenticator (tests/signing_in.py). Ends on the home page."""
    page.goto("/account/sign-in/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    enter_totp_code(page, user)
    expect(page).to_have_title("Your work - Changing Lives")
