"""The identifier rules: tables of what users type, Hypothesis properties, and the reference
data UPNs are checked against. Only the tests marked django_db touch the database."""

import string
from collections.abc import Callable, Iterator

import pytest
import stdnum.gb.nhs
import stdnum.gb.upn
from django.core.exceptions import ValidationError
from hypothesis import assume, given
from hypothesis import strategies as st
from pytest_django import DjangoAssertNumQueries

from families.identifiers import (
    UPN_CHECK_ALPHABET,
    clean_nhs_number,
    clean_nino,
    clean_postcode,
    clean_uln,
    clean_upn,
    format_nhs_number,
    format_nino,
    is_temporary_upn,
    nhs_check_digit,
    uln_check_digit,
    upn_check_letter,
)
from families.models import DfeLaNumber
from families.reference import dfe_la_numbers

KNOWN_LA_NUMBERS = frozenset({"213", "801", "838"})
REORGANISATION_LA_NUMBERS = {"838", "839", "940", "941", "942", "943"}


def clean_upn_with_known_la_numbers(value: str) -> str:
    return clean_upn(value, known_la_numbers=KNOWN_LA_NUMBERS)


def clean_nino_allowing_missing_suffix(value: str) -> str:
    return clean_nino(value, allow_missing_suffix=True)


def assert_refused(clean: Callable[[str], str], value: str, code: str) -> None:
    with pytest.raises(ValidationError) as refusal:
        clean(value)
    assert refusal.value.code == code
    assert_message_does_not_echo(refusal.value, value)


def assert_message_does_not_echo(error: ValidationError, value: str) -> None:
    # Shorter values could match a message's own words or examples by chance.
    normalised = "".join(value.split()).replace("-", "").upper()
    if len(normalised) >= 5:
        assert normalised not in error.message


# --- NHS number --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("9434765919", "9434765919"),
        ("943 476 5919", "9434765919"),
        ("943-476-5919", "9434765919"),
        ("  9434765919\n", "9434765919"),
        ("\t943\u00a0476 5919", "9434765919"),
        ("4010232137", "4010232137"),
        # The modulus 11 remainder is 0, so the check digit is 0, not 11.
        ("1000000060", "1000000060"),
        ("", ""),
        ("   ", ""),
        (" - ", ""),
    ],
)
def test_clean_nhs_number_normalises_what_was_typed(typed: str, stored: str) -> None:
    assert clean_nhs_number(typed) == stored


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("9434765918", "nhs_check_digit"),
        ("4010232138", "nhs_check_digit"),
        # 100000001 leaves a remainder that gives 10: no check digit can follow it.
        ("1000000010", "nhs_check_digit"),
        ("1000000011", "nhs_check_digit"),
        ("943476591", "nhs_length"),
        ("94347659190", "nhs_length"),
        ("1", "nhs_length"),
        ("94347659I9", "nhs_not_digits"),
        ("943.476.5919", "nhs_not_digits"),
        ("943_476_5919", "nhs_not_digits"),
        # Full-width digits are digits to str.isdigit(), not to an NHS number.
        ("\uff19\uff14\uff13\uff14\uff17\uff16\uff15\uff19\uff11\uff19", "nhs_not_digits"),
        ("0000000000", "nhs_same_digits"),
        ("1111111111", "nhs_same_digits"),
        ("555 555 5555", "nhs_same_digits"),
        ("9999999999", "nhs_same_digits"),
        ("9990000000", "nhs_test_range"),
        ("999 123 4567", "nhs_test_range"),
        ("9999999990", "nhs_test_range"),
    ],
)
def test_clean_nhs_number_names_the_rule_that_failed(typed: str, code: str) -> None:
    assert_refused(clean_nhs_number, typed, code)


def test_nhs_number_messages_say_what_is_wrong() -> None:
    expected_messages = {
        "943476591": "NHS number must be 10 digits",
        "9434765918": "NHS number check digit is wrong: check you have typed it correctly",
        "9990000000": (
            "NHS number 999 000 0000 to 999 999 9999 is a test range, not a real NHS number"
        ),
        "2222222222": "NHS number cannot be all the same digit",
    }
    for typed, message in expected_messages.items():
        with pytest.raises(ValidationError) as refusal:
            clean_nhs_number(typed)
        assert refusal.value.messages == [message]


