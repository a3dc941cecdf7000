"""The quick start never rots: on SQLite, migrate, seed_demo (twice), serve, and every demo
user signs in (password, then a code computed from the published demo authenticator key, as
the README says) and opens every page the URLconf has without arguments.

This runs the same commands `make run` runs, in subprocesses, against a throwaway SQLite
file; the rest of the suite runs on PostgreSQL.
"""

import base64
import http.cookiejar
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest
from django_otp.oath import totp

from changing_lives.demo.users import (
    DEMO_BACKUP_CODES,
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    DEMO_USERS,
)
from tests.sqlite_project import ROOT, manage, sqlite_env
from tests.urlwalk import walk

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def quick_start(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("quick-start")
    env = sqlite_env(folder)

    manage(env, "migrate", "--no-input")
    first = manage(env, "seed_demo")
    assert manage(env, "seed_demo") == first  # idempotent: the same data, the same words
    for demo in DEMO_USERS:
        assert demo.username in first
    assert DEMO_PASSWORD in first
    assert " ".join(DEMO_TOTP_SECRET[i : i + 4] for i in range(0, 32, 4)) in first
    assert " ".join(DEMO_BACKUP_CODES) in first

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = (folder / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((folder / "server.log").read_text()) from None
                time.sleep(0.3)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


class Browser:
    """Just enough of a browser: cookies, CSRF tokens, no redirects followed silently."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def post_form(self, path: str, fields: dict[str, str]) -> tuple[int, str]:
        _, html = self.get(path)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert match, f"no CSRF token on {path}"
        token = match.group(1)
        data = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(
            self.base + path, data=data, headers={"Referer": self.base + path}
        )
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()


def test_health_page_answers_on_the_quick_start(quick_start: str) -> None:
    status, body = Browser(quick_start).get("/healthz")
    assert status == 200
    assert '"status": "ok"' in body


def demo_code() -> str:
    """What an authenticator app given the published demo key shows now."""
    return f"{totp(base64.b32decode(DEMO_TOTP_SECRET)):06d}"


@pytest.mark.parametrize("demo", DEMO_USERS, ids=lambda demo: demo.username)
def test_each_demo_user_signs_in_and_every_page_renders(quick_start: str, demo) -> None:
    browser = Browser(quick_start)
    status, html = browser.post_form(
        "/account/sign-in/", {"username": demo.username, "password": DEMO_PASSWORD}
    )
    assert status == 200
    assert "<title>Enter your security code - Changing Lives</title>" in html
    status, html = browser.post_form("/account/verify/?next=/", {"code": demo_code()})
    assert status == 200
    assert "<title>Your work - Changing Lives</title>" in html
    assert f'id="role-{demo.role.value}"' in html

    offered = set(re.findall(r'class="govuk-service-navigation__link" href="([^"]+)"', html))
    for url in walk():
        if url.takes_arguments or url.name == "accounts:logout":
            continue
        status, page = browser.get(url.path)
        assert status in {200, 403}, f"{url.name} answered {status}"
        assert "Traceback" not in page
        if url.path in offered:
            assert status == 200, f"{url.name} is offered to {demo.username} but answered {status}"
