"""Storing demo families in bulk: only the ones an authority does not hold yet."""

import datetime
import itertools
import time
from collections import Counter
from dataclasses import dataclass, replace

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from faker import Faker

from changing_lives.authorities.models import LocalAuthority
from changing_lives.authorities.services import authority_create
from changing_lives.demo.families.frameworks import FrameworkCatalogue, framework_catalogue
from changing_lives.demo.families.generate import demo_family_generate
from changing_lives.demo.families.identifiers import identifiers_check
from changing_lives.demo.families.load_programme import (
    DemoStaff,
    demo_staff,
    programme_rows_create,
)
from changing_lives.demo.families.load_progress import progress_rows_create
from changing_lives.demo.families.progress_catalogue import progress_catalogue
from changing_lives.demo.families.records import (
    FAMILY_ID,
    FAMILY_ID_PREFIX,
    MAX_FAMILY_NUMBER,
    DemoAddress,
    DemoFamily,
    DemoMember,
    ProgrammeRows,
    ProgressRows,
    SeedResult,
)
from changing_lives.retention.services import retention_refresh
from families.la_ids import ReferenceKind, reference_digest
from families.models import (
    UNIQUE_IDENTIFIERS,
    DfeLaNumber,
    Family,
    FamilyHistoryEntry,
    FamilyQuerySet,
    FamilyStatus,
    Individual,
    RetiredReference,
    search_name_of,
)
from families.reference import dfe_la_numbers
from progress.models import FamilyReturn, ReturnStatus

HISTORY_NOTE = "Demo data loaded by seed_demo"


# --- Loading -----------------------------------------------------------------------------
def seed_authority_ensure(*, gss_code: str, dfe_number: str | None = None) -> LocalAuthority:
    """The authority with `gss_code`, created if missing as "Authority <code>" with
    `dfe_number`, or else the lowest known DfE number no authority holds yet."""
    existing = LocalAuthority.objects.filter(gss_code=gss_code.strip().upper()).first()
    if existing is not None:
        return existing
    if dfe_number is None:
        taken = LocalAuthority.objects.values_list("dfe_number", flat=True)
        free = DfeLaNumber.objects.exclude(code__in=taken).order_by("code").first()
        if free is None:
            raise ValueError("every known DfE LA number is held by an authority already")
        dfe_number = free.code
    return authority_create(
        name=f"Authority {gss_code.strip().upper()}", gss_code=gss_code, dfe_number=dfe_number
    )


def demo_families_seed(
    *,
    authority: LocalAuthority,
    families: int,
    seed: int,
    today: datetime.date | None = None,
    batch_size: int = 2000,
) -> SeedResult:
    """Make sure demo families 1 to `families` exist in `authority`, creating the missing.

    Each batch of `batch_size` families is one transaction: families, then their members,
    one "created" history entry each, their assessments, criteria, support periods and
    status moves, and their progress returns and values, in bulk. A family number whose LA
    family ID is in use, or was once (retired), is skipped. A generated identifier that a
    member of the authority already holds (typed by hand, say) is left blank rather than
    shared. No date is after `today`; progress returns are made for the periods that ended
    before it (progress.models.Period, read once).
    """
    started = time.perf_counter()
    today = today or timezone.localdate()
    missing = _missing_family_numbers(authority, families)
    members_created = 0
    programme = ProgrammeRows()
    progress = ProgressRows()
    if missing:
        known = dfe_la_numbers()
        dfe_number = authority.dfe_number if authority.dfe_number in known else None
        taken = _identifiers_held(authority)
        staff = demo_staff(authority)
        catalogue = framework_catalogue()
        periods_and_measures = progress_catalogue()
        fake = Faker("en_GB")
        for numbers in itertools.batched(missing, batch_size):
            batch = [
                demo_family_generate(
                    seed=seed,
                    authority_code=authority.gss_code,
                    number=number,
                    dfe_number=dfe_number,
                    today=today,
                    fake=fake,
                    rules_by_code=catalogue.rules,
                    progress=periods_and_measures,
                )
                for number in numbers
            ]
            batch = [_without_taken_identifiers(family, taken) for family in batch]
            identifiers_check(
                (member for family in batch for member in family.members), known_la_numbers=known
            )
            loaded = _load(authority, batch, staff=staff, catalogue=catalogue)
            members_created += loaded.members
            programme += loaded.programme
            progress += loaded.progress
    demo = Family.objects.for_authority(authority).filter(la_family_id__startswith=FAMILY_ID_PREFIX)
    if missing:
        # Bulk loading bypasses the services that keep each family's retention date current.
        retention_refresh(demo)
    return SeedResult(
        families_created=len(missing),
        members_created=members_created,
        programme_created=programme,
        progress_created=progress,
        demo_families=demo.count(),
        demo_statuses=Counter(
            FamilyStatus(status) for status in demo.values_list("status", flat=True)
        ),
        demo_returns=_returns_by_status(demo),
        seconds=time.perf_counter() - started,
    )