@pytest.mark.parametrize(
    ("nine_digits", "check_digit"),
    [("943476591", 9), ("401023213", 7), ("100000006", 0), ("100000001", None)],
)
def test_nhs_check_digit(nine_digits: str, check_digit: int | None) -> None:
    assert nhs_check_digit(nine_digits) == check_digit


@pytest.mark.parametrize("not_nine_digits", ["", "94347659", "9434765919", "94347659A"])
def test_nhs_check_digit_refuses_anything_but_nine_digits(not_nine_digits: str) -> None:
    with pytest.raises(ValueError, match="expected 9 digits"):
        nhs_check_digit(not_nine_digits)


@pytest.mark.parametrize(
    ("stored", "shown"), [("9434765919", "943 476 5919"), ("", ""), ("94347", "94347")]
)
def test_format_nhs_number(stored: str, shown: str) -> None:
    assert format_nhs_number(stored) == shown


# --- National Insurance number -----------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("AB123456C", "AB123456C"),
        ("ab 12 34 56 c", "AB123456C"),
        ("AB-12-34-56-D", "AB123456D"),
        (" JG103759A ", "JG103759A"),
        ("ZY123456B", "ZY123456B"),
        # O is refused only as the second letter.
        ("OA123456A", "OA123456A"),
        ("", ""),
        (" ", ""),
    ],
)
def test_clean_nino_normalises_what_was_typed(typed: str, stored: str) -> None:
    assert clean_nino(typed) == stored


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("AB123456E", "nino_suffix"),
        ("AB123456Z", "nino_suffix"),
        ("AB123456", "nino_suffix_missing"),
        ("QQ123456C", "nino_prefix_letter"),
        ("QQ 12 34 56 C", "nino_prefix_letter"),
        *((f"{letter}A123456A", "nino_prefix_letter") for letter in "DFIQUV"),
        *((f"A{letter}123456A", "nino_prefix_letter") for letter in "DFIQUV"),
        ("AO123456A", "nino_second_letter_o"),
        ("BO123456B", "nino_second_letter_o"),
        *(
            (f"{prefix}123456A", "nino_prefix_not_issued")
            for prefix in ("BG", "GB", "KN", "NK", "NT", "TN", "ZZ")
        ),
        *(
            (f"{prefix}123456A", "nino_administrative_prefix")
            for prefix in ("OO", "CR", "FY", "MW", "NC", "PP", "PZ")
        ),
        ("11 A1 11 11", "nino_temporary_reference"),
        ("11A11111", "nino_temporary_reference"),
        ("63T12345", "nino_temporary_reference"),
        ("A1234567C", "nino_format"),
        ("AB12345C", "nino_format"),
        ("AB1234567", "nino_format"),
        ("AB1234567C", "nino_format"),
        ("ABC23456C", "nino_format"),
        ("AB123456CD", "nino_format"),
        ("1234567890", "nino_format"),
        ("A", "nino_format"),
    ],
)
def test_clean_nino_names_the_rule_that_failed(typed: str, code: str) -> None:
    assert_refused(clean_nino, typed, code)


def test_clean_nino_accepts_a_missing_suffix_only_when_allowed() -> None:
    assert clean_nino("AB 12 34 56", allow_missing_suffix=True) == "AB123456"
    assert clean_nino("AB123456C", allow_missing_suffix=True) == "AB123456C"
    assert_refused(clean_nino, "AB123456", "nino_suffix_missing")


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("11A11111", "nino_temporary_reference"),
        ("QQ123456", "nino_prefix_letter"),
        ("AB123456E", "nino_suffix"),
        ("AB12345", "nino_format"),
    ],
)
def test_allowing_a_missing_suffix_relaxes_no_other_rule(typed: str, code: str) -> None:
    assert_refused(clean_nino_allowing_missing_suffix, typed, code)


def test_nino_messages_say_what_is_wrong() -> None:
    expected_messages = {
        "QQ123456C": (
            "The first 2 letters of a National Insurance number cannot be D, F, I, Q, U or V"
        ),
        "AB123456E": "National Insurance number must end with A, B, C or D",
        "11A11111": "This is a temporary reference number, not a National Insurance number",
    }
    for typed, message in expected_messages.items():
        with pytest.raises(ValidationError) as refusal:
            clean_nino(typed)
        assert refusal.value.messages == [message]


