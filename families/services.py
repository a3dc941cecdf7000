"""Writes to families and their members: the one place they happen.

Each service validates, writes in one transaction, and records both the family's history
(old and new values, for caseworkers) and the audit trail (ids only) inside it. Views,
imports, commands and tasks all call these.
"""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from changing_lives.accounts.models import User
from changing_lives.audit.actions import AuditAction
from changing_lives.audit.services import audit_record
from changing_lives.authorities.models import LocalAuthority
from changing_lives.retention.services import family_retention_refresh
from families import identifiers
from families.history import changes_between, history_record, snapshot
from families.la_ids import (
    ReferenceKind,
    reference_check_available,
    reference_next,
    reference_retire,
)
from families.models import UNIQUE_IDENTIFIERS, Family, FamilyHistoryEntry, Individual
from families.validation import clean_pnc_number

# What a caseworker edits on each record (the LA IDs are set once, at creation).
FAMILY_FIELDS = (
    "lead_professional",
    "address_line_1",
    "address_line_2",
    "address_line_3",
    "town",
    "postcode",
    "uprn",
    "referred_on",
    "case_opened_on",
    "case_closed_on",
    "notes",
)
MEMBER_FIELDS = (
    "forename",
    "surname",
    "other_names",
    "date_of_birth",
    "gender",
    "relationship",
    "lives_in_household",
    "expectant_parent",
    "in_full_time_education",
    "address_line_1",
    "address_line_2",
    "address_line_3",
    "town",
    "postcode",
    "uprn",
    "nino",
    "upn",
    "uln",
    "nhs_number",
    "pnc_number",
    "school_urn",
    "nis_objection_on",
    "nis_objection_method",
)


def identifiers_normalise(
    *, authority: LocalAuthority, fields: Mapping[str, Any]
) -> dict[str, Any]:
    """Return the fields with every identifier normalised; raise with each failing rule."""
    cleaners = {
        "nhs_number": identifiers.clean_nhs_number,
        "nino": lambda value: identifiers.clean_nino(
            value, allow_missing_suffix=authority.allow_nino_without_suffix
        ),
        "upn": identifiers.clean_upn,
        "uln": identifiers.clean_uln,
        "postcode": identifiers.clean_postcode,
        "pnc_number": clean_pnc_number,
    }
    cleaned = dict(fields)
    errors: dict[str, ValidationError] = {}
    for name, clean in cleaners.items():
        if name in cleaned:
            try:
                cleaned[name] = clean(cleaned[name] or "")
            except ValidationError as error:
                errors[name] = error
    if errors:
        raise ValidationError(errors)
    return cleaned


def identifier_clashes(
    *, authority: LocalAuthority, fields: Mapping[str, Any], exclude: Individual | None = None
) -> dict[str, Individual]:
    """Which of the unique identifiers another individual of the authority already holds."""
    clashes: dict[str, Individual] = {}
    for name in UNIQUE_IDENTIFIERS:
        value = fields.get(name)
        if not value:
            continue
        others = Individual.objects.for_authority(authority).filter(**{name: value})
        if exclude is not None:
            others = others.exclude(pk=exclude.pk)
        other = others.select_related("family").first()
        if other is not None:
            clashes[name] = other
    return clashes


def _validate_member(member: Individual, *, exclude_self: bool) -> None:
    clashes = identifier_clashes(
        authority=member.local_authority,
        fields={name: getattr(member, name) for name in UNIQUE_IDENTIFIERS},
        exclude=member if exclude_self else None,
    )
    if clashes:
        raise ValidationError(
            {
                name: f"{UNIQUE_IDENTIFIERS[name]} is already recorded for another person "
                f"in your local authority (family {other.family.la_family_id})"
                for name, other in clashes.items()
            }
        )
    member.full_clean()


def _validate_lead_professional(family: Family) -> None:
    lead = family.lead_professional
    if lead is not None and lead.local_authority_id != family.local_authority_id:
        raise ValidationError(
            {"lead_professional": "Lead professional must work for your local authority"}
        )


