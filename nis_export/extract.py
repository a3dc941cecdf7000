"""The rows of the NIS files, streamed: families in chunks, each chunk's facts fetched in a
few bulk queries, so memory stays flat however many individuals an authority holds.

Each individual row is yielded with the records it came from, so validation can check the
same data the file holds, and name the record to fix.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from changing_lives.accounts.models import User
from changing_lives.authorities.models import LocalAuthority
from eligibility.models import Assessment, CriterionMet, Intervention, StatusChange
from families.models import Family, FamilyQuerySet, Individual
from nis_export.columns import CRITERIA_HEADLINES
from progress.models import FamilyReturn, Period, ProgressValue, ReturnStatus

FAMILIES_PER_CHUNK = 500

GENDER_CODES = {"male": "1", "female": "2", "indeterminate": "9", "not_known": "0"}


def families_in_extract(authority: LocalAuthority, snapshot: datetime.date) -> FamilyQuerySet:
    """Every family assessed for the programme on or before the snapshot date."""
    assessed = Assessment.objects.filter(family=OuterRef("pk"), screened_on__lte=snapshot)
    return Family.objects.for_authority(authority).filter(Exists(assessed))


def objector(member: Individual) -> bool:
    return member.nis_objection_on is not None


@dataclass
class FamilyFacts:
    """What the extract needs about one family as at the snapshot date."""

    family: Family
    members: list[Individual] = field(default_factory=list)
    assessment: Assessment | None = None
    criteria: set[tuple[int, str]] = field(default_factory=set)  # (individual id, headline code)
    framework_headlines: set[str] = field(default_factory=set)
    intervention: Intervention | None = None
    # The intervention's end only if it had ended by the snapshot: as at that date, support
    # that ended later was still going.
    support_ended_on: datetime.date | None = None
    status: str = ""
    objectors: int = 0
    # Periods ended by the snapshot, in which the family was supported, without a complete
    # Family Progress Data return.
    progress_incomplete: list[Period] = field(default_factory=list)


def family_chunks(
    authority: LocalAuthority, snapshot: datetime.date
) -> Iterator[list[FamilyFacts]]:
    """The extract's families in LA family ID order, FAMILIES_PER_CHUNK at a time."""
    # The authority too: validation reads its NINO rule for every family (no query per family).
    families = families_in_extract(authority, snapshot).select_related(
        "lead_professional", "local_authority"
    )
    periods = list(Period.objects.filter(end_on__lte=snapshot).order_by("start_on"))
    last_id = None
    while True:
        page = families.order_by("la_family_id")
        if last_id is not None:
            page = page.filter(la_family_id__gt=last_id)
        chunk = list(page[:FAMILIES_PER_CHUNK])
        if not chunk:
            return
        last_id = chunk[-1].la_family_id
        yield _facts(chunk, snapshot, periods)


def _facts(
    families: list[Family], snapshot: datetime.date, periods: list[Period]
) -> list[FamilyFacts]:
    facts = {family.pk: FamilyFacts(family) for family in families}
    ids = list(facts)
    today = timezone.localdate()
    for member in Individual.objects.filter(family_id__in=ids).order_by("la_individual_id"):
        if snapshot < member.date_of_birth <= today:
            continue  # born since a back-dated snapshot: not a member on that date
        if objector(member):
            facts[member.family_id].objectors += 1
        else:
            facts[member.family_id].members.append(member)
    assessments = (
        Assessment.objects.filter(family_id__in=ids, screened_on__lte=snapshot)
        .select_related("framework")
        .prefetch_related("framework__headlines")
        .order_by("family_id", "created_at", "id")
    )
    for assessment in assessments:  # the last one of each family wins: its latest
        facts[assessment.family_id].assessment = assessment
    latest = [f.assessment.pk for f in facts.values() if f.assessment is not None]
    for individual_id, code, family_id in CriterionMet.objects.filter(
        assessment_id__in=latest
    ).values_list("individual_id", "headline__code", "assessment__family_id"):
        facts[family_id].criteria.add((individual_id, code))
    for item in facts.values():
        if item.assessment is not None:
            item.framework_headlines = {h.code for h in item.assessment.framework.headlines.all()}
    supported: dict[int, set[int]] = defaultdict(set)  # family id -> period ids supported in
    for intervention in (
        Intervention.objects.filter(family_id__in=ids, started_on__lte=snapshot)
        .select_related("lead_professional")
        .order_by("family_id", "started_on", "id")
    ):
        facts[intervention.family_id].intervention = intervention
        supported[intervention.family_id].update(
            period.pk
            for period in periods
            if period.end_on >= intervention.started_on
            and (intervention.ended_on is None or period.start_on <= intervention.ended_on)
        )
    complete = set(
        FamilyReturn.objects.filter(family_id__in=ids, status=ReturnStatus.COMPLETE).values_list(
            "family_id", "period_id"
        )
    )
    for family_id, period_ids in supported.items():
        facts[family_id].progress_incomplete = [
            period
            for period in periods
            if period.pk in period_ids and (family_id, period.pk) not in complete
        ]
    for item in facts.values():
        ended_on = item.intervention.ended_on if item.intervention is not None else None
        item.support_ended_on = ended_on if ended_on and ended_on <= snapshot else None
    statuses: dict[int, str] = {}
    for family_id, status in (
        StatusChange.objects.filter(family_id__in=ids, effective_on__lte=snapshot)
        .order_by("family_id", "effective_on", "changed_at", "id")
        .values_list("family_id", "to_status")
    ):
        statuses[family_id] = status
    for item in facts.values():
        # A family whose moves were never recorded (loaded from elsewhere) has only its status.
        item.status = statuses.get(item.family.pk, item.family.status)
    _roles_of_leads(facts.values())
    return [facts[family.pk] for family in families]