@pytest.mark.parametrize(
    ("stored", "shown"),
    [("QQ123456C", "QQ 12 34 56 C"), ("QQ123456", "QQ 12 34 56"), ("", ""), ("QQ1", "QQ1")],
)
def test_format_nino(stored: str, shown: str) -> None:
    assert format_nino(stored) == shown


# --- Unique Pupil Number -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("H801200001001", "H801200001001"),
        ("h801 2000 01 001", "H801200001001"),
        ("H801-2000-01-001", "H801200001001"),
        ("G80120000101A", "G80120000101A"),
        ("D838123412345", "D838123412345"),
        ("N213400109001", "N213400109001"),
        ("K21340010900Z", "K21340010900Z"),
        ("", ""),
        ("  ", ""),
    ],
)
def test_clean_upn_normalises_what_was_typed(typed: str, stored: str) -> None:
    assert clean_upn(typed, known_la_numbers=KNOWN_LA_NUMBERS) == stored


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("Z801200001001", "upn_check_letter"),
        ("H801200001002", "upn_check_letter"),
        ("H80120000101A", "upn_check_letter"),
        # I, O and S are never check letters.
        ("I801200001001", "upn_check_letter"),
        ("H80120000100", "upn_length"),
        ("H8012000010011", "upn_length"),
        ("H", "upn_length"),
        ("1801200001001", "upn_format"),
        ("H80120A001001", "upn_format"),
        ("H8012000010_1", "upn_format"),
        ("G80120000101I", "upn_last_character"),
        ("G80120000101O", "upn_last_character"),
        ("G80120000101S", "upn_last_character"),
        # Right check letters, on LA numbers the DfE never issued.
        ("L000200001001", "upn_la_number"),
        ("Z999200001001", "upn_la_number"),
    ],
)
def test_clean_upn_names_the_rule_that_failed(typed: str, code: str) -> None:
    assert_refused(clean_upn_with_known_la_numbers, typed, code)


def test_clean_upn_checks_the_la_number_against_the_numbers_given() -> None:
    assert clean_upn("H801200001001", known_la_numbers={"801"}) == "H801200001001"
    with pytest.raises(ValidationError) as refusal:
        clean_upn("H801200001001", known_la_numbers={"213"})
    assert refusal.value.code == "upn_la_number"


@pytest.mark.parametrize(
    ("upn", "temporary"),
    [("G80120000101A", True), ("K21340010900Z", True), ("H801200001001", False), ("", False)],
)
def test_is_temporary_upn(upn: str, temporary: bool) -> None:
    assert is_temporary_upn(upn) is temporary


@pytest.mark.parametrize(
    ("twelve_chars", "check_letter"),
    [("801200001001", "H"), ("80120000101A", "G"), ("838123412345", "D")],
)
def test_upn_check_letter(twelve_chars: str, check_letter: str) -> None:
    assert upn_check_letter(twelve_chars) == check_letter


@pytest.mark.parametrize(
    "not_a_checked_part", ["", "80120000100", "8012000010011", "80120000101I", "8012A0001001"]
)
def test_upn_check_letter_refuses_what_cannot_follow_a_check_letter(
    not_a_checked_part: str,
) -> None:
    with pytest.raises(ValueError, match="expected 11 digits"):
        upn_check_letter(not_a_checked_part)


# --- Unique Learner Number ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("1000000043", "1000000043"),
        ("1000 000 043", "1000000043"),
        ("1000-000-043", "1000000043"),
        ("1234567880", "1234567880"),
        ("1234567899", "1234567899"),
        # One digit from the placeholder, and a ULN in its own right.
        ("9999999998", "9999999998"),
        ("", ""),
        ("\n", ""),
    ],
)
def test_clean_uln_normalises_what_was_typed(typed: str, stored: str) -> None:
    assert clean_uln(typed) == stored


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("1000000042", "uln_check_digit"),
        ("1000000044", "uln_check_digit"),
        # 123456783 leaves no digit that makes the sum work.
        ("1234567830", "uln_check_digit"),
        ("1234567839", "uln_check_digit"),
        ("9999999999", "uln_placeholder"),
        ("9999 999 999", "uln_placeholder"),
        ("0000000043", "uln_leading_zero"),
        ("0123456789", "uln_leading_zero"),
        ("100000004", "uln_length"),
        ("10000000430", "uln_length"),
        ("10000000A3", "uln_not_digits"),
        ("1000000043.", "uln_not_digits"),
        ("\uff11\uff10\uff10\uff10\uff10\uff10\uff10\uff10\uff14\uff13", "uln_not_digits"),
    ],
)
def test_clean_uln_names_the_rule_that_failed(typed: str, code: str) -> None:
    assert_refused(clean_uln, typed, code)


