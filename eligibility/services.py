"""Writes for eligibility and intervention: assessments, overrides and status moves.

The decision comes from eligibility/rules.py and the allowed moves from eligibility/status.py
(both pure); these services load the facts, call them, and store the result, the family's
history and the audit entry in one transaction.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from changing_lives.accounts.models import User
from changing_lives.audit.actions import AuditAction
from changing_lives.audit.services import audit_record
from changing_lives.authorities.models import LocalAuthority
from changing_lives.retention.services import family_retention_refresh
from eligibility import rules
from eligibility.models import (
    Assessment,
    AuthorityFramework,
    CriterionMet,
    EndReason,
    Framework,
    Headline,
    Indicator,
    Intervention,
    StatusChange,
    SupportIntensity,
)
from eligibility.status import Move, MoveRefused, next_status
from families.history import history_record
from families.models import Family, FamilyHistoryEntry, FamilyStatus, Individual

DEFAULT_FRAMEWORK = "2015-2020"


@dataclass(frozen=True)
class CriterionInput:
    individual: Individual
    headline: Headline
    indicator: Indicator
    evidence_on: datetime.date
    evidence_source: str
    evidence_note: str = ""


def framework_for(authority: LocalAuthority) -> Framework:
    """The framework an authority assesses under now (the seed's 2015-2020 one by default)."""
    choice = AuthorityFramework.objects.filter(local_authority=authority).select_related(
        "framework"
    )
    first = choice.first()
    return first.framework if first else Framework.objects.get(code=DEFAULT_FRAMEWORK)


@transaction.atomic
def authority_framework_set(
    *, authority: LocalAuthority, framework: Framework, actor: User
) -> None:
    AuthorityFramework.objects.update_or_create(
        local_authority=authority, defaults={"framework": framework}
    )
    audit_record(action=AuditAction.AUTHORITY_FRAMEWORK_CHANGED, actor=actor, obj=authority)


def rules_for(framework: Framework) -> rules.FrameworkRules:
    return rules.FrameworkRules(
        code=framework.code,
        version=framework.version,
        name=framework.name,
        min_headlines=framework.min_headlines,
        headlines=tuple((h.code, h.label) for h in framework.headlines.all()),
        non_resident_parent_max=framework.non_resident_parent_max,
        headline_noun=framework.headline_noun,
    )


def member_facts(member: Individual) -> rules.MemberFacts:
    return rules.MemberFacts(
        key=str(member.public_id),
        name=member.full_name,
        date_of_birth=member.date_of_birth,
        relationship=member.relationship,
        lives_in_household=member.lives_in_household,
        expectant_parent=member.expectant_parent,
        in_full_time_education=member.in_full_time_education,
    )


def latest_assessment(family: Family) -> Assessment | None:
    return family.assessments.order_by("-created_at", "-id").first()


@transaction.atomic
def assessment_record(
    *,
    actor: User,
    family: Family,
    screened_on: datetime.date,
    criteria: Sequence[CriterionInput],
    request: HttpRequest | None = None,
) -> Assessment:
    """Record an assessment under the authority's current framework, with the decision the
    rules make from it; move the family to "assessed" where the status machine allows."""
    family = Family.objects.select_for_update().get(pk=family.pk)
    framework = framework_for(family.local_authority)
    _validate_assessment(family, framework, screened_on, criteria)

    members = list(family.members.all())
    decision = rules.decide(
        rules=rules_for(framework),
        members=[member_facts(member) for member in members],
        criteria=[
            rules.CriterionFacts(
                member_key=str(criterion.individual.public_id),
                headline_code=criterion.headline.code,
            )
            for criterion in criteria
        ],
        screened_on=screened_on,
    )
    assessment = Assessment.objects.create(
        family=family,
        framework=framework,
        framework_version=decision.framework_version,
        screened_on=screened_on,
        assessed_by=actor,
        eligible=decision.eligible,
        headlines_counted=list(decision.headlines_counted),
        reasons=list(decision.reasons),
    )
    CriterionMet.objects.bulk_create(
        CriterionMet(
            assessment=assessment,
            individual=criterion.individual,
            headline=criterion.headline,
            indicator=criterion.indicator,
            evidence_note=criterion.evidence_note.strip(),
            evidence_on=criterion.evidence_on,
            evidence_source=criterion.evidence_source,
        )
        for criterion in criteria
    )
    history_record(
        family=family,
        actor=actor,
        action=FamilyHistoryEntry.Action.ASSESSED,
        note=f"{'Eligible' if decision.eligible else 'Not eligible'} under {framework.name}: "
        f"{len(decision.headlines_counted)} of {framework.headlines.count()} "
        f"{framework.headline_noun} met",
    )
    audit_record(
        action=AuditAction.ASSESSMENT_RECORDED, actor=actor, obj=assessment, request=request
    )
    _move(family, Move.ASSESS, eligible=decision.eligible, actor=actor, on=screened_on,
          request=request)  # fmt: skip
    return assessment


def _validate_assessment(
    family: Family,
    framework: Framework,
    screened_on: datetime.date,
    criteria: Sequence[CriterionInput],
) -> None:
    today = timezone.localdate()
    if screened_on > today:
        raise ValidationError({"screened_on": "Date screened must be today or in the past"})
    if screened_on < family.referred_on:
        raise ValidationError(
            {"screened_on": "Date screened must be the same as or after the date referred"}
        )
    for criterion in criteria:
        # Programming errors, not user errors: the form only offers valid choices.
        if criterion.individual.family_id != family.pk:
            raise ValueError("criterion for a member of another family")
        if criterion.headline.framework_id != framework.pk:
            raise ValueError("criterion for a headline of another framework")
        if criterion.indicator.headline_id != criterion.headline.pk:
            raise ValueError("indicator of another headline")
        if criterion.evidence_on > today:
            raise ValidationError(
                f"Evidence date for {criterion.individual.full_name} ({criterion.headline.label}) "
                "must be today or in the past",
                code="evidence_future",
            )


@transaction.atomic
def assessment_override(
    *,
    actor: User,
    assessment: Assessment,
    eligible: bool,
    reason: str,
    request: HttpRequest | None = None,
) -> Assessment:
    """A team manager's override of the computed decision, with the reason; kept beside it."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Enter the reason for the override"})
    family = Family.objects.select_for_update().get(pk=assessment.family_id)
    if latest_assessment(family) != assessment:
        raise ValidationError("Only the latest assessment can be overridden", code="not_latest")
    if family.status != FamilyStatus.ASSESSED:
        raise ValidationError(
            f"This decision has been acted on (the family's status is "
            f"{family.get_status_display()}): record a new assessment to change it",
            code="acted_on",
        )
    if eligible == assessment.eligible:
        raise ValidationError(
            {"eligible": "An override must change the decision: choose the other answer"}
        )
    assessment.override_eligible = eligible
    assessment.override_reason = reason
    assessment.overridden_by = actor
    assessment.overridden_at = timezone.now()
    assessment.save()
    history_record(
        family=family,
        actor=actor,
        action=FamilyHistoryEntry.Action.DECISION_OVERRIDDEN,
        note=f"{'Eligible' if eligible else 'Not eligible'}: {reason}",
    )
    audit_record(
        action=AuditAction.ASSESSMENT_OVERRIDDEN, actor=actor, obj=assessment, request=request
    )
    return assessment


@transaction.atomic
def status_move(
    *,
    actor: User,
    family: Family,
    move: Move,
    on: datetime.date,
    intensity: str = "",
    lead_professional: User | None = None,
    end_reason: str = "",
    request: HttpRequest | None = None,
) -> Family:
    """Move a family's status (not an assessment: assessment_record does that).

    Starting support records an Intervention (start date, intensity, lead professional);
    closing ends it (end date not before its start, with a reason) and closes the case.
    """
    family = Family.objects.select_for_update().get(pk=family.pk)
    assessment = latest_assessment(family)
    eligible = assessment.effective_eligible if assessment else None
    if on > timezone.localdate():
        raise ValidationError({"on": "The date must be today or in the past"})
    if assessment is not None and on < assessment.screened_on:
        raise ValidationError(
            {"on": f"The date must be the same as or after the date screened "
                   f"({assessment.screened_on:%d/%m/%Y})"}
        )  # fmt: skip
    if move == Move.START_SUPPORT:
        _start_support(family, on=on, intensity=intensity, lead_professional=lead_professional)
    elif move == Move.CLOSE:
        _close(family, on=on, end_reason=end_reason)
    _move(family, move, eligible=eligible, actor=actor, on=on, request=request)
    return family


def _start_support(
    family: Family, *, on: datetime.date, intensity: str, lead_professional: User | None
) -> None:
    errors = {}
    if intensity not in SupportIntensity.values:
        errors["intensity"] = "Select the intensity of support"
    if lead_professional is None:
        errors["lead_professional"] = "Select the lead professional"
    elif lead_professional.local_authority_id != family.local_authority_id:
        errors["lead_professional"] = "Lead professional must work for your local authority"
    if errors:
        raise ValidationError(errors)
    Intervention.objects.create(
        family=family, started_on=on, intensity=intensity, lead_professional=lead_professional
    )
    family.lead_professional = lead_professional
    family.case_opened_on = family.case_opened_on or on
    family.case_closed_on = None


def _close(family: Family, *, on: datetime.date, end_reason: str) -> None:
    if end_reason not in EndReason.values:
        raise ValidationError({"end_reason": "Select why the case is closing"})
    intervention = family.interventions.filter(ended_on__isnull=True).first()
    if intervention is not None:
        if on < intervention.started_on:
            raise ValidationError(
                {"on": f"Support end date must be the same as or after the start date "
                       f"({intervention.started_on:%d/%m/%Y})"}
            )  # fmt: skip
        intervention.ended_on = on
        intervention.end_reason = end_reason
        intervention.save(update_fields=["ended_on", "end_reason"])
    if family.case_opened_on is None:
        # A comparison-group family was never supported, so no support start opened its
        # case: it has been open since the assessment that made it eligible.
        assessment = latest_assessment(family)
        family.case_opened_on = assessment.screened_on if assessment else on
    family.case_closed_on = on


def _move(
    family: Family,
    move: Move,
    *,
    eligible: bool | None,
    actor: User,
    on: datetime.date,
    request: HttpRequest | None,
) -> None:
    try:
        new_status = next_status(current=family.status, move=move, eligible=eligible)
    except MoveRefused as refused:
        raise ValidationError(refused.message, code="move_refused") from refused
    old_status = family.status
    family.status = new_status
    family.save()
    # Screening, support end and closure are the retention date's inputs.
    family_retention_refresh(family)
    if new_status == old_status:
        return
    StatusChange.objects.create(
        family=family,
        from_status=old_status,
        to_status=new_status,
        move=move.value,
        changed_by=actor,
        effective_on=on,
    )
    history_record(
        family=family,
        actor=actor,
        action=FamilyHistoryEntry.Action.STATUS_CHANGED,
        changes=[
            {
                "field": "status",
                "label": "Status",
                "old": FamilyStatus(old_status).label,
                "new": FamilyStatus(new_status).label,
            }
        ],
    )
    audit_record(action=AuditAction.STATUS_CHANGED, actor=actor, obj=family, request=request)
