"""LA family and individual IDs: given out, checked, and never used twice.

An authority may type its own reference (from its case management system) or leave the
field blank to be given the next one (F000001, I000001, ...). Once a record goes, its
reference is retired as an HMAC digest (never the reference itself) so it cannot be reused.
"""

import hashlib
import hmac
from collections.abc import Iterable
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import ValidationError

from changing_lives.authorities.models import LocalAuthority
from changing_lives.db import values_insert_new
from families.models import Family, Individual, ReferenceCounter, RetiredReference


class ReferenceKind(StrEnum):
    FAMILY = "family"
    INDIVIDUAL = "individual"


PREFIX = {ReferenceKind.FAMILY: "F", ReferenceKind.INDIVIDUAL: "I"}
LABEL = {ReferenceKind.FAMILY: "LA family ID", ReferenceKind.INDIVIDUAL: "LA individual ID"}


def reference_normalise(value: str) -> str:
    return value.strip().upper()


def reference_digest(*, authority: LocalAuthority, kind: ReferenceKind, value: str) -> str:
    message = f"{authority.gss_code}:{kind.value}:{reference_normalise(value)}".encode()
    return hmac.new(settings.REFERENCE_HMAC_KEY.encode(), message, hashlib.sha256).hexdigest()


def reference_in_use(*, authority: LocalAuthority, kind: ReferenceKind, value: str) -> bool:
    value = reference_normalise(value)
    if kind is ReferenceKind.FAMILY:
        live = Family.objects.filter(local_authority=authority, la_family_id=value).exists()
    else:
        live = Individual.objects.filter(local_authority=authority, la_individual_id=value).exists()
    retired = RetiredReference.objects.filter(
        local_authority=authority,
        kind=kind.value,
        digest=reference_digest(authority=authority, kind=kind, value=value),
    )
    return live or retired.exists()


def reference_check_available(*, authority: LocalAuthority, kind: ReferenceKind, value: str) -> str:
    """Return the normalised reference, or raise if it is, or ever was, in use."""
    value = reference_normalise(value)
    if reference_in_use(authority=authority, kind=kind, value=value):
        raise ValidationError(
            f"{LABEL[kind]} is already used, or was used before, in your local authority: "
            "references are never reused",
            code="reference_used",
        )
    return value


def reference_next(*, authority: LocalAuthority, kind: ReferenceKind) -> str:
    """The next unused generated reference. Call inside a transaction: it locks the counter."""
    counter, _ = ReferenceCounter.objects.select_for_update().get_or_create(
        local_authority=authority, kind=kind.value
    )
    while True:
        counter.last_number += 1
        candidate = f"{PREFIX[kind]}{counter.last_number:06d}"
        if not reference_in_use(authority=authority, kind=kind, value=candidate):
            counter.save(update_fields=["last_number"])
            return candidate


def reference_retire(*, authority: LocalAuthority, kind: ReferenceKind, value: str) -> None:
    references_retire(authority=authority, kind=kind, values=[value])


def references_retire(
    *, authority: LocalAuthority, kind: ReferenceKind, values: Iterable[str]
) -> None:
    """Retire each of `values` (those retired already stay as they are)."""
    values_insert_new(
        RetiredReference,
        same={"local_authority": authority, "kind": kind.value},
        column="digest",
        values=[reference_digest(authority=authority, kind=kind, value=value) for value in values],
    )