@pytest.mark.parametrize(
    ("nine_digits", "check_digit"),
    [
        ("100000004", 3),
        ("123456788", 0),
        ("123456789", 9),
        ("999999999", 8),
        ("123456783", None),
    ],
)
def test_uln_check_digit(nine_digits: str, check_digit: int | None) -> None:
    assert uln_check_digit(nine_digits) == check_digit


@pytest.mark.parametrize("not_nine_digits", ["", "10000000", "1000000043", "10000000A"])
def test_uln_check_digit_refuses_anything_but_nine_digits(not_nine_digits: str) -> None:
    with pytest.raises(ValueError, match="expected 9 digits"):
        uln_check_digit(not_nine_digits)


# --- Postcode ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("sw1a1aa", "SW1A 1AA"),
        ("SW1A 1AA", "SW1A 1AA"),
        ("  sw1a   1aa ", "SW1A 1AA"),
        ("SW1A-1AA", "SW1A 1AA"),
        ("M11AE", "M1 1AE"),
        ("B338TH", "B33 8TH"),
        ("W1A0AX", "W1A 0AX"),
        ("CR26XH", "CR2 6XH"),
        ("DN551PT", "DN55 1PT"),
        ("EC1A1BB", "EC1A 1BB"),
        ("gir0aa", "GIR 0AA"),
        ("GIR 0AA", "GIR 0AA"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_clean_postcode_normalises_what_was_typed(typed: str, stored: str) -> None:
    assert clean_postcode(typed) == stored


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("SW1A", "postcode_format"),
        ("SW1A 1A", "postcode_format"),
        ("SW1A 1AAA", "postcode_format"),
        ("SW1AA 1AA", "postcode_format"),
        ("1W1A 1AA", "postcode_format"),
        ("SW1A 1A1", "postcode_format"),
        ("SW1@ 1AA", "postcode_format"),
        ("SWA1 1AA", "postcode_format"),
        ("Q1 1AA", "postcode_first_letter"),
        ("V1 1AA", "postcode_first_letter"),
        ("X11 1AA", "postcode_first_letter"),
        ("AI1 1AA", "postcode_second_letter"),
        ("AJ11 1AA", "postcode_second_letter"),
        ("AZ1A 1AA", "postcode_second_letter"),
        # GIR, with no digit, is an outward code only in Girobank's GIR 0AA.
        ("GIR 0AB", "postcode_format"),
        ("W1I 1AA", "postcode_third_letter"),
        ("W1L 1AA", "postcode_third_letter"),
        ("SW1C 1AA", "postcode_fourth_letter"),
        ("EC1D 1BB", "postcode_fourth_letter"),
        ("SW1A 1AC", "postcode_inward_letters"),
        ("SW1A 1IA", "postcode_inward_letters"),
        ("M1 1KM", "postcode_inward_letters"),
        ("M1 1OV", "postcode_inward_letters"),
    ],
)
def test_clean_postcode_names_the_rule_that_failed(typed: str, code: str) -> None:
    assert_refused(clean_postcode, typed, code)


# --- Properties --------------------------------------------------------------------------

any_digit = st.sampled_from(string.digits)


def digit_strings(length: int) -> st.SearchStrategy[str]:
    return st.text(string.digits, min_size=length, max_size=length)


@st.composite
def valid_nhs_numbers(draw: st.DrawFn) -> str:
    first_nine = draw(digit_strings(9).filter(lambda digits: not digits.startswith("999")))
    check_digit = nhs_check_digit(first_nine)
    assume(check_digit is not None)
    nhs_number = f"{first_nine}{check_digit}"
    assume(len(set(nhs_number)) > 1)
    return nhs_number


