"""What a value typed for a progress measure means: every kind's rules and messages, "unknown"
versus blank, how stored values are shown back, and which ages an individual measure asks.

No database: progress/values.py takes plain data.
"""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from progress.values import (
    MAX_COUNT,
    MAX_PENCE,
    UNKNOWN,
    MeasureSpec,
    applies_at_age,
    clean_value,
    display_value,
)

YES_NO = MeasureSpec(kind="yes_no_unknown", label="Homeless or in temporary accommodation")
COUNT = MeasureSpec(kind="count", label="Proven offences")
MONEY = MeasureSpec(kind="money", label="Rent arrears")
PERCENTAGE = MeasureSpec(kind="percentage", label="School attendance")
CODE = MeasureSpec(
    kind="code",
    label="Children's social care status",
    codes=(
        ("NONE", "None"),
        ("CIN", "Child in need"),
        ("CPP", "Child protection plan"),
        ("LAC", "Looked after"),
    ),
)
EVERY_KIND = [YES_NO, COUNT, MONEY, PERCENTAGE, CODE]
MEMBER = "Tunde Okafor"


def clean(spec: MeasureSpec, typed: str | None, whose: str = MEMBER) -> str | None:
    return clean_value(spec, typed, whose=whose)


def refusal(spec: MeasureSpec, typed: str, whose: str = MEMBER) -> ValidationError:
    with pytest.raises(ValidationError) as raised:
        clean(spec, typed, whose)
    return raised.value


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("yes", "yes"),
        ("Yes", "yes"),
        ("YES", "yes"),
        ("y", "yes"),
        ("Y", "yes"),
        ("no", "no"),
        ("No", "no"),
        ("n", "no"),
        ("N", "no"),
        ("  yes  ", "yes"),
        ("unknown", UNKNOWN),
        ("Unknown", UNKNOWN),
    ],
)
def test_yes_no_accepts_its_spellings(typed: str, stored: str) -> None:
    assert clean(YES_NO, typed) == stored


@pytest.mark.parametrize("typed", ["true", "false", "1", "0", "maybe", "yess", "nope", "x"])
def test_yes_no_refuses_anything_else(typed: str) -> None:
    error = refusal(YES_NO, typed)
    assert error.messages == [
        "Homeless or in temporary accommodation for Tunde Okafor must be yes, no or unknown"
    ]
    assert error.code == "yes_no"


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0", "0"),
        ("1", "1"),
        ("007", "7"),
        (" 12 ", "12"),
        ("250", "250"),
        (str(MAX_COUNT), str(MAX_COUNT)),
        ("0000000000000005", "5"),
        # Decimal digits of any script are read as the number they are, and stored in ASCII.
        ("١٢", "12"),
    ],
)
def test_a_count_is_a_whole_number_from_nought(typed: str, stored: str) -> None:
    assert clean(COUNT, typed) == stored


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("-1", "count"),
        ("1.5", "count"),
        ("2.0", "count"),
        ("three", "count"),
        ("1,000", "count"),
        ("+3", "count"),
        ("1e3", "count"),
        # A superscript is a digit but not a number (int() cannot read it).
        ("²", "count"),
        ("1²", "count"),
        (str(MAX_COUNT + 1), "count_too_big"),
        ("9" * 5000, "count_too_big"),
    ],
)
def test_a_count_refuses_negatives_decimals_words_and_the_implausibly_large(
    typed: str, code: str
) -> None:
    error = refusal(COUNT, typed)
    assert error.code == code
    assert error.messages[0].startswith("Proven offences for Tunde Okafor must be")


def test_a_too_large_count_says_the_limit() -> None:
    assert refusal(COUNT, "10001").messages == [
        "Proven offences for Tunde Okafor must be 10,000 or fewer"
    ]


@pytest.mark.parametrize(
    ("typed", "pence"),
    [
        ("0", "0"),
        ("0.00", "0"),
        ("0.01", "1"),
        ("12", "1200"),
        ("12.5", "1250"),
        ("1250.50", "125050"),
        ("£1250.50", "125050"),
        ("£1,250.50", "125050"),
        ("£ 1,250", "125000"),
        ("  £80.99 ", "8099"),
        ("-0", "0"),
        ("100000000", str(MAX_PENCE)),
    ],
)
def test_money_is_stored_in_pence_with_pounds_sign_and_commas_allowed(
    typed: str, pence: str
) -> None:
    assert clean(MONEY, typed, "the family") == pence


