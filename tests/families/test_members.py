"""Adding, changing, removing and moving members, each recorded in the family's history."""

import pytest
from django.urls import reverse

from changing_lives.accounts.roles import Role
from changing_lives.audit.models import AuditEvent
from families.la_ids import ReferenceKind, reference_in_use
from families.models import FamilyHistoryEntry, Individual, RetiredReference
from tests.factories import FamilyFactory, IndividualFactory

pytestmark = pytest.mark.django_db

MEMBER = {
    "forename": "Amara",
    "surname": "Okafor",
    "date_of_birth_0": "5",
    "date_of_birth_1": "11",
    "date_of_birth_2": "2019",
    "gender": "female",
    "relationship": "child",
    "lives_in_household": "True",
}


def test_adding_a_member_gives_them_the_next_id_and_records_it(client_as, family) -> None:
    response = client_as(Role.CASEWORKER).post(
        reverse("families:member_add", args=[family.public_id]), MEMBER | {"la_individual_id": ""}
    )
    assert response.status_code == 302
    amara = family.members.get(forename="Amara")
    assert amara.la_individual_id == "I000001"
    entry = family.history.get(action=FamilyHistoryEntry.Action.MEMBER_ADDED)
    assert entry.subject_id == amara.public_id
    assert AuditEvent.objects.filter(action="member_added", object_id=str(amara.public_id)).exists()


def test_changing_a_member_keeps_old_and_new_values_in_the_history(client_as, family) -> None:
    tunde = family.members.get(forename="Tunde")
    data = MEMBER | {"forename": "Tunde", "surname": "Okafor-Bello", "upn": "H801200001001",
                     "date_of_birth_2": "2014", "date_of_birth_1": "2", "date_of_birth_0": "3",
                     "gender": "male"}  # fmt: skip
    response = client_as(Role.CASEWORKER).post(
        reverse("families:member_edit", args=[family.public_id, tunde.public_id]), data
    )
    assert response.status_code == 302, response.context["form"].errors
    entry = family.history.get(action=FamilyHistoryEntry.Action.MEMBER_UPDATED)
    assert entry.changes == [
        {"field": "surname", "label": "Surname", "old": "Okafor", "new": "Okafor-Bello"}
    ]


def test_a_member_keeps_their_own_identifier_when_edited(client_as, family) -> None:
    sarah = family.members.get(forename="Sarah")
    data = MEMBER | {"forename": "Sarah", "relationship": "main_carer", "date_of_birth_2": "1985",
                     "nino": "AB123456C", "nhs_number": "9434765919"}  # fmt: skip
    response = client_as(Role.CASEWORKER).post(
        reverse("families:member_edit", args=[family.public_id, sarah.public_id]), data
    )
    assert response.status_code == 302, response.context["form"].errors


def test_an_objection_needs_both_a_date_and_how_it_was_made(client_as, family) -> None:
    tunde = family.members.get(forename="Tunde")
    url = reverse("families:member_edit", args=[family.public_id, tunde.public_id])
    data = MEMBER | {"forename": "Tunde", "nis_objection_on_0": "1", "nis_objection_on_1": "3",
                     "nis_objection_on_2": "2025"}  # fmt: skip
    response = client_as(Role.CASEWORKER).post(url, data)
    assert "Select how they objected" in response.content.decode()
    tunde.refresh_from_db()
    assert tunde.nis_objection_on is None


def test_removing_a_member_retires_their_id_for_good(client_as, family) -> None:
    tunde = family.members.get(forename="Tunde")
    client = client_as(Role.CASEWORKER)
    url = reverse("families:member_remove", args=[family.public_id, tunde.public_id])
    assert (
        "Enter why you are removing this member"
        in client.post(url, {"reason": ""}).content.decode()
    )
    response = client.post(url, {"reason": "Recorded in error"})
    assert response.status_code == 302
    assert not Individual.objects.filter(pk=tunde.pk).exists()
    assert RetiredReference.objects.count() == 1
    assert "I100002" not in str(list(RetiredReference.objects.values()))
    assert reference_in_use(
        authority=family.local_authority, kind=ReferenceKind.INDIVIDUAL, value="i100002"
    )
    entry = family.history.get(action=FamilyHistoryEntry.Action.MEMBER_REMOVED)
    assert entry.note == "Recorded in error"
    response = client.post(
        reverse("families:member_add", args=[family.public_id]),
        MEMBER | {"la_individual_id": "I100002"},
    )
    assert "LA individual ID is already used, or was used before" in response.content.decode()


def test_the_last_member_cannot_be_removed(client_as, authority) -> None:
    only = IndividualFactory.create(family=FamilyFactory.create(local_authority=authority))
    response = client_as(Role.CASEWORKER).post(
        reverse("families:member_remove", args=[only.family.public_id, only.public_id]),
        {"reason": "Left"},
    )
    assert "A family must keep at least one member" in response.content.decode()
    assert Individual.objects.filter(pk=only.pk).exists()


def test_moving_a_member_is_recorded_in_both_families(client_as, family, authority) -> None:
    other = IndividualFactory.create(
        family=FamilyFactory.create(local_authority=authority, la_family_id="F200002")
    ).family
    tunde = family.members.get(forename="Tunde")
    response = client_as(Role.CASEWORKER).post(
        reverse("families:member_move", args=[family.public_id, tunde.public_id]),
        {"la_family_id": "f200002"},
    )
    assert response["Location"] == reverse("families:detail", args=[other.public_id])
    tunde.refresh_from_db()
    assert tunde.family == other
    out = family.history.get(action=FamilyHistoryEntry.Action.MEMBER_MOVED_OUT)
    moved_in = other.history.get(action=FamilyHistoryEntry.Action.MEMBER_MOVED_IN)
    assert (out.note, moved_in.note) == ("To family F200002", "From family F100001")
    assert out.subject_id == moved_in.subject_id == tunde.public_id


def test_a_member_cannot_be_moved_to_another_authoritys_family(
    client_as, family, other_authority
) -> None:
    theirs = FamilyFactory.create(local_authority=other_authority, la_family_id="F300003")
    tunde = family.members.get(forename="Tunde")
    response = client_as(Role.CASEWORKER).post(
        reverse("families:member_move", args=[family.public_id, tunde.public_id]),
        {"la_family_id": theirs.la_family_id},
    )
    assert "No family in your local authority has that LA family ID" in response.content.decode()
    tunde.refresh_from_db()
    assert tunde.family == family
