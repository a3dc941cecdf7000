"""Checking the extract before it is released: errors block it, warnings do not.

The rules are spec/nis-extract.md's. Each issue names the record by LA IDs (never by a name
or identifier: the report may be read beside the package) and keeps a link to the family.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from django.core.exceptions import ValidationError
from django.db.models import Count

from changing_lives.authorities.models import LocalAuthority
from families import identifiers
from families.models import Family, FamilyQuerySet, Individual
from families.validation import OLDEST_AGE_YEARS
from nis_export.extract import FamilyFacts, MemberRecord, address_of
from nis_export.models import IssueSeverity
from progress.models import Period

ELIGIBLE_WITHOUT_STATUS = {"REFERRED", "ASSESSED"}


class MemberFields(Protocol):
    """What the member rules read: the extract's Member, an Individual (as in a form), or a
    row of the file as the build reads it back (nis_export/checking.py)."""

    @property
    def la_individual_id(self) -> str: ...
    @property
    def forename(self) -> str: ...
    @property
    def surname(self) -> str: ...
    @property
    def date_of_birth(self) -> datetime.date | None: ...
    @property
    def nino(self) -> str: ...
    @property
    def upn(self) -> str: ...
    @property
    def uln(self) -> str: ...
    @property
    def nhs_number(self) -> str: ...


@dataclass(frozen=True)
class Issue:
    severity: str
    code: str
    message: str
    family: Family | None
    la_family_id: str
    la_individual_id: str = ""


def _issue(
    severity: str,
    code: str,
    message: str,
    family: Family | None,
    la_family_id: str,
    member: MemberFields | None = None,
) -> Issue:
    return Issue(
        severity, code, message, family, la_family_id, member.la_individual_id if member else ""
    )


def issues_of(facts: FamilyFacts, snapshot: datetime.date) -> Iterator[Issue]:
    """Every issue of one family and its members: what a build or a check runs per family."""
    yield from family_issues(facts)
    yield from progress_issues(facts)
    for member in facts.members:
        yield from member_issues(facts, member, snapshot)


def family_issues(facts: FamilyFacts) -> Iterator[Issue]:
    intervention, assessment = facts.intervention, facts.assessment
    yield from family_checks(
        family=facts.family,
        la_family_id=facts.family.la_family_id,
        started_on=intervention.started_on if intervention else None,
        ended_on=intervention.ended_on if intervention else None,
        eligible=assessment.effective_eligible if assessment else None,
        status=facts.status,
    )


def family_checks(
    *,
    family: Family | None,
    la_family_id: str,
    started_on: datetime.date | None,
    ended_on: datetime.date | None,
    eligible: bool | None,
    status: str,
) -> Iterator[Issue]:
    """The family's own rules, on its latest support and assessment as at the snapshot and
    its status then. `family` None: the build found it by COPY, and the issue is linked to
    it by `la_family_id` when stored."""
    if started_on and ended_on and ended_on < started_on:
        yield _issue(
            IssueSeverity.ERROR,
            "support_end_before_start",
            "Support ends before it starts",
            family,
            la_family_id,
        )
    if eligible and status.upper() in ELIGIBLE_WITHOUT_STATUS:
        yield _issue(
            IssueSeverity.ERROR,
            "eligible_without_status",
            "Eligible, but neither in intervention, in the comparison group nor closed: "
            "record the decision",
            family,
            la_family_id,
        )


def progress_issues(facts: FamilyFacts) -> Iterator[Issue]:
    yield from progress_checks(
        family=facts.family,
        la_family_id=facts.family.la_family_id,
        incomplete=facts.progress_incomplete,
    )


def progress_checks(
    *, family: Family | None, la_family_id: str, incomplete: list[Period]
) -> Iterator[Issue]:
    """A supported family whose Family Progress Data return of a period is not complete: the
    submission carries what was recorded, and ONS is warned of the gap."""
    if incomplete:
        labels = ", ".join(period.label for period in incomplete[-3:])
        more = len(incomplete) - 3
        yield _issue(
            IssueSeverity.WARNING,
            "progress_incomplete",
            f"Family Progress Data not complete for {len(incomplete)} period(s) "
            f"of support: {labels}{f' and {more} more' if more > 0 else ''}",
            family,
            la_family_id,
        )


def member_issues(
    facts: FamilyFacts, member: MemberRecord, snapshot: datetime.date
) -> Iterator[Issue]:
    family = facts.family
    yield from member_checks(
        member,
        # The postcode is the one the file gives: the member's own address, or the family's.
        postcode=address_of(family, member).postcode,
        snapshot=snapshot,
        allow_nino_without_suffix=family.local_authority.allow_nino_without_suffix,
        family=family,
        la_family_id=family.la_family_id,
    )


def member_checks(
    member: MemberFields,
    *,
    postcode: str,
    snapshot: datetime.date,
    allow_nino_without_suffix: bool,
    family: Family | None,
    la_family_id: str,
) -> Iterator[Issue]:
    """A member's rules, on what the file gives for them (`postcode`: their own address's,
    or the family's). `family` as for family_checks."""

    def error(code: str, message: str) -> Issue:
        return _issue(IssueSeverity.ERROR, code, message, family, la_family_id, member)

    def warning(code: str, message: str) -> Issue:
        return _issue(IssueSeverity.WARNING, code, message, family, la_family_id, member)

    for field, label in (("forename", "First name"), ("surname", "Last name")):
        if not getattr(member, field).strip():
            yield error(f"missing_{field}", f"{label} is missing")
    born = member.date_of_birth
    if born is None:
        yield error("missing_date_of_birth", "Date of birth is missing")
    elif born > snapshot:
        yield error("date_of_birth_future", "Date of birth is in the future")
    elif born < _years_before(snapshot, OLDEST_AGE_YEARS):
        yield error(
            "date_of_birth_too_old", f"Date of birth is more than {OLDEST_AGE_YEARS} years ago"
        )
    for value, clean in (
        (member.nhs_number, identifiers.clean_nhs_number),
        (
            member.nino,
            lambda value: identifiers.clean_nino(
                value, allow_missing_suffix=allow_nino_without_suffix
            ),
        ),
        (member.upn, identifiers.clean_upn),
        (member.uln, identifiers.clean_uln),
        (postcode, identifiers.clean_postcode),
    ):
        if not value:
            continue
        try:
            clean(value)
        except ValidationError as invalid:
            yield error(f"identifier_{invalid.code}", str(invalid.messages[0]))
    if not (member.nino or member.upn or member.nhs_number):
        yield warning(
            "no_national_identifier",
            "No NINO, UPN or NHS number: ONS may not be able to link this person",
        )
    if member.upn and identifiers.is_temporary_upn(member.upn):
        yield warning("temporary_upn", "Temporary UPN: it should be replaced by the permanent one")
    if not postcode:
        yield warning("postcode_missing", "Postcode is missing")


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def shared_identifier_issues(
    authority: LocalAuthority, families: FamilyQuerySet
) -> Iterator[Issue]:
    """Two individuals of the authority holding one identifier (the database refuses it; a
    record loaded around it would still be caught here). One query per identifier, and one
    more for the members holding any value found twice.

    Count("*"), not Count("id"): PostgreSQL counts from the identifier's index alone. And the
    values first: as a subquery of the members' query, they were counted over again by each
    parallel worker (8 seconds for a million members, not 1)."""
    for field, label in (
        ("nhs_number", "NHS number"),
        ("nino", "National Insurance number"),
        ("upn", "UPN"),
        ("uln", "ULN"),
    ):
        shared = list(
            Individual.objects.for_authority(authority)
            .exclude(**{field: ""})
            .values(field)
            .annotate(n=Count("*"))
            .filter(n__gt=1)
            .values_list(field, flat=True)
        )
        if not shared:
            continue
        for member in (
            Individual.objects.for_authority(authority)
            .filter(**{f"{field}__in": shared}, family__in=families)
            .select_related("family")
        ):
            yield _issue(
                IssueSeverity.ERROR,
                f"shared_{field}",
                f"{label} is also recorded for another person",
                member.family,
                member.family.la_family_id,
                member,
            )