@pytest.mark.parametrize(
    ("typed", "code", "must"),
    [
        ("12.345", "money_pence", "have no more than 2 decimal places"),
        ("0.001", "money_pence", "have no more than 2 decimal places"),
        ("-5", "money_negative", "be £0 or more"),
        ("-0.01", "money_negative", "be £0 or more"),
        ("£-20", "money_negative", "be £0 or more"),
        ("NaN", "money_negative", "be £0 or more"),
        ("Infinity", "money_negative", "be £0 or more"),
        ("twelve pounds", "money", "be an amount in pounds, like 1250.50, or unknown"),
        ("£", "money", "be an amount in pounds, like 1250.50, or unknown"),
        ("12p", "money", "be an amount in pounds, like 1250.50, or unknown"),
        ("100000000.01", "money_too_big", "be £100,000,000 or less"),
        # An exponent too large for decimal arithmetic is refused, not a crash.
        ("1e1000000", "money_too_big", "be £100,000,000 or less"),
    ],
)
def test_money_refuses_negatives_fractions_of_a_penny_and_words(
    typed: str, code: str, must: str
) -> None:
    error = refusal(MONEY, typed, "the family")
    assert (error.code, error.messages) == (code, [f"Rent arrears for the family must {must}"])


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0", "0.0"),
        ("100", "100.0"),
        ("100.0", "100.0"),
        ("92.5", "92.5"),
        ("92.5%", "92.5"),
        ("92.5 %", "92.5"),
        ("87", "87.0"),
        (" 0.1 ", "0.1"),
        # Negative zero is zero, not "-0.0".
        ("-0", "0.0"),
        ("-0.0", "0.0"),
    ],
)
def test_a_percentage_is_0_to_100_with_one_decimal(typed: str, stored: str) -> None:
    assert clean(PERCENTAGE, typed) == stored


@pytest.mark.parametrize(
    ("typed", "code", "must"),
    [
        ("100.1", "percentage_range", "be between 0 and 100"),
        ("120", "percentage_range", "be between 0 and 100"),
        ("-1", "percentage_range", "be between 0 and 100"),
        ("NaN", "percentage_range", "be between 0 and 100"),
        ("92.55", "percentage_decimals", "have no more than 1 decimal place"),
        ("92.55%", "percentage_decimals", "have no more than 1 decimal place"),
        ("ninety", "percentage", "be a percentage from 0 to 100, like 92.5, or unknown"),
        ("%", "percentage", "be a percentage from 0 to 100, like 92.5, or unknown"),
        ("92,5", "percentage", "be a percentage from 0 to 100, like 92.5, or unknown"),
    ],
)
def test_a_percentage_refuses_out_of_range_too_precise_and_words(
    typed: str, code: str, must: str
) -> None:
    error = refusal(PERCENTAGE, typed)
    message = f"School attendance for Tunde Okafor must {must}"
    assert (error.code, error.messages) == (code, [message])


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("NONE", "NONE"), ("none", "NONE"), ("cin", "CIN"), ("Cpp", "CPP"), (" lac ", "LAC")],
)
def test_a_code_is_matched_without_regard_to_case(typed: str, stored: str) -> None:
    assert clean(CODE, typed) == stored


@pytest.mark.parametrize("typed", ["CHILD IN NEED", "XYZ", "CI", "0"])
def test_a_code_outside_the_list_is_refused_with_the_choices(typed: str) -> None:
    error = refusal(CODE, typed)
    assert error.code == "code"
    assert error.messages == [
        "Children's social care status for Tunde Okafor must be one of: None, Child in need, "
        "Child protection plan, Looked after, or unknown"
    ]


@pytest.mark.parametrize("spec", EVERY_KIND, ids=lambda spec: spec.kind)
@pytest.mark.parametrize("typed", ["unknown", "Unknown", "UNKNOWN", "  unknown "])
def test_unknown_is_a_value_of_its_own_for_every_kind(spec: MeasureSpec, typed: str) -> None:
    assert clean(spec, typed) == UNKNOWN
    assert display_value(spec, UNKNOWN) == "unknown"


@pytest.mark.parametrize("spec", EVERY_KIND, ids=lambda spec: spec.kind)
@pytest.mark.parametrize("typed", [None, "", " ", "\t\n"])
def test_a_blank_is_not_recorded_for_every_kind(spec: MeasureSpec, typed: str | None) -> None:
    assert clean(spec, typed) is None
    assert display_value(spec, None) == ""


def test_unknown_is_never_the_same_as_no_or_nought() -> None:
    assert clean(YES_NO, "unknown") != clean(YES_NO, "no")
    assert clean(COUNT, "unknown") != clean(COUNT, "0")
    assert clean(MONEY, "unknown") != clean(MONEY, "0")
    assert clean(PERCENTAGE, "unknown") != clean(PERCENTAGE, "0")


@pytest.mark.parametrize(
    ("spec", "typed"),
    [(YES_NO, "perhaps"), (COUNT, "-2"), (MONEY, "1.999"), (PERCENTAGE, "101"), (CODE, "ABC")],
    ids=lambda value: getattr(value, "kind", value),
)
@pytest.mark.parametrize("whose", ["Sarah Okafor", "the family"])
def test_every_message_names_whose_value_and_the_measure(
    spec: MeasureSpec, typed: str, whose: str
) -> None:
    [message] = refusal(spec, typed, whose).messages
    assert message.startswith(f"{spec.label} for {whose} must ")


def test_an_unknown_kind_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown measure kind"):
        clean(MeasureSpec(kind="date", label="Date"), "2024-01-01")


