"""Writes for retention: each family's retention date kept current, the authority's
settings, and holds (legal holds, open subject access requests)."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone

from changing_lives.accounts.models import User
from changing_lives.audit.actions import AuditAction
from changing_lives.audit.services import audit_record
from changing_lives.authorities.models import LocalAuthority
from changing_lives.retention.dates import retention_date
from changing_lives.retention.models import Hold, HoldKind, RetentionSettings
from families.models import Family, FamilyQuerySet

REFRESH_BATCH = 2000
MAX_YEARS = 100


def settings_for(authority: LocalAuthority) -> RetentionSettings:
    found, _ = RetentionSettings.objects.get_or_create(local_authority=authority)
    return found


def retention_refresh(families: FamilyQuerySet | Iterable[Family]) -> int:
    """Recompute and store the retention date of these families (all of one authority or
    many), in batches: a few queries per 2,000 families, however many there are."""
    queryset: FamilyQuerySet = (
        families
        if isinstance(families, FamilyQuerySet)
        else Family.objects.filter(pk__in=[family.pk for family in families])
    )
    rows = queryset.order_by("pk").values_list("pk", flat=True)
    settings_by_authority: dict[int, RetentionSettings] = {}
    changed = 0
    last = 0
    while True:
        batch = list(
            Family.objects.filter(pk__in=rows, pk__gt=last)
            .order_by("pk")
            .annotate(
                last_screened=Max("assessments__screened_on"),
                last_support_end=Max("interventions__ended_on"),
            )[:REFRESH_BATCH]
        )
        if not batch:
            return changed
        last = batch[-1].pk
        for family in batch:
            if family.local_authority_id not in settings_by_authority:
                settings_by_authority[family.local_authority_id] = settings_for(
                    family.local_authority
                )
            policy = settings_by_authority[family.local_authority_id]
            due = retention_date(
                referred_on=family.referred_on,
                screened_on=family.last_screened,
                support_ended_on=family.last_support_end,
                case_closed_on=family.case_closed_on,
                years=policy.retention_years,
                destroy_by=policy.destroy_by,
            )
            if family.retention_on != due:
                family.retention_on = due
                changed += 1
        Family.objects.bulk_update(batch, ["retention_on"])


def family_retention_refresh(family: Family) -> None:
    """Keep one family's retention date current after a change to one of its inputs."""
    retention_refresh([family])
    family.retention_on = Family.objects.values_list("retention_on", flat=True).get(pk=family.pk)


@transaction.atomic
def retention_settings_update(
    *,
    actor: User,
    authority: LocalAuthority,
    retention_years: int,
    destroy_by: datetime.date | None,
    nightly_purge: bool,
    request: HttpRequest | None = None,
) -> RetentionSettings:
    """Change the authority's retention rule; every family's date is recomputed with it."""
    if not 1 <= retention_years <= MAX_YEARS:
        raise ValidationError(
            {"retention_years": f"Years to keep must be between 1 and {MAX_YEARS}"}
        )
    policy = settings_for(authority)
    policy.retention_years = retention_years
    policy.destroy_by = destroy_by
    policy.nightly_purge = nightly_purge
    policy.save()
    retention_refresh(Family.objects.for_authority(authority))
    audit_record(
        action=AuditAction.RETENTION_SETTINGS_CHANGED, actor=actor, obj=authority, request=request
    )
    return policy


@transaction.atomic
def hold_place(
    *,
    actor: User,
    family: Family,
    kind: str,
    reason: str,
    request: HttpRequest | None = None,
) -> Hold:
    reason = reason.strip()
    errors = {}
    if kind not in HoldKind.values:
        errors["kind"] = "Select the kind of hold"
    if not reason:
        errors["reason"] = "Enter the reason for the hold"
    if errors:
        raise ValidationError(errors)
    hold = Hold.objects.create(family=family, kind=kind, reason=reason, placed_by=actor)
    audit_record(action=AuditAction.HOLD_PLACED, actor=actor, obj=family, request=request)
    return hold


@transaction.atomic
def hold_lift(*, actor: User, hold: Hold, reason: str, request: HttpRequest | None = None) -> Hold:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Enter the reason for lifting the hold"})
    if hold.lifted_at is not None:
        raise ValidationError("This hold has already been lifted", code="already_lifted")
    hold.lifted_at = timezone.now()
    hold.lifted_by = actor
    hold.lift_reason = reason
    hold.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    audit_record(action=AuditAction.HOLD_LIFTED, actor=actor, obj=hold.family, request=request)
    return hold
