"""The rows of the NIS files, streamed: families in chunks, each chunk's facts fetched in a
few bulk queries, so memory stays flat however many individuals an authority holds.

Each individual row is yielded with the records it came from, so validation can check the
same data the file holds, and name the record to fix.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from changing_lives.accounts.models import User
from changing_lives.authorities.models import LocalAuthority
from eligibility.models import (
    Assessment,
    CriterionMet,
    Framework,
    Headline,
    Intervention,
    StatusChange,
)
from families.models import Family, FamilyQuerySet, Individual
from nis_export.columns import CRITERIA_HEADLINES
from progress.models import FamilyReturn, Period, ProgressValue, ReturnStatus

FAMILIES_PER_CHUNK = 500

GENDER_CODES = {"male": "1", "female": "2", "indeterminate": "9", "not_known": "0"}


def families_in_extract(authority: LocalAuthority, snapshot: datetime.date) -> FamilyQuerySet:
    """Every family assessed for the programme on or before the snapshot date."""
    assessed = Assessment.objects.filter(family=OuterRef("pk"), screened_on__lte=snapshot)
    return Family.objects.for_authority(authority).filter(Exists(assessed))


class Member(NamedTuple):
    """A member as the extract reads them: the fields the files and the checks use, as plain
    values. An authority has a million members, and a model instance each cost more than
    checking and writing their row."""

    pk: int
    family_id: int
    la_individual_id: str
    forename: str
    surname: str
    date_of_birth: datetime.date
    gender: str
    relationship: str
    address_line_1: str
    address_line_2: str
    address_line_3: str
    town: str
    postcode: str
    uprn: str
    nino: str
    upn: str
    uln: str
    nhs_number: str
    pnc_number: str
    school_urn: str
    nis_objection_on: datetime.date | None


# What validation takes for a member: the extract's Member, or an Individual (as in a form).
MemberRecord = Member | Individual


def objector(member: MemberRecord) -> bool:
    return member.nis_objection_on is not None


@dataclass
class FamilyFacts:
    """What the extract needs about one family as at the snapshot date."""

    family: Family
    members: list[Member] = field(default_factory=list)
    assessment: Assessment | None = None
    # The codes of the headlines each member met (by individual id), in that assessment.
    criteria: dict[int, set[str]] = field(default_factory=dict)
    # The codes of the assessment's framework's headlines (shared by its families).
    framework_headlines: AbstractSet[str] = field(default_factory=frozenset)
    intervention: Intervention | None = None
    # The intervention's end only if it had ended by the snapshot: as at that date, support
    # that ended later was still going.
    support_ended_on: datetime.date | None = None
    status: str = ""
    objectors: int = 0
    # Periods ended by the snapshot, in which the family was supported, without a complete
    # Family Progress Data return.
    progress_incomplete: list[Period] = field(default_factory=list)


@dataclass(frozen=True)
class FamilyPage:
    """A page of the extract's families: their ids, in LA family ID order, and the span of
    LA family IDs they cover (after `after`, up to and including `last`).

    A page's records are asked for by its span, not by a list of 500 ids: a short query,
    planned alike every time. The authority's families in the span that are not in the
    extract (not assessed by the snapshot) come too, and are skipped."""

    authority: LocalAuthority
    ids: list[int]
    after: str | None
    last: str

    def span(self, to_family: str = "") -> Q:
        """The page's span as a filter, through `to_family` (e.g. "family__") to Family."""
        within = Q(
            **{
                f"{to_family}local_authority": self.authority,
                f"{to_family}la_family_id__lte": self.last,
            }
        )
        if self.after is None:
            return within
        return within & Q(**{f"{to_family}la_family_id__gt": self.after})


def family_pages(authority: LocalAuthority, snapshot: datetime.date) -> Iterator[FamilyPage]:
    """The extract's families in LA family ID order, FAMILIES_PER_CHUNK at a time: a query
    per page, from where the last one ended (the ID is unique in an authority), so neither
    side ever holds more than a page."""
    families = families_in_extract(authority, snapshot).order_by("la_family_id")
    after = None
    while True:
        page = families if after is None else families.filter(la_family_id__gt=after)
        rows = list(page.values_list("pk", "la_family_id")[:FAMILIES_PER_CHUNK])
        if not rows:
            return
        last = rows[-1][1]
        yield FamilyPage(authority, [pk for pk, _la_family_id in rows], after, last)
        after = last


