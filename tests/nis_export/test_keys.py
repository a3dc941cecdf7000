"""Recipient keys: an admin adds a usable public key (fingerprint and expiry shown), is
refused an expired, malformed, private or duplicate one with a clear message, and retires
a key. The pages are platform-wide: admins of any authority, nobody else."""

import subprocess
from collections.abc import Callable, Iterator

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from changing_lives.accounts.models import User
from changing_lives.accounts.roles import Role
from changing_lives.audit.actions import AuditAction
from changing_lives.audit.models import AuditEvent
from families.models import Family
from nis_export.build import current_recipient_keys
from nis_export.keys import fingerprint_display, recipient_key_add, recipient_key_retire
from nis_export.models import RecipientKey
from tests.nis_export.keys import KeyPair, make_key, remove
from tests.signing_in import force_login_verified
from tests.test_other_authority import RECIPIENT_KEY_URLS, real_arguments
from tests.urlwalk import walk

NOT_ADMINS = [Role.CASEWORKER, Role.TEAM_MANAGER, Role.DATA_OFFICER]


@pytest.fixture(scope="module")
def ons() -> Iterator[KeyPair]:
    pair = make_key("ONS NIS test <nis@ons.example>")
    yield pair
    remove(pair)


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user(Role.ADMIN)


@pytest.fixture
def admin_client(admin: User) -> Client:
    client = Client()
    force_login_verified(client, admin)
    return client


def fingerprint_of(pair: KeyPair) -> str:
    listing = subprocess.run(
        ["gpg", "--batch", "--homedir", str(pair.home), "--with-colons", "--list-keys"],
        check=True,
        capture_output=True,
    ).stdout.decode()
    return next(line.split(":")[9] for line in listing.splitlines() if line.startswith("fpr"))


def private_key_of(pair: KeyPair) -> str:
    return subprocess.run(
        ["gpg", "--batch", "--homedir", str(pair.home), "--armor", "--export-secret-keys"],
        check=True,
        capture_output=True,
    ).stdout.decode()


def summary_of(response) -> str:
    html = response.content.decode()
    assert 'class="govuk-error-summary"' in html, "no error summary on the page"
    start = html.index('class="govuk-error-summary"')
    return html[start : html.index("</div>\n  </div>", start)]


def audited(action: AuditAction) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action.value))


# The service


@pytest.mark.django_db
def test_adding_a_key_keeps_its_fingerprint_user_ids_and_expiry(admin: User, ons: KeyPair) -> None:
    key = recipient_key_add(actor=admin, armored=ons.public)
    assert key.fingerprint == fingerprint_of(ons)
    assert key.user_ids == ["ONS NIS test <nis@ons.example>"]
    assert key.expires_at is not None
    assert key.added_by == admin
    assert current_recipient_keys() == [key]
    [event] = audited(AuditAction.NIS_KEY_ADDED)
    assert event.actor == admin
    assert event.detail == key.fingerprint


@pytest.mark.django_db
def test_a_key_already_held_is_refused(admin: User, ons: KeyPair) -> None:
    recipient_key_add(actor=admin, armored=ons.public)
    with pytest.raises(ValidationError, match="has already been added"):
        recipient_key_add(actor=admin, armored=ons.public)
    assert RecipientKey.objects.count() == 1
    assert len(audited(AuditAction.NIS_KEY_ADDED)) == 1


@pytest.mark.django_db
def test_a_retired_key_cannot_be_added_again(admin: User, ons: KeyPair) -> None:
    key = recipient_key_add(actor=admin, armored=ons.public)
    recipient_key_retire(actor=admin, key=key)
    with pytest.raises(ValidationError, match="was added before and retired"):
        recipient_key_add(actor=admin, armored=ons.public)


