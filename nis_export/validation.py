"""Checking the extract before it is released: errors block it, warnings do not.

The rules are spec/nis-extract.md's. Each issue names the record by LA IDs (never by a name
or identifier: the report may be read beside the package) and keeps a link to the family.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count

from changing_lives.authorities.models import LocalAuthority
from families import identifiers
from families.models import Family, FamilyQuerySet, Individual
from families.validation import OLDEST_AGE_YEARS
from nis_export.extract import FamilyFacts, MemberRecord, address_of
from nis_export.models import IssueSeverity

ELIGIBLE_WITHOUT_STATUS = {"REFERRED", "ASSESSED"}


@dataclass(frozen=True)
class Issue:
    severity: str
    code: str
    message: str
    family: Family | None
    la_family_id: str
    la_individual_id: str = ""


def _error(code: str, message: str, family: Family, member: MemberRecord | None = None) -> Issue:
    return Issue(
        IssueSeverity.ERROR,
        code,
        message,
        family,
        family.la_family_id,
        member.la_individual_id if member else "",
    )


def _warning(code: str, message: str, family: Family, member: MemberRecord | None = None) -> Issue:
    return Issue(
        IssueSeverity.WARNING,
        code,
        message,
        family,
        family.la_family_id,
        member.la_individual_id if member else "",
    )


def family_issues(facts: FamilyFacts) -> Iterator[Issue]:
    family, intervention, assessment = facts.family, facts.intervention, facts.assessment
    if intervention and intervention.ended_on and intervention.ended_on < intervention.started_on:
        yield _error("support_end_before_start", "Support ends before it starts", family)
    if (
        assessment
        and assessment.effective_eligible
        and facts.status.upper() in (ELIGIBLE_WITHOUT_STATUS)
    ):
        yield _error(
            "eligible_without_status",
            "Eligible, but neither in intervention, in the comparison group nor closed: "
            "record the decision",
            family,
        )


def issues_of(facts: FamilyFacts, snapshot: datetime.date) -> Iterator[Issue]:
    """Every issue of one family and its members: what a build or a check runs per family."""
    yield from family_issues(facts)
    yield from progress_issues(facts)
    for member in facts.members:
        yield from member_issues(facts, member, snapshot)


def progress_issues(facts: FamilyFacts) -> Iterator[Issue]:
    """A supported family whose Family Progress Data return of a period is not complete: the
    submission carries what was recorded, and ONS is warned of the gap."""
    if facts.progress_incomplete:
        labels = ", ".join(period.label for period in facts.progress_incomplete[-3:])
        more = len(facts.progress_incomplete) - 3
        yield _warning(
            "progress_incomplete",
            f"Family Progress Data not complete for {len(facts.progress_incomplete)} period(s) "
            f"of support: {labels}{f' and {more} more' if more > 0 else ''}",
            facts.family,
        )


def member_issues(
    facts: FamilyFacts, member: MemberRecord, snapshot: datetime.date
) -> Iterator[Issue]:
    family = facts.family
    for field, label in (("forename", "First name"), ("surname", "Last name")):
        if not getattr(member, field).strip():
            yield _error(f"missing_{field}", f"{label} is missing", family, member)
    born = member.date_of_birth
    if born is None:
        yield _error("missing_date_of_birth", "Date of birth is missing", family, member)
    elif born > snapshot:
        yield _error("date_of_birth_future", "Date of birth is in the future", family, member)
    elif born < _years_before(snapshot, OLDEST_AGE_YEARS):
        yield _error(
            "date_of_birth_too_old",
            f"Date of birth is more than {OLDEST_AGE_YEARS} years ago",
            family,
            member,
        )
    # The postcode is the one the file gives: the member's own address, or the family's.
    home = address_of(family, member)
    for value, clean in (
        (member.nhs_number, identifiers.clean_nhs_number),
        (
            member.nino,
            lambda value: identifiers.clean_nino(
                value, allow_missing_suffix=family.local_authority.allow_nino_without_suffix
            ),
        ),
        (member.upn, identifiers.clean_upn),
        (member.uln, identifiers.clean_uln),
        (home.postcode, identifiers.clean_postcode),
    ):
        if not value:
            continue
        try:
            clean(value)
        except ValidationError as error:
            yield _error(f"identifier_{error.code}", str(error.messages[0]), family, member)
    if not (member.nino or member.upn or member.nhs_number):
        yield _warning(
            "no_national_identifier",
            "No NINO, UPN or NHS number: ONS may not be able to link this person",
            family,
            member,
        )
    if member.upn and identifiers.is_temporary_upn(member.upn):
        yield _warning(
            "temporary_upn",
            "Temporary UPN: it should be replaced by the permanent one",
            family,
            member,
        )
    if not home.postcode:
        yield _warning("postcode_missing", "Postcode is missing", family, member)


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
            yield _error(
                f"shared_{field}",
                f"{label} is also recorded for another person",
                member.family,
                member,
            )
