"""Recipient keys: adding an OpenPGP public key that NIS packages are encrypted to, and
retiring one. Keys are platform-wide (the recipients are national), and managed by admins.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from changing_lives.accounts.models import User
from changing_lives.audit.actions import AuditAction
from changing_lives.audit.services import audit_record
from nis_export.build import current_recipient_keys
from nis_export.models import RecipientKey
from nis_export.openpgp import KeyRejected, key_inspect


def fingerprint_display(fingerprint: str) -> str:
    """A fingerprint as people compare it by eye: groups of 4, like GnuPG shows it."""
    return " ".join(fingerprint[i : i + 4] for i in range(0, len(fingerprint), 4))


def _duplicate(key: RecipientKey) -> ValidationError:
    if key.retired_at is not None:
        return ValidationError(
            f"This key ({fingerprint_display(key.fingerprint)}) was added before and retired "
            f"on {timezone.localtime(key.retired_at):%d %B %Y}: it cannot be added again",
            code="key_retired",
        )
    return ValidationError(
        f"This key ({fingerprint_display(key.fingerprint)}) has already been added",
        code="key_duplicate",
    )


def recipient_key_add(
    *, actor: User | None, armored: str, request: HttpRequest | None = None
) -> RecipientKey:
    """Check a recipient's public key and keep it; every package built from now on is
    encrypted to it too.

    Refused (ValidationError, with a message for the admin) when GnuPG cannot use the key
    (malformed, private, expired, revoked, no encryption subkey) or it is already held,
    retired or not. Audited NIS_KEY_ADDED with the fingerprint.
    """
    # GnuPG runs before the transaction opens: no row is locked while a subprocess runs.
    try:
        info = key_inspect(armored)
    except KeyRejected as rejected:
        raise ValidationError(rejected.message, code="key_rejected") from None
    with transaction.atomic():
        held = RecipientKey.objects.filter(fingerprint=info.fingerprint).first()
        if held is not None:
            raise _duplicate(held)
        try:
            # A savepoint: an admin adding the same key at the same moment loses cleanly.
            with transaction.atomic():
                key = RecipientKey.objects.create(
                    fingerprint=info.fingerprint,
                    user_ids=list(info.user_ids),
                    armored=armored.strip() + "\n",
                    created_at=info.created_at,
                    expires_at=info.expires_at,
                    added_by=actor,
                )
        except IntegrityError:
            raise _duplicate(RecipientKey.objects.get(fingerprint=info.fingerprint)) from None
        audit_record(
            action=AuditAction.NIS_KEY_ADDED,
            actor=actor,
            obj=key,
            request=request,
            detail=info.fingerprint,
        )
    return key


@transaction.atomic
def recipient_key_retire(
    *, actor: User | None, key: RecipientKey, request: HttpRequest | None = None
) -> RecipientKey:
    """Stop encrypting packages to this key. It is kept (retired) so the trail of which
    keys packages went to stays readable; it cannot be added again. A build already under
    way may still use it. Audited NIS_KEY_RETIRED with the fingerprint."""
    locked = RecipientKey.objects.select_for_update().get(pk=key.pk)
    if locked.retired_at is not None:
        raise ValidationError("This key has already been retired", code="key_already_retired")
    locked.retired_at = timezone.now()
    locked.save(update_fields=["retired_at"])
    audit_record(
        action=AuditAction.NIS_KEY_RETIRED,
        actor=actor,
        obj=locked,
        request=request,
        detail=locked.fingerprint,
    )
    return locked


def is_last_current_key(key: RecipientKey) -> bool:
    """Whether retiring this key leaves no key to build with."""
    return [current.pk for current in current_recipient_keys()] == [key.pk]
