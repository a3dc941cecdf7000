"""The status state machine: every status, move and eligibility, by table. No database."""

import itertools

import pytest

from eligibility.status import Move, MoveRefused, moves_allowed, next_status
from families.models import FamilyStatus

REFERRED = FamilyStatus.REFERRED
ASSESSED = FamilyStatus.ASSESSED
NOT_ELIGIBLE = FamilyStatus.NOT_ELIGIBLE
INTERVENTION = FamilyStatus.INTERVENTION
COMPARISON = FamilyStatus.COMPARISON
CLOSED = FamilyStatus.CLOSED

ELIGIBILITIES = (True, False, None)

# (status, move, eligible) -> the status after the move; every combination not here is refused.
ALLOWED = {
    **{
        (status, Move.ASSESS, eligible): ASSESSED
        for status in FamilyStatus
        if status != INTERVENTION
        for eligible in ELIGIBILITIES
    },
    # A reassessment during support does not stop it.
    **{(INTERVENTION, Move.ASSESS, eligible): INTERVENTION for eligible in ELIGIBILITIES},
    (ASSESSED, Move.CONFIRM_NOT_ELIGIBLE, False): NOT_ELIGIBLE,
    (ASSESSED, Move.PLACE_IN_COMPARISON, True): COMPARISON,
    (ASSESSED, Move.START_SUPPORT, True): INTERVENTION,
    (COMPARISON, Move.START_SUPPORT, True): INTERVENTION,
    **{(INTERVENTION, Move.CLOSE, eligible): CLOSED for eligible in ELIGIBILITIES},
    **{(COMPARISON, Move.CLOSE, eligible): CLOSED for eligible in ELIGIBILITIES},
}

# Refusals where the status allows the move but the latest assessment does not.
REFUSED_BY_ASSESSMENT = {
    (ASSESSED, Move.CONFIRM_NOT_ELIGIBLE, True): (
        "The family cannot be confirmed as not eligible: it is eligible under its latest "
        "assessment."
    ),
    (ASSESSED, Move.CONFIRM_NOT_ELIGIBLE, None): (
        "The family cannot be confirmed as not eligible: record an assessment first."
    ),
    (ASSESSED, Move.PLACE_IN_COMPARISON, False): (
        "The family cannot be placed in the comparison group: it is not eligible under its "
        "latest assessment."
    ),
    (ASSESSED, Move.PLACE_IN_COMPARISON, None): (
        "The family cannot be placed in the comparison group: record an assessment first."
    ),
    (ASSESSED, Move.START_SUPPORT, False): (
        "Support cannot start for this family: it is not eligible under its latest assessment."
    ),
    (ASSESSED, Move.START_SUPPORT, None): (
        "Support cannot start for this family: record an assessment first."
    ),
    (COMPARISON, Move.START_SUPPORT, False): (
        "Support cannot start for this family: it is not eligible under its latest assessment."
    ),
    (COMPARISON, Move.START_SUPPORT, None): (
        "Support cannot start for this family: record an assessment first."
    ),
}

ALL_COMBINATIONS = list(itertools.product(FamilyStatus, Move, ELIGIBILITIES))
REFUSED_BY_STATUS = [
    combination
    for combination in ALL_COMBINATIONS
    if combination not in ALLOWED and combination not in REFUSED_BY_ASSESSMENT
]


@pytest.mark.parametrize(("status", "move", "eligible"), list(ALLOWED))
def test_an_allowed_move_gives_the_expected_status(
    status: FamilyStatus, move: Move, eligible: bool | None
) -> None:
    assert (
        next_status(current=status.value, move=move, eligible=eligible)
        == ALLOWED[(status, move, eligible)]
    )


@pytest.mark.parametrize(("status", "move", "eligible"), list(REFUSED_BY_ASSESSMENT))
def test_a_move_the_latest_assessment_does_not_support_is_refused_saying_so(
    status: FamilyStatus, move: Move, eligible: bool | None
) -> None:
    with pytest.raises(MoveRefused) as refusal:
        next_status(current=status.value, move=move, eligible=eligible)

    assert refusal.value.message == REFUSED_BY_ASSESSMENT[(status, move, eligible)]


@pytest.mark.parametrize(("status", "move", "eligible"), REFUSED_BY_STATUS)
def test_a_move_the_status_does_not_allow_is_refused_naming_the_status(
    status: FamilyStatus, move: Move, eligible: bool | None
) -> None:
    with pytest.raises(MoveRefused) as refusal:
        next_status(current=status.value, move=move, eligible=eligible)

    assert refusal.value.message.endswith(f"; this family's status is {status.label}.")
    assert str(refusal.value) == refusal.value.message


def test_the_tables_cover_every_combination_once() -> None:
    assert not set(ALLOWED) & set(REFUSED_BY_ASSESSMENT)
    assert len(ALLOWED) + len(REFUSED_BY_ASSESSMENT) + len(REFUSED_BY_STATUS) == len(
        ALL_COMBINATIONS
    )


@pytest.mark.parametrize(
    ("status", "eligible"), list(itertools.product(FamilyStatus, ELIGIBILITIES))
)
def test_each_move_refused_for_a_family_says_something_different(
    status: FamilyStatus, eligible: bool | None
) -> None:
    messages = []
    for move in Move:
        try:
            next_status(current=status.value, move=move, eligible=eligible)
        except MoveRefused as refusal:
            messages.append(refusal.message)

    assert len(set(messages)) == len(messages)


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (REFERRED, "Support cannot start before an assessment; this family's status is Referred."),
        (
            NOT_ELIGIBLE,
            "Support cannot start until a new assessment is recorded; this family's status is "
            "Not eligible.",
        ),
        (
            CLOSED,
            "Support cannot start until a new assessment is recorded; this family's status is "
            "Closed.",
        ),
        (
            INTERVENTION,
            "Support has already started; this family's status is Eligible: intervention.",
        ),
    ],
)
def test_refusing_to_start_support_says_what_to_do_next(status: FamilyStatus, message: str) -> None:
    with pytest.raises(MoveRefused) as refusal:
        next_status(current=status.value, move=Move.START_SUPPORT, eligible=True)

    assert refusal.value.message == message


@pytest.mark.parametrize(
    ("status", "eligible"), list(itertools.product(FamilyStatus, ELIGIBILITIES))
)
def test_the_moves_offered_are_exactly_the_moves_accepted(
    status: FamilyStatus, eligible: bool | None
) -> None:
    accepted = [move for move in Move if (status, move, eligible) in ALLOWED]

    assert moves_allowed(current=status.value, eligible=eligible) == accepted


def test_an_unknown_status_cannot_be_moved() -> None:
    with pytest.raises(ValueError, match="'eligible'"):
        next_status(current="eligible", move=Move.ASSESS, eligible=True)


def test_an_unknown_status_is_offered_no_moves_but_an_error() -> None:
    with pytest.raises(ValueError, match="'eligible'"):
        moves_allowed(current="eligible", eligible=True)
