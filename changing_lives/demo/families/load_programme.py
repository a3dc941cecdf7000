"""Storing demo families' assessments, criteria, support periods and status moves in bulk,
as the eligibility services would have stored them one by one."""

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from changing_lives.accounts.models import User
from changing_lives.accounts.roles import Role
from changing_lives.authorities.models import LocalAuthority
from changing_lives.demo.families.frameworks import FrameworkCatalogue
from changing_lives.demo.families.records import DemoAssessment, DemoFamily, ProgrammeRows
from eligibility.models import Assessment, CriterionMet, Intervention, StatusChange
from families.models import Family, Individual


@dataclass(frozen=True)
class DemoStaff:
    """Who the demo records name: the authority's caseworkers take turns at leading cases
    (and assessing), and its first team manager makes any override."""

    caseworkers: list[int]
    team_manager: int | None

    def caseworker_for(self, family_number: int) -> int | None:
        if not self.caseworkers:
            return None
        return self.caseworkers[family_number % len(self.caseworkers)]


def demo_staff(authority: LocalAuthority) -> DemoStaff:
    def holding(role: Role) -> list[int]:
        return list(
            User.objects.filter(local_authority=authority, is_active=True, groups__name=role.value)
            .order_by("username")
            .values_list("pk", flat=True)
        )

    managers = holding(Role.TEAM_MANAGER)
    return DemoStaff(
        caseworkers=holding(Role.CASEWORKER), team_manager=managers[0] if managers else None
    )


def programme_rows_create(
    families: Sequence[tuple[Family, DemoFamily]],
    *,
    members: Mapping[uuid.UUID, Individual],
    catalogue: FrameworkCatalogue,
    staff: DemoStaff,
) -> ProgrammeRows:
    """Store the programme of each (stored family, generated family): `members` are the
    stored members by public_id. Four bulk inserts."""
    assessed = [
        (row, demo.number, assessment)
        for row, demo in families
        if (assessment := demo.programme.assessment) is not None
    ]
    assessments = Assessment.objects.bulk_create(
        _assessment_row(row, assessment, catalogue=catalogue, staff=staff, family_number=number)
        for row, number, assessment in assessed
    )
    # bulk_create has given each assessment its primary key (PostgreSQL and SQLite both
    # return it), so the criteria can point at them.
    criteria = CriterionMet.objects.bulk_create(
        row
        for stored, (_, _, assessment) in zip(assessments, assessed, strict=True)
        for row in _criterion_rows(stored, assessment, members=members, catalogue=catalogue)
    )
    interventions = Intervention.objects.bulk_create(
        Intervention(
            family=row,
            started_on=support.started_on,
            intensity=support.intensity,
            lead_professional_id=staff.caseworker_for(demo.number),
            ended_on=support.ended_on,
            end_reason=support.end_reason or "",
        )
        for row, demo in families
        for support in demo.programme.supports
    )
    status_changes = StatusChange.objects.bulk_create(
        StatusChange(
            family=row,
            from_status=move.from_status,
            to_status=move.to_status,
            move=move.move.value,
            changed_by=None,
            effective_on=move.on,
        )
        for row, demo in families
        for move in demo.programme.moves
    )
    return ProgrammeRows(
        assessments=len(assessments),
        criteria=len(criteria),
        interventions=len(interventions),
        status_changes=len(status_changes),
    )


def _assessment_row(
    family: Family,
    assessment: DemoAssessment,
    *,
    catalogue: FrameworkCatalogue,
    staff: DemoStaff,
    family_number: int,
) -> Assessment:
    # The decision is stored as assessment_record stores it.
    decision = assessment.decision
    override = assessment.override
    return Assessment(
        public_id=assessment.public_id,
        family=family,
        framework_id=catalogue.framework_ids[assessment.framework_code],
        framework_version=decision.framework_version,
        screened_on=assessment.screened_on,
        assessed_by_id=staff.caseworker_for(family_number),
        eligible=decision.eligible,
        headlines_counted=list(decision.headlines_counted),
        reasons=list(decision.reasons),
        override_eligible=override.eligible if override else None,
        override_reason=override.reason if override else "",
        overridden_by_id=staff.team_manager if override else None,
        overridden_at=override.at if override else None,
    )


def _criterion_rows(
    stored: Assessment,
    assessment: DemoAssessment,
    *,
    members: Mapping[uuid.UUID, Individual],
    catalogue: FrameworkCatalogue,
) -> list[CriterionMet]:
    framework = assessment.framework_code
    return [
        CriterionMet(
            assessment=stored,
            individual=members[criterion.member],
            headline_id=catalogue.headline_ids[(framework, criterion.headline_code)],
            indicator_id=catalogue.indicator_ids[
                (framework, criterion.headline_code, criterion.indicator_code)
            ],
            evidence_note=criterion.evidence_note,
            evidence_on=criterion.evidence_on,
            evidence_source=criterion.evidence_source,
        )
        for criterion in assessment.criteria
    ]
