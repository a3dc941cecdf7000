"""What a generated demo family is made of, before it is stored."""

import datetime
import random
import re
import uuid
from collections import Counter
from dataclasses import dataclass

from eligibility.models import EndReason, EvidenceSource, SupportIntensity
from eligibility.rules import Decision
from eligibility.status import Move
from families.models import (
    FamilyStatus,
    Gender,
    Relationship,
)
from progress.models import ReturnStatus

FAMILY_ID_PREFIX = "DEMO-F"
FAMILY_ID = re.compile(r"DEMO-F(\d{6})")
# Six digits in the LA family ID; the identifier numbering below relies on the same bound.
MAX_FAMILY_NUMBER = 999_999
MAX_MEMBERS = 8
# The first referrals of the 2015-20 framework.
FIRST_REFERRAL = datetime.date(2015, 4, 1)


def demo_uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


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
class DemoCriterion:
    """A member meets a headline, on this evidence (codes, as the loader maps them to rows)."""

    member: uuid.UUID  # the member's public_id
    headline_code: str
    indicator_code: str
    evidence_on: datetime.date
    evidence_source: EvidenceSource
    evidence_note: str


@dataclass(frozen=True, slots=True)
class DemoOverride:
    """A team manager's override: it always flips the computed decision."""

    eligible: bool
    reason: str
    at: datetime.datetime


@dataclass(frozen=True, slots=True)
class DemoAssessment:
    public_id: uuid.UUID
    framework_code: str
    screened_on: datetime.date
    criteria: tuple[DemoCriterion, ...]
    # Made by eligibility.rules.decide from the criteria and members, as the product does.
    decision: Decision
    override: DemoOverride | None

    @property
    def effective_eligible(self) -> bool:
        return self.decision.eligible if self.override is None else self.override.eligible


@dataclass(frozen=True, slots=True)
class DemoMove:
    """One status change, as eligibility.status.next_status allowed it."""

    move: Move
    from_status: FamilyStatus
    to_status: FamilyStatus
    on: datetime.date


@dataclass(frozen=True, slots=True)
class DemoSupport:
    """A period of support; its lead professional is chosen by the loader, which knows the
    authority's caseworkers."""

    started_on: datetime.date
    intensity: SupportIntensity
    ended_on: datetime.date | None
    end_reason: EndReason | None


@dataclass(frozen=True, slots=True)
class DemoProgramme:
    """A family's way through the programme: its assessment (if screened yet), every status
    move in order, and its support periods."""

    assessment: DemoAssessment | None
    moves: tuple[DemoMove, ...]
    supports: tuple[DemoSupport, ...]

    @property
    def status(self) -> FamilyStatus:
        return self.moves[-1].to_status if self.moves else FamilyStatus.REFERRED

    @property
    def case_opened_on(self) -> datetime.date | None:
        # The case opens when support first starts, as the status service records it.
        return self.supports[0].started_on if self.supports else None

    @property
    def case_closed_on(self) -> datetime.date | None:
        return self.supports[-1].ended_on if self.supports else None


@dataclass(frozen=True, slots=True)
class DemoValue:
    """One recorded value of a return: for the family (member None) or one member."""

    measure_id: int
    member: uuid.UUID | None  # the member's public_id
    value: str  # canonical, as progress.values.clean_value stores it
    correction_pending: bool


@dataclass(frozen=True, slots=True)
class DemoReturn:
    """A family's Family Progress Data for one period, as far as it was filled in."""

    period_id: int
    status: ReturnStatus
    completed_at: datetime.datetime | None
    values: tuple[DemoValue, ...]


@dataclass(frozen=True, slots=True)
class DemoFamily:
    number: int
    la_family_id: str
    public_id: uuid.UUID
    address: DemoAddress
    referred_on: datetime.date
    notes: str
    members: tuple[DemoMember, ...]
    programme: DemoProgramme
    # Its returns for the periods of its support that had ended by the day it was made.
    progress: tuple[DemoReturn, ...]


@dataclass(frozen=True)
class ProgrammeRows:
    """How many rows of each kind a family's programme was stored in."""

    assessments: int = 0
    criteria: int = 0
    interventions: int = 0
    status_changes: int = 0

    def __add__(self, other: "ProgrammeRows") -> "ProgrammeRows":
        return ProgrammeRows(
            assessments=self.assessments + other.assessments,
            criteria=self.criteria + other.criteria,
            interventions=self.interventions + other.interventions,
            status_changes=self.status_changes + other.status_changes,
        )


@dataclass(frozen=True)
class ProgressRows:
    """How many progress returns, and values in them, were stored."""

    returns: int = 0
    values: int = 0

    def __add__(self, other: "ProgressRows") -> "ProgressRows":
        return ProgressRows(returns=self.returns + other.returns, values=self.values + other.values)


@dataclass(frozen=True)
class SeedResult:
    families_created: int
    members_created: int
    programme_created: ProgrammeRows
    progress_created: ProgressRows
    demo_families: int
    demo_statuses: Counter[FamilyStatus]  # of every demo family the authority holds
    demo_returns: Counter[ReturnStatus]  # of every demo family's progress returns
    seconds: float
