"""Who reaches what: anonymous users, each role, and users of another authority."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from changing_lives.accounts.roles import Role
from tests.signing_in import force_login_verified
from tests.urlwalk import PUBLIC_URL_NAMES, walk

ALL_URLS = list(walk())


def test_the_walk_finds_every_page_of_the_foundation() -> None:
    names = {url.name for url in ALL_URLS}
    assert {
        "pages:home",
        "audit:list",
        "authorities:settings",
        "accounts:login",
        "healthz",
    } <= names


def test_every_public_name_exists() -> None:
    assert {url.name for url in ALL_URLS} >= PUBLIC_URL_NAMES


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", [u for u in ALL_URLS if u.name not in PUBLIC_URL_NAMES], ids=lambda u: u.name
)
def test_anonymous_user_is_sent_to_sign_in_from_every_non_public_url(url, client: Client) -> None:
    for method in (client.get, client.post):
        response = method(url.path)
        assert response.status_code == 302, f"{url.name} answered {response.status_code}"
        location = urlsplit(response["Location"])
        assert location.path == reverse("accounts:login")
        assert parse_qs(location.query) == {"next": [url.path]}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [u for u in ALL_URLS if u.name in PUBLIC_URL_NAMES and u.name != "healthz"],
    ids=lambda u: u.name,
)
def test_public_pages_open_without_signing_in(url, client: Client, authority) -> None:
    path = url.path
    if url.name == "pages:privacy_notice":
        path = reverse("pages:privacy_notice", args=[authority.gss_code])
    response = client.get(path)
    # The reset-confirm example token is not valid: it answers with its "not valid" page.
    assert response.status_code in {200, 302}
    if response.status_code == 302:
        assert not urlsplit(response["Location"]).path.startswith(reverse("accounts:login"))


HOME_SECTIONS = {
    Role.CASEWORKER: "Caseworker",
    Role.TEAM_MANAGER: "Team manager",
    Role.DATA_OFFICER: "Data officer",
    Role.ADMIN: "Admin",
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_its_own_home_section_and_no_other(role: Role, client_as) -> None:
    response = client_as(role).get(reverse("pages:home"))
    assert response.status_code == 200
    headings = [s["role"] for s in response.context["sections"]]
    assert headings == [role]
    html = response.content.decode()
    assert f'id="role-{role.value}"' in html
    for other in set(Role) - {role}:
        assert f'id="role-{other.value}"' not in html


@pytest.mark.django_db
def test_admin_navigation_offers_the_audit_trail_and_settings(client_as) -> None:
    html = client_as(Role.ADMIN).get(reverse("pages:home")).content.decode()
    assert f'href="{reverse("audit:list")}"' in html
    assert f'href="{reverse("authorities:settings")}"' in html


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.TEAM_MANAGER, Role.DATA_OFFICER])
def test_other_roles_are_not_offered_admin_pages_and_are_refused_them(
    role: Role, client_as
) -> None:
    client = client_as(role)
    html = client.get(reverse("pages:home")).content.decode()
    assert f'href="{reverse("audit:list")}"' not in html
    assert f'href="{reverse("authorities:settings")}"' not in html
    assert client.get(reverse("audit:list")).status_code == 403
    assert client.get(reverse("authorities:settings")).status_code == 403


@pytest.mark.django_db
def test_a_user_holding_two_roles_sees_both_sections(make_user) -> None:
    client = Client()
    force_login_verified(client, make_user(Role.CASEWORKER, Role.TEAM_MANAGER))
    sections = client.get(reverse("pages:home")).context["sections"]
    assert [s["role"] for s in sections] == [Role.CASEWORKER, Role.TEAM_MANAGER]


@pytest.mark.django_db
def test_a_user_without_a_role_is_told_to_ask_for_one(make_user) -> None:
    client = Client()
    force_login_verified(client, make_user())
    assert "Your account has no role yet" in client.get(reverse("pages:home")).content.decode()


@pytest.mark.django_db
def test_unknown_page_is_a_govuk_404_that_echoes_nothing(client_as) -> None:
    response = client_as(Role.CASEWORKER).get("/no-such-page-AB123456C/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert "AB123456C" not in html
