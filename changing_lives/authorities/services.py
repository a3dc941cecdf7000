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
def authority_settings_update(
    *, authority: LocalAuthority, privacy_notice: str, allow_nino_without_suffix: bool, actor: User
) -> LocalAuthority:
    if privacy_notice != authority.privacy_notice:
        authority.privacy_notice = privacy_notice
        authority.privacy_notice_updated_at = timezone.now()
    authority.allow_nino_without_suffix = allow_nino_without_suffix
    authority.full_clean()
    authority.save(
        update_fields=[
            "privacy_notice",
            "privacy_notice_updated_at",
            "allow_nino_without_suffix",
        ]
    )
    audit_record(action=AuditAction.AUTHORITY_SETTINGS_CHANGED, actor=actor, obj=authority)
    return authority
