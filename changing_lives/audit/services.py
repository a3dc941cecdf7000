"""audit_record: the one way anything writes to the audit trail."""

import uuid

from axes.helpers import get_client_ip_address
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.http import HttpRequest

from changing_lives.accounts.models import User
from changing_lives.audit.actions import AuditAction
from changing_lives.audit.models import AuditEvent
from changing_lives.authorities.models import LocalAuthority


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
    user = actor if isinstance(actor, User) else None
    if local_authority is None and user is not None:
        local_authority = user.local_authority
    object_type, object_id = "", ""
    if obj is not None:
        object_type = obj._meta.label_lower
        public_id = getattr(obj, "public_id", None)
        object_id = str(public_id if isinstance(public_id, uuid.UUID) else obj.pk)
    return AuditEvent.objects.create(
        action=action.value,
        actor=user,
        local_authority=local_authority,
        object_type=object_type,
        object_id=object_id,
        ip_address=get_client_ip_address(request) if request is not None else None,
        detail=detail,
    )
