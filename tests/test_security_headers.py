"""Every response carries the security headers: Content-Security-Policy with a fresh nonce,
HSTS on https, no framing, same-origin referrers; plain http is sent to https.

The browser side (no page breaks the policy) is tests/browser/test_csp.py.
"""

import re

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from changing_lives.accounts.roles import Role

pytestmark = pytest.mark.django_db

CSP_DIRECTIVES = {
    "default-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'none'",
    "object-src": "'none'",
}


def policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


def script_nonces(html: str) -> list[str]:
    return re.findall(r'<script[^>]* nonce="([^"]+)"', html)


@pytest.mark.parametrize("signed_in", [False, True], ids=["sign-in page", "home page"])
def test_pages_carry_the_content_security_policy(signed_in: bool, client_as, client) -> None:
    if signed_in:
        response = client_as(Role.CASEWORKER).get(reverse("pages:home"))
    else:
        response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    directives = policy(response)
    for name, value in CSP_DIRECTIVES.items():
        assert directives[name] == value, name
    # Scripts: this origin's files, and nothing inline without the response's nonce.
    source, nonce = directives["script-src"].split(" ")
    assert source == "'self'"
    assert re.fullmatch(r"'nonce-[A-Za-z0-9_-]{16,}'", nonce)
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    # Both script tags of the layout carry that nonce.
    html = response.content.decode()
    assert script_nonces(html) == [nonce[len("'nonce-") : -1]] * 2
    assert "<style" not in html
    assert " style=" not in html


def test_each_response_gets_a_new_nonce(client) -> None:
    first = policy(client.get(reverse("accounts:login")))["script-src"]
    second = policy(client.get(reverse("accounts:login")))["script-src"]
    assert first != second


def test_error_pages_carry_the_policy_too(client_as) -> None:
    response = client_as(Role.CASEWORKER).get("/no-such-page/")
    assert response.status_code == 404
    assert policy(response)["frame-ancestors"] == "'none'"


def test_framing_is_refused_and_referrers_stay_on_this_site(client) -> None:
    response = client.get(reverse("accounts:login"))
    assert response["X-Frame-Options"] == "DENY"
    assert policy(response)["frame-ancestors"] == "'none'"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_https_responses_carry_hsts_for_a_year_with_subdomains_not_preloaded(client) -> None:
    response = client.get(reverse("accounts:login"), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_plain_http_responses_carry_no_hsts(client) -> None:
    # Browsers ignore HSTS over http; Django sends it on https only.
    assert "Strict-Transport-Security" not in client.get(reverse("accounts:login"))


@override_settings(SECURE_SSL_REDIRECT=True)
def test_plain_http_is_redirected_to_https_except_the_health_check() -> None:
    client = Client()  # a new client loads the middleware with the settings above
    response = client.get("/account/sign-in/?next=/families/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/account/sign-in/?next=/families/"
    assert client.get("/healthz?check=database").status_code == 200


@override_settings(
    SECURE_SSL_REDIRECT=True, SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")
)
def test_behind_a_tls_proxy_the_scheme_is_the_proxys() -> None:
    client = Client()
    over_tls = client.get(reverse("accounts:login"), headers={"X-Forwarded-Proto": "https"})
    assert over_tls.status_code == 200
    assert over_tls["Strict-Transport-Security"].startswith("max-age=31536000")
    # A request the proxy passed on as plain http is still redirected.
    over_http = client.get(reverse("accounts:login"), headers={"X-Forwarded-Proto": "http"})
    assert over_http.status_code == 301
