"""Local authorities: validated codes, and a privacy notice their admin keeps."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from changing_lives.accounts.roles import Role
from changing_lives.audit.models import AuditEvent
from changing_lives.authorities.notice import DEFAULT_TEXT, render_notice
from changing_lives.authorities.services import authority_create


@pytest.mark.django_db
@pytest.mark.parametrize(
    "gss_code",
    ["E06000023", "E08000025", "E09000033", "E10000016", "e09000033", " E09000033 "],
)
def test_upper_tier_gss_codes_are_accepted(gss_code: str) -> None:
    authority = authority_create(name="A Council", gss_code=gss_code, dfe_number="213")
    assert authority.gss_code == gss_code.strip().upper()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "gss_code",
    ["E07000223", "E05000001", "W06000001", "E0900003", "E090000333", "E09OOOO33", ""],
)
def test_other_gss_codes_are_refused_with_the_rule(gss_code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        authority_create(name="A Council", gss_code=gss_code, dfe_number="213")
    assert "gss_code" in caught.value.message_dict


@pytest.mark.django_db
@pytest.mark.parametrize("dfe_number", ["21", "2133", "ABC"])
def test_dfe_numbers_must_be_three_digits(dfe_number: str) -> None:
    with pytest.raises(ValidationError) as caught:
        authority_create(name="A Council", gss_code="E09000033", dfe_number=dfe_number)
    assert (
        "Enter the DfE local authority number as 3 digits, like 213"
        in caught.value.message_dict["dfe_number"]
    )


@pytest.mark.django_db
def test_a_new_authority_starts_with_the_programmes_privacy_notice() -> None:
    authority = authority_create(name="A Council", gss_code="E09000033", dfe_number="213")
    assert authority.privacy_notice == DEFAULT_TEXT
    assert "the data is destroyed after eight years" in DEFAULT_TEXT


def test_the_notice_renders_headings_bullets_and_paragraphs_and_escapes_markup() -> None:
    html = render_notice("## About us\n\nWe help.\n- one\n- two <b>\n\n<script>alert(1)</script>")
    assert '<h2 class="govuk-heading-m">About us</h2>' in html
    assert '<p class="govuk-body">We help.</p>' in html
    assert (
        '<ul class="govuk-list govuk-list--bullet"><li>one</li><li>two &lt;b&gt;</li></ul>' in html
    )
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.django_db
def test_the_public_notice_page_shows_the_authoritys_text(client, authority) -> None:
    response = client.get(reverse("pages:privacy_notice", args=[authority.gss_code]))
    assert response.status_code == 200
    assert "How long will my information be kept?" in response.content.decode()


@pytest.mark.django_db
def test_the_notice_index_goes_straight_to_the_only_authority(client, authority) -> None:
    response = client.get(reverse("pages:privacy_notices"))
    assert response["Location"] == reverse("pages:privacy_notice", args=[authority.gss_code])


@pytest.mark.django_db
def test_an_unknown_authoritys_notice_is_404(client, authority) -> None:
    assert client.get(reverse("pages:privacy_notice", args=["E09999999"])).status_code == 404


@pytest.mark.django_db
def test_an_admin_changes_their_notice_and_it_is_audited(client_as, authority) -> None:
    client = client_as(Role.ADMIN)
    response = client.post(reverse("authorities:settings"), {"privacy_notice": "## New\n\nText."})
    assert response.status_code == 302
    authority.refresh_from_db()
    assert authority.privacy_notice == "## New\n\nText."
    event = AuditEvent.objects.get(action="authority_settings_changed")
    assert (event.object_type, event.local_authority) == ("authorities.localauthority", authority)


@pytest.mark.django_db
def test_an_empty_notice_is_refused_with_an_error_summary_and_nothing_saved(
    client_as, authority
) -> None:
    response = client_as(Role.ADMIN).post(reverse("authorities:settings"), {"privacy_notice": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-error-summary" in html
    assert 'href="#id_privacy_notice">Enter the privacy notice' in html
    authority.refresh_from_db()
    assert authority.privacy_notice == DEFAULT_TEXT
    assert not AuditEvent.objects.filter(action="authority_settings_changed").exists()


@pytest.mark.django_db
def test_an_admin_edits_only_their_own_authority(client_as, authority, other_authority) -> None:
    client_as(Role.ADMIN, local_authority=other_authority).post(
        reverse("authorities:settings"), {"privacy_notice": "Changed by the other council"}
    )
    authority.refresh_from_db()
    other_authority.refresh_from_db()
    assert authority.privacy_notice == DEFAULT_TEXT
    assert other_authority.privacy_notice == "Changed by the other council"


@pytest.mark.django_db
def test_an_authority_can_accept_ninos_without_their_final_letter(client_as, authority) -> None:
    from families.services import identifiers_normalise

    with pytest.raises(ValidationError) as caught:
        identifiers_normalise(authority=authority, fields={"nino": "AB123456"})
    assert caught.value.error_dict["nino"][0].code == "nino_suffix_missing"

    client_as(Role.ADMIN).post(
        reverse("authorities:settings"),
        {"privacy_notice": authority.privacy_notice, "allow_nino_without_suffix": "on"},
    )
    authority.refresh_from_db()
    assert authority.allow_nino_without_suffix is True
    assert identifiers_normalise(authority=authority, fields={"nino": "ab 12 34 56"}) == {
        "nino": "AB123456"
    }
