"""The audit trail is append-only (in the model and, on PostgreSQL, in the database) and
each authority sees only its own."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from changing_lives.accounts.roles import Role
from changing_lives.audit.actions import AuditAction
from changing_lives.audit.models import AuditEvent
from changing_lives.audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(make_user) -> AuditEvent:
    return audit_record(action=AuditAction.LOGIN, actor=make_user(Role.CASEWORKER))


def test_an_entry_cannot_be_changed_or_deleted_through_the_model(event: AuditEvent) -> None:
    event.action = "something_else"
    with pytest.raises(TypeError, match="append-only"):
        event.save()
    with pytest.raises(TypeError, match="append-only"):
        event.delete()
    with pytest.raises(TypeError, match="append-only"):
        AuditEvent.objects.all().delete()
    with pytest.raises(TypeError, match="append-only"):
        AuditEvent.objects.update(action="x")


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_auditevent SET action = 'x'", "DELETE FROM audit_auditevent"],
)
def test_the_database_refuses_to_change_or_delete_an_entry(
    event: AuditEvent, statement: str
) -> None:
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert AuditEvent.objects.get().action == "login"


def test_an_entry_names_its_object_by_public_id_and_defaults_to_the_actors_authority(
    make_user,
) -> None:
    actor = make_user(Role.ADMIN)
    subject = make_user(Role.CASEWORKER)
    entry = audit_record(action=AuditAction.PASSWORD_CHANGED, actor=actor, obj=subject)
    assert entry.object_type == "accounts.user"
    assert entry.object_id == str(subject.public_id)
    assert entry.local_authority == actor.local_authority


def test_admins_see_only_their_own_authoritys_trail(make_user, client_as, other_authority) -> None:
    mine = audit_record(action=AuditAction.LOGIN, actor=make_user(Role.CASEWORKER))
    theirs = audit_record(
        action=AuditAction.LOGIN, actor=make_user(Role.CASEWORKER, local_authority=other_authority)
    )
    response = client_as(Role.ADMIN).get(reverse("audit:list"))
    assert response.status_code == 200
    events = list(response.context["page"].object_list)
    assert mine in events
    assert theirs not in events


def test_the_trail_lists_a_page_in_a_constant_number_of_queries(
    make_user, client_as, django_assert_max_num_queries
) -> None:
    client = client_as(Role.ADMIN)
    for _ in range(60):
        audit_record(action=AuditAction.LOGIN, actor=make_user(Role.CASEWORKER))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("audit:list"))
    assert len(response.context["page"].object_list) == 50