@pytest.mark.parametrize(
    ("spec", "stored", "shown"),
    [
        (MONEY, "125050", "1250.50"),
        (MONEY, "0", "0.00"),
        (MONEY, "1", "0.01"),
        (MONEY, str(MAX_PENCE), "100000000.00"),
        (PERCENTAGE, "92.5", "92.5"),
        (COUNT, "7", "7"),
        (YES_NO, "no", "no"),
        (CODE, "CIN", "CIN"),
    ],
    ids=lambda value: getattr(value, "kind", value),
)
def test_display_value_shows_pounds_for_pence_and_the_rest_as_stored(
    spec: MeasureSpec, stored: str, shown: str
) -> None:
    assert display_value(spec, stored) == shown


@pytest.mark.parametrize(
    ("spec", "typed"),
    [
        (YES_NO, "Y"),
        (COUNT, "007"),
        (MONEY, "£1,250.5"),
        (MONEY, "0.01"),
        (PERCENTAGE, "92.5%"),
        (PERCENTAGE, "100"),
        (CODE, "lac"),
    ],
    ids=lambda value: getattr(value, "kind", value),
)
def test_what_is_shown_back_cleans_to_the_same_stored_value(spec: MeasureSpec, typed: str) -> None:
    stored = clean(spec, typed)
    assert clean(spec, display_value(spec, stored)) == stored


@pytest.mark.parametrize(
    ("min_age", "max_age", "age", "applies"),
    [
        (5, 16, 4, False),
        (5, 16, 5, True),
        (5, 16, 16, True),
        (5, 16, 17, False),
        (16, 24, 15, False),
        (16, 24, 16, True),
        (16, 24, 24, True),
        (16, 24, 25, False),
        (None, 17, 0, True),
        (None, 17, 17, True),
        (None, 17, 18, False),
        (10, None, 9, False),
        (10, None, 10, True),
        (10, None, 99, True),
        (None, None, 0, True),
        (None, None, 110, True),
    ],
)
def test_an_individual_measure_applies_between_its_ages_inclusive(
    min_age: int | None, max_age: int | None, age: int, applies: bool
) -> None:
    assert applies_at_age(min_age=min_age, max_age=max_age, age=age) is applies


# Properties: whatever is typed, the rules answer with a value or a named refusal (never a
# crash), and a stored value shown back and saved again is unchanged.
WHOSE = st.sampled_from(["the family", "Sarah Okafor", "Tunde Okafor"])


@given(spec=st.sampled_from(EVERY_KIND), typed=st.text(max_size=30), whose=WHOSE)
def test_any_text_is_stored_or_refused_with_a_message_naming_whose_and_which(
    spec: MeasureSpec, typed: str, whose: str
) -> None:
    try:
        stored = clean(spec, typed, whose)
    except ValidationError as error:
        [message] = error.messages
        assert message.startswith(f"{spec.label} for {whose} must ")
        return
    if stored is not None:
        assert clean(spec, display_value(spec, stored), whose) == stored
        assert len(stored) <= 20  # it fits ProgressValue.value


NUMBERISH = st.text(alphabet="0123456789.,-+%£eE ", max_size=14)


@given(spec=st.sampled_from([COUNT, MONEY, PERCENTAGE]), typed=NUMBERISH)
def test_numbers_are_stored_canonically_within_their_bounds(spec: MeasureSpec, typed: str) -> None:
    try:
        stored = clean(spec, typed)
    except ValidationError:
        return
    if stored is None:
        return
    match spec.kind:
        case "count":
            assert stored == str(int(stored))
            assert 0 <= int(stored) <= MAX_COUNT
        case "money":
            assert stored == str(int(stored))
            assert 0 <= int(stored) <= MAX_PENCE
        case "percentage":
            assert re.fullmatch(r"(0|[1-9]\d{0,2})\.\d", stored), stored
            assert Decimal(0) <= Decimal(stored) <= Decimal(100)


@given(pence=st.integers(min_value=0, max_value=MAX_PENCE))
def test_every_amount_of_pence_round_trips_through_pounds(pence: int) -> None:
    shown = display_value(MONEY, str(pence))
    assert clean(MONEY, shown) == str(pence)
    assert clean(MONEY, f"£{int(shown.split('.')[0]):,}.{shown.split('.')[1]}") == str(pence)


@given(tenths=st.integers(min_value=0, max_value=1000))
def test_every_percentage_in_tenths_round_trips(tenths: int) -> None:
    typed = f"{tenths // 10}.{tenths % 10}"
    assert clean(PERCENTAGE, typed) == typed
    assert clean(PERCENTAGE, display_value(PERCENTAGE, typed) + "%") == typed


@given(
    min_age=st.none() | st.integers(0, 30),
    max_age=st.none() | st.integers(0, 30),
    age=st.integers(0, 120),
)
def test_applies_at_age_is_exactly_the_inclusive_bounds(
    min_age: int | None, max_age: int | None, age: int
) -> None:
    expected = (min_age is None or min_age <= age) and (max_age is None or age <= max_age)
    assert applies_at_age(min_age=min_age, max_age=max_age, age=age) is expected
