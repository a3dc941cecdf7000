"""No page breaks the Content-Security-Policy in real Chromium.

A listener for `securitypolicyviolation` is in every page before its own scripts run, and
Chromium's console reports a blocked resource too; the main pages are visited as each role
(sign-in with an error, home, a family, a form with errors, the charts, the NIS, audit and
retention pages) and none may report a violation. The headers themselves are checked by
tests/test_security_headers.py.
"""

import datetime

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from changing_lives.accounts.roles import Role
from changing_lives.demo.families.load import demo_families_seed
from families.models import Family
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

# Runs in each document before any of its scripts (Playwright injects it outside the
# page's policy), so a violation during loading is caught too.
LISTEN = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push({
    directive: event.violatedDirective, blocked: event.blockedURI,
    source: event.sourceFile, line: event.lineNumber, sample: event.sample,
  });
});
"""


class Violations:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.console: list[str] = []
        self.checked: list[str] = []
        page.on("console", self._console)

    def _console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def assert_none(self) -> None:
        """No violation on the page now showing (nor in the console since the last check)."""
        self.page.wait_for_load_state("load")
        found = self.page.evaluate("window.__cspViolations")
        assert found == [], f"CSP violations on {self.page.url}: {found}"
        assert self.console == [], f"CSP violations on {self.page.url}: {self.console}"
        # The policy is there to be broken: the response carried it.
        self.checked.append(self.page.url)


@pytest.fixture
def violations(page: Page) -> Violations:
    page.context.add_init_script(LISTEN)
    return Violations(page)


def visit(page: Page, violations: Violations, path: str) -> None:
    response = page.goto(path)
    assert response is not None
    assert response.status < 400, f"{path} answered {response.status}"
    headers = response.headers
    assert "script-src 'self' 'nonce-" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    # HSTS goes with https only (the live server is http): tests/test_security_headers.py.
    violations.assert_none()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_title("Sign in - Changing Lives")


@pytest.fixture
def seeded(authority) -> Family:
    demo_families_seed(authority=authority, families=4, seed=3, today=datetime.date(2026, 11, 1))
    family = Family.objects.for_authority(authority).order_by("la_family_id").first()
    assert family is not None
    return family


def test_no_page_breaks_the_content_security_policy(
    page: Page, violations: Violations, make_user, seeded: Family
) -> None:
    users = {role: make_user(role) for role in Role}

    # Signing in, with an error first: the error summary's script runs.
    page.goto("/account/sign-in/")
    violations.assert_none()
    page.get_by_label("Username").fill(users[Role.CASEWORKER].username)
    page.get_by_label("Password").fill("not-my-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    violations.assert_none()
    for path in ("/privacy/", "/accessibility/", "/cookies/", "/account/password/reset/"):
        visit(page, violations, path)

    family = f"/families/{seeded.public_id}/"
    pages_by_role = {
        Role.CASEWORKER: [
            "/",
            "/families/",
            "/families/?q=a",
            family,
            f"{family}history/",
            "/families/new/",
            f"{family}assessments/new/",
            "/progress/",
        ],
        Role.TEAM_MANAGER: ["/", family, "/programme/"],
        Role.DATA_OFFICER: ["/", "/progress/periods/", "/nis/submissions/", "/programme/"],
        Role.ADMIN: [
            "/",
            "/audit/",
            "/authority/settings/",
            "/programme/framework/",
            "/progress/reference/",
            "/nis/keys/",
            "/nis/keys/new/",
            "/account/password/change/",
            "/account/backup-codes/",
            "/users/",
            "/users/invite/",
            f"/users/{users[Role.CASEWORKER].public_id}/",
        ],
    }
    for role, paths in pages_by_role.items():
        sign_in(page, users[role])
        violations.assert_none()
        for path in paths:
            visit(page, violations, path)
        if role == Role.CASEWORKER:
            # A form with errors: the error summary takes focus, by script.
            page.goto("/families/new/")
            page.get_by_role("button", name="Create family").click()
            expect(page.locator(".govuk-error-summary")).to_be_focused()
            violations.assert_none()
            # The service navigation's menu button (a GOV.UK Frontend script) on a phone.
            page.set_viewport_size({"width": 375, "height": 700})
            page.goto("/")
            page.get_by_role("button", name="Menu").click()
            violations.assert_none()
            page.set_viewport_size({"width": 1280, "height": 800})
        if role == Role.ADMIN:
            for path in ("/retention/", "/retention/preview/", "/retention/holds/"):
                if page.goto(path).status == 404:  # type: ignore[union-attr]
                    continue  # not in this build
                violations.assert_none()
        sign_out(page)
        violations.assert_none()

    # Setting up an authenticator app: the QR code is inline SVG, drawn without style.
    newcomer = make_user(Role.CASEWORKER, totp=False)
    page.get_by_label("Username").fill(newcomer.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_title("Set up your authenticator app - Changing Lives")
    violations.assert_none()

    assert len(violations.checked) > 30


def test_an_inline_script_or_style_is_blocked_and_would_be_caught(
    page: Page, violations: Violations
) -> None:
    """The check above can fail: an inline script and a style attribute are refused."""
    page.goto("/account/sign-in/")
    violations.assert_none()
    page.evaluate(
        """() => {
          const script = document.createElement('script');
          script.textContent = 'window.__ranInline = true';
          document.body.appendChild(script);
          document.body.setAttribute('style', 'background: red');
        }"""
    )
    page.wait_for_function("window.__cspViolations.length >= 2")
    directives = {found["directive"] for found in page.evaluate("window.__cspViolations")}
    assert directives == {"script-src-elem", "style-src-attr"}
    assert page.evaluate("window.__ranInline") is None