def _set(instance: Any, fields: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    for name in allowed:
        if name in fields:
            setattr(instance, name, fields[name])


@transaction.atomic
def family_create(
    *,
    actor: User,
    authority: LocalAuthority,
    family_fields: Mapping[str, Any],
    member_fields: Mapping[str, Any],
    la_family_id: str = "",
    la_individual_id: str = "",
    request: HttpRequest | None = None,
) -> Family:
    """Create a family with its first member. LA IDs left blank are given the next ones."""
    family_fields = identifiers_normalise(authority=authority, fields=family_fields)
    member_fields = identifiers_normalise(authority=authority, fields=member_fields)
    family = Family(local_authority=authority)
    _set(family, family_fields, FAMILY_FIELDS)
    family.la_family_id = _reference(authority, ReferenceKind.FAMILY, la_family_id)
    _validate_lead_professional(family)
    family.full_clean()
    family.save()

    member = Individual(local_authority=authority, family=family)
    _set(member, member_fields, MEMBER_FIELDS)
    member.la_individual_id = _reference(authority, ReferenceKind.INDIVIDUAL, la_individual_id)
    _validate_member(member, exclude_self=False)
    member.save()

    family_retention_refresh(family)
    history_record(family=family, actor=actor, action=FamilyHistoryEntry.Action.CREATED)
    history_record(
        family=family, actor=actor, action=FamilyHistoryEntry.Action.MEMBER_ADDED, subject=member
    )
    audit_record(action=AuditAction.FAMILY_CREATED, actor=actor, obj=family, request=request)
    audit_record(action=AuditAction.MEMBER_ADDED, actor=actor, obj=member, request=request)
    return family


def _reference(authority: LocalAuthority, kind: ReferenceKind, typed: str) -> str:
    if typed.strip():
        try:
            return reference_check_available(authority=authority, kind=kind, value=typed)
        except ValidationError as error:
            field = "la_family_id" if kind is ReferenceKind.FAMILY else "la_individual_id"
            raise ValidationError({field: error}) from error
    return reference_next(authority=authority, kind=kind)


@transaction.atomic
def family_update(
    *, actor: User, family: Family, fields: Mapping[str, Any], request: HttpRequest | None = None
) -> Family:
    fields = identifiers_normalise(authority=family.local_authority, fields=fields)
    before = snapshot(family, FAMILY_FIELDS)
    _set(family, fields, FAMILY_FIELDS)
    _validate_lead_professional(family)
    family.full_clean()
    changes = changes_between(Family, before, snapshot(family, FAMILY_FIELDS))
    if changes:
        family.save()
        family_retention_refresh(family)
        history_record(
            family=family, actor=actor, action=FamilyHistoryEntry.Action.UPDATED, changes=changes
        )
        audit_record(action=AuditAction.FAMILY_UPDATED, actor=actor, obj=family, request=request)
    return family


@transaction.atomic
def member_add(
    *,
    actor: User,
    family: Family,
    fields: Mapping[str, Any],
    la_individual_id: str = "",
    request: HttpRequest | None = None,
) -> Individual:
    authority = family.local_authority
    fields = identifiers_normalise(authority=authority, fields=fields)
    member = Individual(local_authority=authority, family=family)
    _set(member, fields, MEMBER_FIELDS)
    member.la_individual_id = _reference(authority, ReferenceKind.INDIVIDUAL, la_individual_id)
    _validate_member(member, exclude_self=False)
    member.save()
    _touch(family)
    history_record(
        family=family, actor=actor, action=FamilyHistoryEntry.Action.MEMBER_ADDED, subject=member
    )
    audit_record(action=AuditAction.MEMBER_ADDED, actor=actor, obj=member, request=request)
    return member


@transaction.atomic
def member_update(
    *,
    actor: User,
    member: Individual,
    fields: Mapping[str, Any],
    request: HttpRequest | None = None,
) -> Individual:
    fields = identifiers_normalise(authority=member.local_authority, fields=fields)
    before = snapshot(member, MEMBER_FIELDS)
    _set(member, fields, MEMBER_FIELDS)
    _validate_member(member, exclude_self=True)
    changes = changes_between(Individual, before, snapshot(member, MEMBER_FIELDS))
    if changes:
        member.save()
        _touch(member.family)
        history_record(
            family=member.family,
            actor=actor,
            action=FamilyHistoryEntry.Action.MEMBER_UPDATED,
            subject=member,
            changes=changes,
        )
        audit_record(action=AuditAction.MEMBER_UPDATED, actor=actor, obj=member, request=request)
    return member


@transaction.atomic
def member_remove(
    *, actor: User, member: Individual, reason: str, request: HttpRequest | None = None
) -> None:
    """Delete a member recorded in error or no longer part of the family.

    A family keeps at least one member. The member's LA individual ID is retired so it is
    never given to anyone else.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Enter why this member is being removed"})
    family = member.family
    if family.members.count() <= 1:
        raise ValidationError(
            "A family must keep at least one member: this is its only member", code="last_member"
        )
    history_record(
        family=family,
        actor=actor,
        action=FamilyHistoryEntry.Action.MEMBER_REMOVED,
        subject=member,
        note=reason,
    )
    audit_record(action=AuditAction.MEMBER_REMOVED, actor=actor, obj=member, request=request)
    reference_retire(
        authority=member.local_authority,
        kind=ReferenceKind.INDIVIDUAL,
        value=member.la_individual_id,
    )
    member.delete()
    _touch(family)


@transaction.atomic
def member_move(
    *,
    actor: User,
    member: Individual,
    to_family: Family,
    request: HttpRequest | None = None,
) -> Individual:
    """Move a member to another family of the same authority, recorded in both histories."""
    from_family = member.family
    if to_family.local_authority_id != member.local_authority_id:
        raise ValidationError({"la_family_id": "Enter the LA family ID of one of your families"})
    if to_family.pk == from_family.pk:
        raise ValidationError({"la_family_id": "The member is already in this family"})
    if from_family.members.count() <= 1:
        raise ValidationError(
            "A family must keep at least one member: add another member before moving this one",
            code="last_member",
        )
    member.family = to_family
    member.save(update_fields=["family", "updated_at"])
    for family, action, other in (
        (from_family, FamilyHistoryEntry.Action.MEMBER_MOVED_OUT, to_family),
        (to_family, FamilyHistoryEntry.Action.MEMBER_MOVED_IN, from_family),
    ):
        _touch(family)
        history_record(
            family=family,
            actor=actor,
            action=action,
            subject=member,
            note=f"{'To' if action == FamilyHistoryEntry.Action.MEMBER_MOVED_OUT else 'From'} "
            f"family {other.la_family_id}",
        )
    audit_record(action=AuditAction.MEMBER_MOVED, actor=actor, obj=member, request=request)
    return member


def family_viewed(*, actor: User, family: Family, request: HttpRequest) -> None:
    audit_record(action=AuditAction.FAMILY_VIEWED, actor=actor, obj=family, request=request)


def _touch(family: Family) -> None:
    # A change to a member is a change to the family: it moves up "recently updated".
    family.save(update_fields=["updated_at"])