@pytest.mark.django_db
def test_retiring_a_key_stops_builds_using_it_and_is_audited(admin: User, ons: KeyPair) -> None:
    key = recipient_key_add(actor=admin, armored=ons.public)
    recipient_key_retire(actor=admin, key=key)
    key.refresh_from_db()
    assert key.retired_at is not None
    assert current_recipient_keys() == []
    [event] = audited(AuditAction.NIS_KEY_RETIRED)
    assert event.detail == key.fingerprint
    with pytest.raises(ValidationError, match="already been retired"):
        recipient_key_retire(actor=admin, key=key)


# The pages


@pytest.mark.django_db
def test_an_admin_adds_a_pasted_key_and_sees_its_fingerprint_in_groups_of_four(
    admin_client: Client, ons: KeyPair
) -> None:
    response = admin_client.post(reverse("nis_export:key_add"), {"armored": ons.public})
    assert response.status_code == 302
    assert response["Location"] == reverse("nis_export:keys")
    html = admin_client.get(reverse("nis_export:keys")).content.decode()
    shown = fingerprint_display(fingerprint_of(ons))
    assert len(shown.split(" ")) == 10
    assert shown in html
    assert "ONS NIS test &lt;nis@ons.example&gt;" in html
    assert "Current" in html
    key = RecipientKey.objects.get()
    assert key.expires_at is not None
    assert key.expires_at.strftime("%-d %b %Y") in html


@pytest.mark.django_db
def test_an_admin_adds_a_key_from_an_asc_file(admin_client: Client, ons: KeyPair) -> None:
    upload = SimpleUploadedFile("ons.asc", ons.public.encode(), content_type="text/plain")
    response = admin_client.post(reverse("nis_export:key_add"), {"key_file": upload})
    assert response.status_code == 302
    assert RecipientKey.objects.get().fingerprint == fingerprint_of(ons)


@pytest.mark.django_db
def test_an_expired_key_is_refused_with_its_date_in_the_error_summary(
    admin_client: Client,
) -> None:
    old = make_key("Old <old@ons.example>", expire="1y", faked_time="20200101T000000")
    try:
        response = admin_client.post(reverse("nis_export:key_add"), {"armored": old.public})
    finally:
        remove(old)
    assert response.status_code == 200
    summary = summary_of(response)
    assert "The key expired on 31 December 2020" in summary
    assert 'href="#id_armored"' in summary
    assert not RecipientKey.objects.exists()
    assert audited(AuditAction.NIS_KEY_ADDED) == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("my key", "The file is not an OpenPGP public key"),
        (
            "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nbroken\n-----END PGP PUBLIC KEY BLOCK-----",
            "The key could not be read",
        ),
    ],
)
def test_garbage_is_refused_with_the_reason(admin_client: Client, text: str, message: str) -> None:
    response = admin_client.post(reverse("nis_export:key_add"), {"armored": text})
    assert message in summary_of(response)
    assert not RecipientKey.objects.exists()


@pytest.mark.django_db
def test_a_private_key_is_refused_and_the_message_links_to_the_file_field(
    admin_client: Client, ons: KeyPair
) -> None:
    upload = SimpleUploadedFile("secret.asc", private_key_of(ons).encode())
    response = admin_client.post(reverse("nis_export:key_add"), {"key_file": upload})
    summary = summary_of(response)
    assert "This is a private key" in summary
    assert 'href="#id_key_file"' in summary
    assert not RecipientKey.objects.exists()


@pytest.mark.django_db
def test_a_binary_key_file_is_refused_with_how_to_export_it(admin_client: Client) -> None:
    upload = SimpleUploadedFile("ons.gpg", b"\x99\x01\xff\xfe binary")
    response = admin_client.post(reverse("nis_export:key_add"), {"key_file": upload})
    assert "export the public key with --armor" in summary_of(response)


@pytest.mark.django_db
def test_a_duplicate_key_is_refused_on_the_page(admin_client: Client, ons: KeyPair) -> None:
    admin_client.post(reverse("nis_export:key_add"), {"armored": ons.public})
    response = admin_client.post(reverse("nis_export:key_add"), {"armored": ons.public})
    assert "has already been added" in summary_of(response)
    assert RecipientKey.objects.count() == 1


