"""audit_record: the one way anything writes to the audit trail."""

import uuid
from collections.abc import Sequence
from typing import Any

from axes.helpers import get_client_ip_address
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.http import HttpRequest
from django.utils import timezone

from changing_lives.accounts.models import User
from changing_lives.audit.actions import AuditAction
from changing_lives.audit.models import AuditEvent
from changing_lives.authorities.models import LocalAuthority
from changing_lives.db import values_insert_new


def audit_record(
    *,
    action: AuditAction,
    actor: User | AnonymousUser | None = None,
    local_authority: LocalAuthority | None = None,
    obj: models.Model | None = None,
    request: HttpRequest | None = None,
    detail: str = "",
) -> AuditEvent:
    """Append one event to the trail.

    Call it inside the transaction of the change it records, so the two commit or roll
    back together. `obj` is named by its public UUID where it has one (never a name), and
    the authority defaults to the actor's.
    """
    return AuditEvent.objects.create(
        **_event_fields(action, actor, local_authority, request, detail), **_named(obj)
    )


def audit_record_many(
    *,
    action: AuditAction,
    objects: Sequence[models.Model],
    actor: User | AnonymousUser | None = None,
    local_authority: LocalAuthority | None = None,
    detail: str = "",
) -> None:
    """One event per object (all of one kind), appended in one statement: as audit_record,
    for a change made to many records at once (the purge's batch of families)."""
    fields = _event_fields(action, actor, local_authority, None, detail)
    named = [_named(obj) for obj in objects]
    types = {name["object_type"] for name in named}
    if len(types) > 1:
        raise ValueError("audit_record_many: objects of one kind only")
    values_insert_new(
        AuditEvent,
        same={**fields, "occurred_at": timezone.now(), "object_type": types.pop() if types else ""},
        column="object_id",
        values=[name["object_id"] for name in named],
    )


def _event_fields(
    action: AuditAction,
    actor: User | AnonymousUser | None,
    local_authority: LocalAuthority | None,
    request: HttpRequest | None,
    detail: str,
) -> dict[str, Any]:
    user = actor if isinstance(actor, User) else None
    if local_authority is None and user is not None:
        local_authority = user.local_authority
    return {
        "action": action.value,
        "actor": user,
        "local_authority": local_authority,
        "ip_address": get_client_ip_address(request) if request is not None else None,
        "detail": detail,
    }


def _named(obj: models.Model | None) -> dict[str, str]:
    """The object's type and id: its public UUID where it has one (never a name)."""
    if obj is None:
        return {"object_type": "", "object_id": ""}
    public_id = getattr(obj, "public_id", None)
    return {
        "object_type": obj._meta.label_lower,
        "object_id": str(public_id if isinstance(public_id, uuid.UUID) else obj.pk),
    }