def family_chunks(
    authority: LocalAuthority, snapshot: datetime.date
) -> Iterator[list[FamilyFacts]]:
    """The extract's families in LA family ID order, FAMILIES_PER_CHUNK at a time."""
    reference = _Reference(
        periods=list(Period.objects.filter(end_on__lte=snapshot).order_by("start_on")),
        frameworks=Framework.objects.in_bulk(),
        headlines=dict(Headline.objects.values_list("pk", "code")),
    )
    # A few frameworks, read once: not a query per chunk, nor a queryset per family.
    codes: dict[int, set[str]] = defaultdict(set)
    for framework_id, code in Headline.objects.values_list("framework_id", "code"):
        codes[framework_id].add(code)
    reference.framework_headlines.update(
        (framework_id, frozenset(found)) for framework_id, found in codes.items()
    )
    for page in family_pages(authority, snapshot):
        ids = set(page.ids)
        chunk = [
            family
            for family in Family.objects.filter(page.span()).order_by("la_family_id")
            if family.pk in ids
        ]
        for family in chunk:
            # The one authority object, not a copy per family: validation reads its NINO
            # rule for every family (no query per family).
            family.local_authority = authority
        yield _facts(page, chunk, snapshot, reference)


@dataclass
class _Reference:
    """What every chunk reads the same: loaded once, not per chunk."""

    periods: list[Period]
    frameworks: dict[int, Framework]
    headlines: dict[int, str]  # headline id -> code
    framework_headlines: dict[int, frozenset[str]] = field(default_factory=dict)
    # The lead professionals met so far, with their roles: a few per authority.
    users: dict[int, User] = field(default_factory=dict)


def _facts(
    page: FamilyPage, families: list[Family], snapshot: datetime.date, reference: _Reference
) -> list[FamilyFacts]:
    facts = {family.pk: FamilyFacts(family) for family in families}
    today = timezone.localdate()
    for member in map(
        Member._make,
        Individual.objects.filter(page.span("family__"))
        .order_by("la_individual_id")
        .values_list(*Member._fields),
    ):
        item = facts.get(member.family_id)
        if item is None or snapshot < member.date_of_birth <= today:
            continue  # not in the extract; or born since a back-dated snapshot
        if objector(member):
            item.objectors += 1
        else:
            item.members.append(member)
    assessments = (
        Assessment.objects.filter(page.span("family__"), screened_on__lte=snapshot)
        # Its decision's reasons are not in the file: JSON not worth decoding for each.
        .defer("headlines_counted", "reasons")
        .order_by("family_id", "created_at", "id")
    )
    for assessment in assessments:  # the last one of each family wins: its latest
        # The few frameworks' own objects, not a copy for each family.
        assessment.framework = reference.frameworks[assessment.framework_id]
        facts[assessment.family_id].assessment = assessment
    latest = {f.assessment.pk: f for f in facts.values() if f.assessment is not None}
    for individual_id, headline_id, assessment_id in CriterionMet.objects.filter(
        page.span("assessment__family__")
    ).values_list("individual_id", "headline_id", "assessment_id"):
        if (item := latest.get(assessment_id)) is not None:
            item.criteria.setdefault(individual_id, set()).add(reference.headlines[headline_id])
    for item in latest.values():
        assert item.assessment is not None
        item.framework_headlines = reference.framework_headlines.get(
            item.assessment.framework_id, frozenset()
        )
    periods = reference.periods
    supported: dict[int, set[int]] = defaultdict(set)  # family id -> period ids supported in
    for intervention in Intervention.objects.filter(
        page.span("family__"), started_on__lte=snapshot
    ).order_by("family_id", "started_on", "id"):
        if intervention.family_id not in facts:
            continue
        facts[intervention.family_id].intervention = intervention
        supported[intervention.family_id].update(
            period.pk
            for period in periods
            if period.end_on >= intervention.started_on
            and (intervention.ended_on is None or period.start_on <= intervention.ended_on)
        )
    complete = set(
        FamilyReturn.objects.filter(
            page.span("family__"), status=ReturnStatus.COMPLETE
        ).values_list("family_id", "period_id")
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
        StatusChange.objects.filter(page.span("family__"), effective_on__lte=snapshot)
        .order_by("family_id", "effective_on", "changed_at", "id")
        .values_list("family_id", "to_status")
    ):
        statuses[family_id] = status
    for item in facts.values():
        # A family whose moves were never recorded (loaded from elsewhere) has only its status.
        item.status = statuses.get(item.family.pk, item.family.status)
    _roles_of_leads(facts.values(), reference.users)
    return [facts[family.pk] for family in families]


def _roles_of_leads(facts: Any, users: dict[int, User]) -> None:
    """Load each lead professional's roles (the file names a role, not them): in one query
    for those not met in an earlier chunk."""
    leads = {
        item.intervention.lead_professional_id
        for item in facts
        if item.intervention is not None and item.intervention.lead_professional_id
    } | {item.family.lead_professional_id for item in facts if item.family.lead_professional_id}
    if leads - users.keys():
        users.update(
            (user.pk, user)
            for user in User.objects.filter(pk__in=leads - users.keys()).prefetch_related("groups")
        )
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