def _roles_of_leads(facts: Any) -> None:
    """Load each lead professional's roles in one query (the file names a role, not them)."""
    leads = {
        item.intervention.lead_professional_id
        for item in facts
        if item.intervention is not None and item.intervention.lead_professional_id
    } | {item.family.lead_professional_id for item in facts if item.family.lead_professional_id}
    users = {user.pk: user for user in User.objects.filter(pk__in=leads).prefetch_related("groups")}
    for item in facts:
        if item.intervention is not None and item.intervention.lead_professional_id:
            item.intervention.lead_professional = users[item.intervention.lead_professional_id]
        if item.family.lead_professional_id:
            item.family.lead_professional = users[item.family.lead_professional_id]


def _date(value: datetime.date | None) -> str:
    return value.isoformat() if value else ""


def _flag(value: bool) -> str:
    return "Y" if value else "N"


def _upper(value: str) -> str:
    return value.upper() if value else ""


def lead_role(facts: FamilyFacts) -> str:
    lead = (
        facts.intervention.lead_professional
        if facts.intervention is not None and facts.intervention.lead_professional
        else facts.family.lead_professional
    )
    roles = lead.roles if lead is not None else []
    return roles[0].value.upper() if roles else ""


def address_of(family: Family, member: Individual) -> Family | Individual:
    """Whose address the file gives for a member: their own if they have one, otherwise the
    family's. Validation checks the same one, so its warnings match the file."""
    return member if (member.address_line_1 or member.postcode) else family


def individual_row(authority: LocalAuthority, facts: FamilyFacts, member: Individual) -> list[str]:
    family, assessment, intervention = facts.family, facts.assessment, facts.intervention
    home = address_of(family, member)
    ended_on = facts.support_ended_on
    criteria = [
        (
            ""
            if code not in facts.framework_headlines
            else _flag((member.pk, code) in facts.criteria)
        )
        for code, _label in CRITERIA_HEADLINES
    ]
    return [
        authority.gss_code,
        authority.dfe_number,
        family.la_family_id,
        member.la_individual_id,
        member.forename,
        member.surname,
        _date(member.date_of_birth),
        GENDER_CODES.get(member.gender, ""),
        home.address_line_1,
        home.address_line_2,
        home.address_line_3,
        home.town,
        home.postcode,
        home.uprn,
        _upper(member.relationship),
        member.nino,
        member.upn,
        member.uln,
        member.nhs_number,
        member.pnc_number,
        member.school_urn,
        assessment.framework.code if assessment else "",
        _date(assessment.screened_on) if assessment else "",
        *criteria,
        _flag(assessment.effective_eligible) if assessment else "",
        _upper(facts.status),
        _date(intervention.started_on) if intervention else "",
        _date(ended_on),
        _upper(intervention.end_reason) if intervention is not None and ended_on else "",
        intervention.intensity if intervention else "",
        lead_role(facts),
    ]


def fpd_rows(
    authority: LocalAuthority, snapshot: datetime.date
) -> Iterator[tuple[ProgressValue, list[str]]]:
    """Family Progress Data of the extract's families, for periods ended by the snapshot,
    without the values of individuals who objected."""
    values = (
        ProgressValue.objects.filter(
            family_return__family__in=families_in_extract(authority, snapshot),
            family_return__period__end_on__lte=snapshot,
        )
        .exclude(Q(individual__isnull=False) & Q(individual__nis_objection_on__isnull=False))
        .select_related("family_return__family", "family_return__period", "measure", "individual")
        .order_by(
            "family_return__family__la_family_id",
            # A family measure (no individual) first, on every database.
            F("individual__la_individual_id").asc(nulls_first=True),
            "family_return__period__start_on",
            "measure__code",
        )
    )
    for value in values.iterator(chunk_size=2000):
        family_return = value.family_return
        yield (
            value,
            [
                authority.gss_code,
                family_return.family.la_family_id,
                value.individual.la_individual_id if value.individual else "",
                family_return.period.start_on.isoformat(),
                family_return.period.end_on.isoformat(),
                value.measure.code,
                value.value,
                _flag(family_return.status == ReturnStatus.COMPLETE),
                _flag(value.correction_pending),
            ],
        )