@st.composite
def valid_ulns(draw: st.DrawFn) -> str:
    first_nine = draw(st.sampled_from("123456789")) + draw(digit_strings(8))
    check_digit = uln_check_digit(first_nine)
    assume(check_digit is not None)
    return f"{first_nine}{check_digit}"


@st.composite
def valid_upns(draw: st.DrawFn) -> str:
    la_number = draw(st.sampled_from(sorted(KNOWN_LA_NUMBERS)))
    # Establishment, year and the serial's first two characters; the last may be a letter.
    checked_part = (
        la_number
        + draw(digit_strings(8))
        + draw(st.sampled_from(string.digits + UPN_CHECK_ALPHABET))
    )
    return upn_check_letter(checked_part) + checked_part


ISSUED_NINO_PREFIXES = sorted(
    first + second
    for first in string.ascii_uppercase
    if first not in "DFIQUV"
    for second in string.ascii_uppercase
    if second not in "DFIQUVO"
    and first + second not in {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}
    and first + second not in {"OO", "CR", "FY", "MW", "NC", "PP", "PZ"}
)
valid_ninos = st.builds(
    "".join,
    st.tuples(st.sampled_from(ISSUED_NINO_PREFIXES), digit_strings(6), st.sampled_from("ABCD")),
)


def letters_except(excluded: str) -> st.SearchStrategy[str]:
    return st.sampled_from([letter for letter in string.ascii_uppercase if letter not in excluded])


first_letter = letters_except("QVX")
second_letter = letters_except("IJZ")
outward_codes = st.one_of(
    st.tuples(first_letter, any_digit),
    st.tuples(first_letter, any_digit, any_digit),
    st.tuples(first_letter, any_digit, st.sampled_from("ABCDEFGHJKSTUW")),
    st.tuples(first_letter, second_letter, any_digit),
    st.tuples(first_letter, second_letter, any_digit, any_digit),
    st.tuples(first_letter, second_letter, any_digit, st.sampled_from("ABEHMNPRVWXY")),
).map("".join)
inward_codes = st.tuples(any_digit, letters_except("CIKMOV"), letters_except("CIKMOV")).map("".join)
valid_postcodes = st.builds("{} {}".format, outward_codes, inward_codes)


@given(valid_nhs_numbers())
def test_a_valid_nhs_number_passes_and_normalises_to_itself(nhs_number: str) -> None:
    assert clean_nhs_number(nhs_number) == nhs_number
    assert clean_nhs_number(format_nhs_number(nhs_number)) == nhs_number


@given(valid_nhs_numbers(), st.integers(0, 9), st.integers(1, 9))
def test_changing_any_one_digit_of_a_valid_nhs_number_makes_it_fail(
    nhs_number: str, position: int, shift: int
) -> None:
    # Every weight is below 11 and 11 is prime, so changing one digit always changes the
    # remainder; and since all-same numbers pass the check, none is one digit from a valid one.
    changed_digit = str((int(nhs_number[position]) + shift) % 10)
    changed = nhs_number[:position] + changed_digit + nhs_number[position + 1 :]
    expected_code = "nhs_test_range" if changed.startswith("999") else "nhs_check_digit"
    assert_refused(clean_nhs_number, changed, expected_code)


@given(digit_strings(10))
def test_nhs_number_check_agrees_with_python_stdnum(candidate: str) -> None:
    assume(not candidate.startswith("999") and len(set(candidate)) > 1)
    assert (refusal_of(clean_nhs_number, candidate) is None) == stdnum.gb.nhs.is_valid(candidate)


@given(valid_ulns())
def test_a_valid_uln_passes_and_normalises_to_itself(uln: str) -> None:
    assert clean_uln(uln) == uln


@given(valid_ulns(), st.integers(0, 9), st.integers(1, 9))
def test_changing_any_one_digit_of_a_valid_uln_makes_it_fail(
    uln: str, position: int, shift: int
) -> None:
    # As for NHS numbers: weights 1 to 10 and a prime modulus of 11.
    changed_digit = str((int(uln[position]) + shift) % 10)
    changed = uln[:position] + changed_digit + uln[position + 1 :]
    if changed.startswith("0"):
        expected_code = "uln_leading_zero"
    elif changed == "9999999999":
        expected_code = "uln_placeholder"
    else:
        expected_code = "uln_check_digit"
    assert_refused(clean_uln, changed, expected_code)


