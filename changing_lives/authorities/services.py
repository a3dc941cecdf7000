"""Writes to local authorities."""

from django.db import transaction
from django.utils import timezone

from changing_lives.accounts.models import User
from changing_lives.audit.actions import AuditAction
from changing_lives.audit.services import audit_record
from changing_lives.authorities.models import LocalAuthority
from changing_lives.authorities.notice import DEFAULT_TEXT


@transaction.atomic
def authority_create(*, name: str, gss_code: str, dfe_number: str) -> LocalAuthority:
    """Create an authority, its privacy notice starting from the programme's standard text."""
    authority = LocalAuthority(
        name=name.strip(),
        gss_code=gss_code.strip().upper(),
        dfe_number=dfe_number.strip(),
        privacy_notice=DEFAULT_TEXT,
        privacy_notice_updated_at=timezone.now(),
    )
    authority.full_clean()
    authority.save()
    return authority


@transaction.atomic
def authority_privacy_notice_update(
    *, authority: LocalAuthority, text: str, actor: User
) -> LocalAuthority:
    authority.privacy_notice = text
    authority.privacy_notice_updated_at = timezone.now()
    authority.full_clean()
    authority.save(update_fields=["privacy_notice", "privacy_notice_updated_at"])
    audit_record(action=AuditAction.AUTHORITY_SETTINGS_CHANGED, actor=actor, obj=authority)
    return authority