def _returns_by_status(demo: FamilyQuerySet) -> Counter[ReturnStatus]:
    counts = (
        FamilyReturn.objects.filter(family__in=demo)
        .values_list("status")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return Counter({ReturnStatus(status): count for status, count in counts})


def _missing_family_numbers(authority: LocalAuthority, families: int) -> list[int]:
    if not 0 <= families <= MAX_FAMILY_NUMBER:
        raise ValueError(f"the number of families must be 0 to {MAX_FAMILY_NUMBER}")
    used = {
        int(match[1])
        for la_family_id in Family.objects.for_authority(authority)
        .filter(la_family_id__startswith=FAMILY_ID_PREFIX)
        .values_list("la_family_id", flat=True)
        if (match := FAMILY_ID.fullmatch(la_family_id))
    }
    missing = [number for number in range(1, families + 1) if number not in used]
    retired = set(
        RetiredReference.objects.filter(
            local_authority=authority, kind=ReferenceKind.FAMILY.value
        ).values_list("digest", flat=True)
    )
    if not retired:
        return missing
    # An LA family ID is never reused, even once its family is gone. Its members' IDs
    # carry its number, so skipping the family keeps them unused too.
    return [
        number
        for number in missing
        if reference_digest(
            authority=authority,
            kind=ReferenceKind.FAMILY,
            value=f"{FAMILY_ID_PREFIX}{number:06d}",
        )
        not in retired
    ]


def _identifiers_held(authority: LocalAuthority) -> dict[str, set[str]]:
    held: dict[str, set[str]] = {name: set() for name in UNIQUE_IDENTIFIERS}
    for row in Individual.objects.for_authority(authority).values_list(*UNIQUE_IDENTIFIERS):
        for name, value in zip(UNIQUE_IDENTIFIERS, row, strict=True):
            if value:
                held[name].add(value)
    return held


def _without_taken_identifiers(family: DemoFamily, taken: dict[str, set[str]]) -> DemoFamily:
    if not any(getattr(m, name) in taken[name] for m in family.members for name in taken):
        return family

    def unless_taken(name: str, value: str) -> str:
        return "" if value in taken[name] else value

    members = tuple(
        replace(
            member,
            nhs_number=unless_taken("nhs_number", member.nhs_number),
            nino=unless_taken("nino", member.nino),
            upn=unless_taken("upn", member.upn),
            uln=unless_taken("uln", member.uln),
        )
        for member in family.members
    )
    return replace(family, members=members)


@dataclass(frozen=True)
class _Loaded:
    members: int
    programme: ProgrammeRows
    progress: ProgressRows


@transaction.atomic
def _load(
    authority: LocalAuthority,
    batch: list[DemoFamily],
    *,
    staff: DemoStaff,
    catalogue: FrameworkCatalogue,
) -> _Loaded:
    rows = Family.objects.bulk_create(
        [_family_row(authority, family, staff=staff) for family in batch]
    )
    members = Individual.objects.bulk_create(
        [
            _member_row(authority, row, member)
            for row, family in zip(rows, batch, strict=True)
            for member in family.members
        ]
    )
    FamilyHistoryEntry.objects.bulk_create(
        FamilyHistoryEntry(
            family=row, actor=None, action=FamilyHistoryEntry.Action.CREATED, note=HISTORY_NOTE
        )
        for row in rows
    )
    stored = list(zip(rows, batch, strict=True))
    by_public_id = {member.public_id: member for member in members}
    programme = programme_rows_create(
        stored, members=by_public_id, catalogue=catalogue, staff=staff
    )
    progress = progress_rows_create(stored, members=by_public_id)
    return _Loaded(members=len(members), programme=programme, progress=progress)


def _family_row(authority: LocalAuthority, family: DemoFamily, *, staff: DemoStaff) -> Family:
    programme = family.programme
    address = family.address
    return Family(
        public_id=family.public_id,
        local_authority=authority,
        la_family_id=family.la_family_id,
        # As the status service does: starting support names the lead professional, who
        # stays named on the family once support ends.
        lead_professional_id=staff.caseworker_for(family.number) if programme.supports else None,
        address_line_1=address.line_1,
        address_line_2=address.line_2,
        town=address.town,
        postcode=address.postcode,
        uprn=address.uprn,
        referred_on=family.referred_on,
        case_opened_on=programme.case_opened_on,
        case_closed_on=programme.case_closed_on,
        status=programme.status,
        notes=family.notes,
    )


def _member_row(authority: LocalAuthority, family: Family, member: DemoMember) -> Individual:
    address = member.address or DemoAddress(line_1="", line_2="", town="", postcode="", uprn="")
    return Individual(
        public_id=member.public_id,
        local_authority=authority,
        family=family,
        la_individual_id=member.la_individual_id,
        forename=member.forename,
        other_names=member.other_names,
        surname=member.surname,
        search_name=search_name_of(member.forename, member.other_names, member.surname),
        date_of_birth=member.date_of_birth,
        gender=member.gender,
        relationship=member.relationship,
        lives_in_household=member.lives_in_household,
        expectant_parent=member.expectant_parent,
        in_full_time_education=member.in_full_time_education,
        address_line_1=address.line_1,
        address_line_2=address.line_2,
        town=address.town,
        postcode=address.postcode,
        uprn=address.uprn,
        nhs_number=member.nhs_number,
        nino=member.nino,
        upn=member.upn,
        uln=member.uln,
        school_urn=member.school_urn,
    )
