"""A family's intervention status, and the moves that change it.

Pure: no database. Statuses are the values of `families.models.FamilyStatus`; `eligible` is
the family's effective eligibility under its latest assessment (None if it was never assessed).

The moves allowed:

- ASSESS (an assessment is recorded): from any status to Assessed, except that a family
  receiving support stays in Eligible: intervention.
- CONFIRM_NOT_ELIGIBLE: from Assessed, when the family is not eligible.
- PLACE_IN_COMPARISON: from Assessed, when the family is eligible.
- START_SUPPORT: from Assessed or Eligible: comparison group, when the family is eligible.
- CLOSE: from Eligible: intervention or Eligible: comparison group.

Any other move raises MoveRefused, whose message says why: by naming the family's status when
the move cannot be made from it, otherwise by what the latest assessment says.
"""

from enum import StrEnum
from typing import assert_never

from families.models import FamilyStatus


class Move(StrEnum):
    ASSESS = "assess"
    CONFIRM_NOT_ELIGIBLE = "confirm_not_eligible"
    PLACE_IN_COMPARISON = "place_in_comparison"
    START_SUPPORT = "start_support"
    CLOSE = "close"


class MoveRefused(Exception):
    """A move the family's status or eligibility does not allow; `message` is for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def next_status(*, current: str, move: Move, eligible: bool | None) -> str:
    """The status after `move`, or raise MoveRefused(message). `eligible` is the family's
    effective eligibility under its latest assessment (None if never assessed).

    An unknown status raises ValueError.
    """
    status = FamilyStatus(current)
    match move:
        case Move.ASSESS:
            return _after_assessment(status)
        case Move.CONFIRM_NOT_ELIGIBLE:
            return _confirm_not_eligible(status, eligible=eligible)
        case Move.PLACE_IN_COMPARISON:
            return _place_in_comparison(status, eligible=eligible)
        case Move.START_SUPPORT:
            return _start_support(status, eligible=eligible)
        case Move.CLOSE:
            return _close(status)
    assert_never(move)


def moves_allowed(*, current: str, eligible: bool | None) -> list[Move]:
    """The moves offered on the family page (every move next_status would accept)."""
    return [move for move in Move if _accepts(current=current, move=move, eligible=eligible)]


def _accepts(*, current: str, move: Move, eligible: bool | None) -> bool:
    try:
        next_status(current=current, move=move, eligible=eligible)
    except MoveRefused:
        return False
    return True


def _after_assessment(status: FamilyStatus) -> FamilyStatus:
    # A reassessment during support is recorded without stopping the support.
    if status == FamilyStatus.INTERVENTION:
        return FamilyStatus.INTERVENTION
    return FamilyStatus.ASSESSED


def _confirm_not_eligible(status: FamilyStatus, *, eligible: bool | None) -> FamilyStatus:
    if status != FamilyStatus.ASSESSED:
        raise MoveRefused(
            "Only a family awaiting a decision can be confirmed as not eligible; "
            f"{_status_is(status)}."
        )
    _require_eligibility(
        eligible=eligible,
        needed=False,
        refusal="The family cannot be confirmed as not eligible",
    )
    return FamilyStatus.NOT_ELIGIBLE


def _place_in_comparison(status: FamilyStatus, *, eligible: bool | None) -> FamilyStatus:
    if status != FamilyStatus.ASSESSED:
        raise MoveRefused(
            "Only a family awaiting a decision can be placed in the comparison group; "
            f"{_status_is(status)}."
        )
    _require_eligibility(
        eligible=eligible,
        needed=True,
        refusal="The family cannot be placed in the comparison group",
    )
    return FamilyStatus.COMPARISON


def _start_support(status: FamilyStatus, *, eligible: bool | None) -> FamilyStatus:
    if status == FamilyStatus.INTERVENTION:
        raise MoveRefused(f"Support has already started; {_status_is(status)}.")
    if status == FamilyStatus.REFERRED:
        raise MoveRefused(f"Support cannot start before an assessment; {_status_is(status)}.")
    if status not in (FamilyStatus.ASSESSED, FamilyStatus.COMPARISON):
        raise MoveRefused(
            f"Support cannot start until a new assessment is recorded; {_status_is(status)}."
        )
    _require_eligibility(
        eligible=eligible, needed=True, refusal="Support cannot start for this family"
    )
    return FamilyStatus.INTERVENTION


def _close(status: FamilyStatus) -> FamilyStatus:
    if status not in (FamilyStatus.INTERVENTION, FamilyStatus.COMPARISON):
        raise MoveRefused(
            "Only a family in the comparison group or receiving support can be closed; "
            f"{_status_is(status)}."
        )
    return FamilyStatus.CLOSED


def _require_eligibility(*, eligible: bool | None, needed: bool, refusal: str) -> None:
    if eligible is None:
        raise MoveRefused(f"{refusal}: record an assessment first.")
    if eligible != needed:
        described = "eligible" if eligible else "not eligible"
        raise MoveRefused(f"{refusal}: it is {described} under its latest assessment.")


def _status_is(status: FamilyStatus) -> str:
    return f"this family's status is {status.label}"