@given(valid_upns())
def test_a_valid_upn_passes_and_normalises_to_itself(upn: str) -> None:
    assert clean_upn(upn, known_la_numbers=KNOWN_LA_NUMBERS) == upn
    assert clean_upn(upn.lower(), known_la_numbers=KNOWN_LA_NUMBERS) == upn
    assert is_temporary_upn(upn) == upn[-1].isalpha()


@given(digit_strings(11), st.sampled_from(string.digits + UPN_CHECK_ALPHABET))
def test_upn_check_letter_agrees_with_python_stdnum(digits: str, last_character: str) -> None:
    checked_part = digits + last_character
    assert upn_check_letter(checked_part) == stdnum.gb.upn.calc_check_digit(checked_part)


@given(valid_ninos)
def test_a_valid_nino_passes_and_normalises_to_itself(nino: str) -> None:
    assert clean_nino(nino) == nino
    assert clean_nino(format_nino(nino).lower()) == nino
    assert clean_nino(nino[:8], allow_missing_suffix=True) == nino[:8]
    assert clean_nino(format_nino(nino[:8]), allow_missing_suffix=True) == nino[:8]


@given(valid_postcodes)
def test_a_valid_postcode_passes_and_normalises_to_itself(postcode: str) -> None:
    assert clean_postcode(postcode) == postcode
    assert clean_postcode(postcode.replace(" ", "").lower()) == postcode


CLEANERS = [
    clean_nhs_number,
    clean_nino,
    clean_nino_allowing_missing_suffix,
    clean_upn_with_known_la_numbers,
    clean_uln,
    clean_postcode,
]


@pytest.mark.parametrize("clean", CLEANERS)
@given(typed=st.text(string.ascii_letters + string.digits + " -", min_size=5, max_size=16))
def test_refusal_messages_never_repeat_what_was_typed(
    clean: Callable[[str], str], typed: str
) -> None:
    refusal = refusal_of(clean, typed)
    if refusal is not None:
        assert refusal.code
        assert_message_does_not_echo(refusal, typed)


def refusal_of(clean: Callable[[str], str], value: str) -> ValidationError | None:
    try:
        clean(value)
    except ValidationError as refusal:
        return refusal
    return None


# --- Reference data ----------------------------------------------------------------------


@pytest.fixture
def uncached_dfe_la_numbers() -> Iterator[None]:
    # The cache outlives a test's rolled-back transaction: start and end each test without it.
    dfe_la_numbers.cache_clear()
    yield
    dfe_la_numbers.cache_clear()


@pytest.mark.django_db
@pytest.mark.usefixtures("uncached_dfe_la_numbers")
def test_clean_upn_checks_the_la_number_against_the_migrated_table() -> None:
    assert clean_upn("H801200001001") == "H801200001001"
    assert clean_upn("D838123412345") == "D838123412345"
    assert_refused(clean_upn, "L000200001001", "upn_la_number")


@pytest.mark.django_db
def test_migration_ships_python_stdnums_la_numbers_and_the_reorganisations() -> None:
    # If python-stdnum learns of a new number, this fails: ship it in a new migration.
    stdnum_numbers = {str(number) for number in stdnum.gb.upn._la_numbers}
    migrated = set(DfeLaNumber.objects.values_list("code", flat=True))
    assert stdnum_numbers | REORGANISATION_LA_NUMBERS <= migrated
    assert DfeLaNumber.objects.get(code="943").name == "Westmorland and Furness"


@pytest.mark.django_db
@pytest.mark.usefixtures("uncached_dfe_la_numbers")
def test_dfe_la_numbers_forgets_its_cache_when_a_number_is_added_or_removed() -> None:
    assert "999" not in dfe_la_numbers()
    added = DfeLaNumber.objects.create(code="999", name="Test authority")
    assert "999" in dfe_la_numbers()
    added.delete()
    assert "999" not in dfe_la_numbers()


@pytest.mark.django_db
@pytest.mark.usefixtures("uncached_dfe_la_numbers")
def test_dfe_la_numbers_reads_the_table_once(
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    dfe_la_numbers()
    with django_assert_num_queries(0):
        dfe_la_numbers()