def address_of(family: Family, member: MemberRecord) -> Family | MemberRecord:
    """Whose address the file gives for a member: their own if they have one, otherwise the
    family's. Validation checks the same one, so its warnings match the file."""
    return member if (member.address_line_1 or member.postcode) else family


def individual_rows(authority: LocalAuthority, facts: FamilyFacts) -> Iterator[list[str]]:
    """The family's rows of nis_individuals.csv, one per member, in the file's order. What
    the family's members share (its assessment, support, status and lead) is worked out
    once, not for each of them."""
    family, assessment, intervention = facts.family, facts.assessment, facts.intervention
    ended_on = facts.support_ended_on
    before = [authority.gss_code, authority.dfe_number, family.la_family_id]
    programme = [
        assessment.framework.code if assessment else "",
        _date(assessment.screened_on) if assessment else "",
    ]
    # A headline not in the family's framework is not applicable (empty), never "N".
    applicable = [code in facts.framework_headlines for code, _label in CRITERIA_HEADLINES]
    after = [
        _flag(assessment.effective_eligible) if assessment else "",
        _upper(facts.status),
        _date(intervention.started_on) if intervention else "",
        _date(ended_on),
        _upper(intervention.end_reason) if intervention is not None and ended_on else "",
        intervention.intensity if intervention else "",
        lead_role(facts),
    ]
    for member in facts.members:
        home = address_of(family, member)
        met = facts.criteria.get(member.pk, ())
        yield [
            *before,
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
            *programme,
            *[
                ("Y" if code in met else "N") if applies else ""
                for (code, _label), applies in zip(CRITERIA_HEADLINES, applicable, strict=True)
            ],
            *after,
        ]


def _fpd_values(snapshot: datetime.date) -> QuerySet[ProgressValue]:
    """The values fpd_progress.csv holds (of every authority: narrow it by family): those of
    periods ended by the snapshot, but the values of individuals who objected."""
    return ProgressValue.objects.filter(family_return__period__end_on__lte=snapshot).exclude(
        Q(individual__isnull=False) & Q(individual__nis_objection_on__isnull=False)
    )


def fpd_corrections(authority: LocalAuthority, snapshot: datetime.date) -> list[int]:
    """The values in the file that carry a correction (the build clears them once it is
    released): what fpd_rows gives with each row, for a build that writes the rows by COPY."""
    return list(
        _fpd_values(snapshot)
        .filter(
            correction_pending=True,
            family_return__family__in=families_in_extract(authority, snapshot),
        )
        .values_list("pk", flat=True)
    )


def fpd_rows(
    authority: LocalAuthority, snapshot: datetime.date
) -> Iterator[tuple[int | None, list[str]]]:
    """Family Progress Data of the extract's families, for periods ended by the snapshot,
    without the values of individuals who objected. Each row comes with its value's id if
    it carries a correction (None if not): the build clears those once it is released.

    A query per page of families (family_pages), as for the individuals: one query for the
    whole authority would have PostgreSQL sort millions of rows on disk, and hold them all
    for the cursor, before the first one is written."""
    periods = {
        period.pk: (period.start_on.isoformat(), period.end_on.isoformat())
        for period in Period.objects.filter(end_on__lte=snapshot)
    }
    values = (
        _fpd_values(snapshot)
        .order_by(
            "family_return__family__la_family_id",
            # A family measure (no individual) first, on every database.
            F("individual__la_individual_id").asc(nulls_first=True),
            "family_return__period__start_on",
            "measure__code",
        )
        # Tuples, not model instances: an authority has millions of values, and six
        # instances a row (value, return, family, period, measure, member) cost ten times
        # what writing the row does.
        .values_list(
            "pk",
            "family_return__family_id",
            "family_return__family__la_family_id",
            "individual__la_individual_id",
            "family_return__period_id",
            "measure__code",
            "value",
            "family_return__status",
            "correction_pending",
        )
    )
    gss_code = authority.gss_code
    complete = ReturnStatus.COMPLETE.value
    for page in family_pages(authority, snapshot):
        ids = set(page.ids)
        for (
            pk,
            family_id,
            la_family_id,
            la_individual_id,
            period_id,
            code,
            value,
            status,
            correction,
        ) in values.filter(page.span("family_return__family__")):
            if family_id not in ids:
                continue  # in the page's span, but not in the extract
            start_on, end_on = periods[period_id]
            yield (
                pk if correction else None,
                [
                    gss_code,
                    la_family_id,
                    la_individual_id or "",
                    start_on,
                    end_on,
                    code,
                    value,
                    "Y" if status == complete else "N",
                    "Y" if correction else "N",
                ],
            )
