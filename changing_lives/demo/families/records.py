"""What a generated demo family is made of, before it is stored."""

import datetime
import re
import uuid
from dataclasses import dataclass

from families.models import (
    Gender,
    Relationship,
)

FAMILY_ID_PREFIX = "DEMO-F"
FAMILY_ID = re.compile(r"DEMO-F(\d{6})")
# Six digits in the LA family ID; the identifier numbering below relies on the same bound.
MAX_FAMILY_NUMBER = 999_999
MAX_MEMBERS = 8
# The first referrals of the 2015-20 framework.
FIRST_REFERRAL = datetime.date(2015, 4, 1)


@dataclass(frozen=True, slots=True)
class DemoAddress:
    line_1: str
    line_2: str
    town: str
    postcode: str
    uprn: str


@dataclass(frozen=True, slots=True)
class DemoMember:
    la_individual_id: str
    public_id: uuid.UUID
    forename: str
    other_names: str
    surname: str
    date_of_birth: datetime.date
    gender: Gender
    relationship: Relationship
    lives_in_household: bool
    expectant_parent: bool
    in_full_time_education: bool
    # Only a member who lives elsewhere has an address of their own.
    address: DemoAddress | None
    nhs_number: str
    nino: str
    upn: str
    uln: str
    school_urn: str


@dataclass(frozen=True, slots=True)
class DemoFamily:
    number: int
    la_family_id: str
    public_id: uuid.UUID
    address: DemoAddress
    referred_on: datetime.date
    case_opened_on: datetime.date | None
    case_closed_on: datetime.date | None
    notes: str
    members: tuple[DemoMember, ...]


@dataclass(frozen=True)
class SeedResult:
    families_created: int
    members_created: int
    demo_families: int
    seconds: float