@pytest.mark.django_db
def test_neither_a_file_nor_a_pasted_key_is_refused(admin_client: Client) -> None:
    response = admin_client.post(reverse("nis_export:key_add"), {"armored": "  "})
    assert "Upload the key file, or paste the key" in summary_of(response)


@pytest.mark.django_db
def test_both_a_file_and_a_pasted_key_are_refused(admin_client: Client, ons: KeyPair) -> None:
    upload = SimpleUploadedFile("ons.asc", ons.public.encode())
    response = admin_client.post(
        reverse("nis_export:key_add"), {"key_file": upload, "armored": ons.public}
    )
    assert "not both" in summary_of(response)
    assert not RecipientKey.objects.exists()


@pytest.mark.django_db
def test_an_admin_retires_a_key_after_confirming(
    admin_client: Client, admin: User, ons: KeyPair
) -> None:
    key = recipient_key_add(actor=admin, armored=ons.public)
    path = reverse("nis_export:key_retire", args=[key.fingerprint])
    page = admin_client.get(path).content.decode()
    assert "Retire this key?" in page
    assert fingerprint_display(key.fingerprint) in page
    assert "This is the only current key" in page
    key.refresh_from_db()
    assert key.retired_at is None  # opening the page changes nothing

    response = admin_client.post(path)
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.retired_at is not None
    listing = admin_client.get(reverse("nis_export:keys")).content.decode()
    assert "Retired" in listing
    assert "No current key" in listing
    assert "already retired" in admin_client.get(path).content.decode()
    assert len(audited(AuditAction.NIS_KEY_RETIRED)) == 1


@pytest.mark.django_db
def test_an_expired_key_is_tagged_expired(admin_client: Client, admin: User) -> None:
    RecipientKey.objects.create(
        fingerprint="B" * 40,
        armored="(not read)",
        created_at="2019-01-01T00:00:00Z",
        expires_at="2020-01-01T00:00:00Z",
    )
    html = admin_client.get(reverse("nis_export:keys")).content.decode()
    assert "Expired" in html
    assert "No current key" in html


# Who reaches the key pages: platform-wide, so admins of every authority, and nobody else


def key_path(name: str, family: Family) -> str:
    url = next(url for url in walk() if url.name == name)
    arguments = real_arguments(family)
    return reverse(name, kwargs={parameter: arguments[parameter] for parameter in url.parameters})


def test_every_key_page_is_listed_as_platform_wide() -> None:
    under_keys = {url.name for url in walk() if url.path.startswith("/nis/keys/")}
    assert under_keys == RECIPIENT_KEY_URLS


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(RECIPIENT_KEY_URLS))
@pytest.mark.parametrize("whose", ["home", "other"])
def test_an_admin_of_any_authority_reaches_every_key_page(
    name: str, whose: str, family: Family, client_as, other_authority
) -> None:
    client = client_as(Role.ADMIN, local_authority=other_authority if whose == "other" else None)
    assert client.get(key_path(name, family)).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(RECIPIENT_KEY_URLS))
@pytest.mark.parametrize("role", NOT_ADMINS)
def test_nobody_but_an_admin_may_open_or_post_to_a_key_page(
    name: str, role: Role, family: Family, client_as
) -> None:
    client = client_as(role)
    path = key_path(name, family)
    assert client.get(path).status_code == 403
    assert client.post(path).status_code == 403
    assert not RecipientKey.objects.filter(retired_at__isnull=False).exists()
    assert audited(AuditAction.NIS_KEY_ADDED) == audited(AuditAction.NIS_KEY_RETIRED) == []


@pytest.mark.django_db
def test_the_admin_home_page_offers_the_key_page_and_others_do_not(client_as) -> None:
    link = f'href="{reverse("nis_export:keys")}"'
    assert link in client_as(Role.ADMIN).get(reverse("pages:home")).content.decode()
    for role in NOT_ADMINS:
        assert link not in client_as(role).get(reverse("pages:home")).content.decode()
