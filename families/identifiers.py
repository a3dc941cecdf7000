"""Checking, normalising and formatting the identifiers held on an individual.

Each `clean_*` function takes what a user typed and returns "" for a blank value (every
identifier is optional) or the normalised value to store; otherwise it raises a ValidationError
whose code names the rule that failed. Messages never include the value: identifiers are
personal data, and messages can end up in logs.

The check-digit helpers are the one place each algorithm lives; the demo-data generator uses
them to make valid identifiers.
"""

import re
from collections.abc import Collection

from django.core.exceptions import ValidationError

# The 23 letters a UPN check letter can be, in value order (A=0 ... Z=22): no I, O or S.
UPN_CHECK_ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ"

_SEPARATORS = re.compile(r"[\s-]+")

_NINO_SHAPE = re.compile(r"[A-Z]{2}[0-9]{6}[A-Z]?")
# A temporary reference number (shown as "11 A1 11 11"): 2 digits, a letter, 5 digits.
_NINO_TEMPORARY_REFERENCE = re.compile(r"[0-9]{2}[A-Z][0-9]{5}")
_NINO_PREFIXES_NEVER_ISSUED = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})
_NINO_ADMINISTRATIVE_PREFIXES = frozenset({"OO", "CR", "FY", "MW", "NC", "PP", "PZ"})

_UPN_SHAPE = re.compile(r"[A-Z][0-9]{11}[0-9A-Z]")
# Positions 2 to 13 of a UPN that can carry a check letter.
_UPN_CHECKED_PART = re.compile(rf"[0-9]{{11}}[0-9{UPN_CHECK_ALPHABET}]")

# Outward code A9, A99, A9A, AA9, AA99 or AA9A; inward code 9AA.
_POSTCODE_SHAPE = re.compile(
    r"(?P<outward>[A-Z][0-9]{1,2}|[A-Z][0-9][A-Z]|[A-Z]{2}[0-9]{1,2}|[A-Z]{2}[0-9][A-Z])"
    r"(?P<inward>[0-9][A-Z]{2})"
)
# The one postcode (Girobank's) that the letter rules below would refuse.
_GIROBANK_POSTCODE = "GIR0AA"


def _normalise(value: str) -> str:
    # Any whitespace, not just spaces: values pasted from documents and spreadsheets often
    # carry tabs or non-breaking spaces.
    return _SEPARATORS.sub("", value).upper()


def _is_digits(value: str) -> bool:
    # Not str.isdigit(), which also accepts superscripts and other scripts' digits: an
    # identifier's digits are 0 to 9 and nothing else.
    return re.fullmatch(r"[0-9]+", value) is not None


# --- Check digits ------------------------------------------------------------------------


def nhs_check_digit(nine_digits: str) -> int | None:
    """The NHS number check digit for its first 9 digits, or None when the modulus 11
    remainder gives 10: no NHS number starts with those 9 digits."""
    if len(nine_digits) != 9 or not _is_digits(nine_digits):
        raise ValueError("expected 9 digits")
    total = sum(
        int(digit) * weight for digit, weight in zip(nine_digits, range(10, 1, -1), strict=True)
    )
    check = 11 - total % 11
    if check == 10:
        return None
    return 0 if check == 11 else check


def uln_check_digit(nine_digits: str) -> int | None:
    """The tenth ULN digit that makes the weighted sum (weights 10 to 1) leave 10 when
    divided by 11, or None when only a "digit" of 10 would: no ULN starts with those 9."""
    if len(nine_digits) != 9 or not _is_digits(nine_digits):
        raise ValueError("expected 9 digits")
    total = sum(
        int(digit) * weight for digit, weight in zip(nine_digits, range(10, 1, -1), strict=True)
    )
    # The tenth digit has weight 1, so it is whatever brings the sum to 10 modulo 11.
    check = (10 - total) % 11
    return None if check == 10 else check


def upn_check_letter(twelve_chars: str) -> str:
    """The check letter (position 1) for a UPN's positions 2 to 13."""
    if not _UPN_CHECKED_PART.fullmatch(twelve_chars):
        raise ValueError("expected 11 digits, then a digit or a check-alphabet letter")
    # Digits count at face value; a temporary UPN's final letter by its alphabet value.
    total = sum(
        position * (int(character) if character.isdigit() else UPN_CHECK_ALPHABET.index(character))
        for position, character in enumerate(twelve_chars, start=2)
    )
    return UPN_CHECK_ALPHABET[total % 23]


# --- Cleaning what a user typed ----------------------------------------------------------


def clean_nhs_number(value: str) -> str:
    nhs_number = _normalise(value)
    if not nhs_number:
        return ""
    if not _is_digits(nhs_number):
        raise ValidationError("NHS number must only include numbers", code="nhs_not_digits")
    if len(nhs_number) != 10:
        raise ValidationError("NHS number must be 10 digits", code="nhs_length")
    # These pass the modulus 11 check, but are typed as placeholders, never issued.
    if len(set(nhs_number)) == 1:
        raise ValidationError("NHS number cannot be all the same digit", code="nhs_same_digits")
    if nhs_number.startswith("999"):
        raise ValidationError(
            "NHS number 999 000 0000 to 999 999 9999 is a test range, not a real NHS number",
            code="nhs_test_range",
        )
    if nhs_check_digit(nhs_number[:9]) != int(nhs_number[9]):
        raise ValidationError(
            "NHS number check digit is wrong: check you have typed it correctly",
            code="nhs_check_digit",
        )
    return nhs_number


def clean_nino(value: str, *, allow_missing_suffix: bool = False) -> str:
    """Clean a National Insurance number.

    `allow_missing_suffix` accepts the 8 characters without the final letter ("suffix
    unknown"), for authorities whose source systems drop it.
    """
    nino = _normalise(value)
    if not nino:
        return ""
    if _NINO_TEMPORARY_REFERENCE.fullmatch(nino):
        raise ValidationError(
            "This is a temporary reference number, not a National Insurance number",
            code="nino_temporary_reference",
        )
    if not _NINO_SHAPE.fullmatch(nino):
        raise ValidationError(
            "National Insurance number must be 2 letters, 6 numbers, then A, B, C or D, "
            "like QQ 12 34 56 C",
            code="nino_format",
        )
    prefix = nino[:2]
    # The prefix lists come before the letter rules so that OO, which breaks both, is
    # reported as the administrative number it is.
    if prefix in _NINO_PREFIXES_NEVER_ISSUED:
        raise ValidationError(
            "National Insurance number cannot start with BG, GB, KN, NK, NT, TN or ZZ: "
            "these are never issued",
            code="nino_prefix_not_issued",
        )
    if prefix in _NINO_ADMINISTRATIVE_PREFIXES:
        raise ValidationError(
            "National Insurance number cannot start with OO, CR, FY, MW, NC, PP or PZ: these "
            "are administrative numbers, not National Insurance numbers",
            code="nino_administrative_prefix",
        )
    if any(letter in "DFIQUV" for letter in prefix):
        raise ValidationError(
            "The first 2 letters of a National Insurance number cannot be D, F, I, Q, U or V",
            code="nino_prefix_letter",
        )
    if prefix[1] == "O":
        raise ValidationError(
            "The second letter of a National Insurance number cannot be O",
            code="nino_second_letter_o",
        )
    if len(nino) == 8:
        if allow_missing_suffix:
            return nino
        raise ValidationError(
            "National Insurance number must end with its final letter: A, B, C or D",
            code="nino_suffix_missing",
        )
    if nino[8] not in "ABCD":
        raise ValidationError(
            "National Insurance number must end with A, B, C or D", code="nino_suffix"
        )
    return nino


def clean_upn(value: str, *, known_la_numbers: Collection[str] | None = None) -> str:
    """Clean a Unique Pupil Number.

    Positions 2 to 4 are checked against `known_la_numbers`, by default the DfE LA numbers
    held as reference data. A temporary UPN is valid: see `is_temporary_upn`.
    """
    upn = _normalise(value)
    if not upn:
        return ""
    if len(upn) != 13:
        raise ValidationError("Unique Pupil Number must be 13 characters", code="upn_length")
    if not _UPN_SHAPE.fullmatch(upn):
        raise ValidationError(
            "Unique Pupil Number must be a letter, 11 numbers, then a number or a letter",
            code="upn_format",
        )
    if upn[12].isalpha() and upn[12] not in UPN_CHECK_ALPHABET:
        raise ValidationError(
            "The last character of a Unique Pupil Number cannot be I, O or S",
            code="upn_last_character",
        )
    # The check letter comes before the LA number: a typing slip in positions 2 to 4 breaks
    # both, and "check what you typed" is the advice that fits it.
    if upn_check_letter(upn[1:]) != upn[0]:
        raise ValidationError(
            "Unique Pupil Number check letter is wrong: check you have typed it correctly",
            code="upn_check_letter",
        )
    if known_la_numbers is None:
        # Imported here, not at the top, so that this module needs no database and models
        # can use it without a circular import.
        from families.reference import dfe_la_numbers

        known_la_numbers = dfe_la_numbers()
    if upn[1:4] not in known_la_numbers:
        raise ValidationError(
            "The 2nd to 4th characters of a Unique Pupil Number must be a DfE local "
            "authority number",
            code="upn_la_number",
        )
    return upn


def clean_uln(value: str) -> str:
    uln = _normalise(value)
    if not uln:
        return ""
    if not _is_digits(uln):
        raise ValidationError(
            "Unique Learner Number must only include numbers", code="uln_not_digits"
        )
    if len(uln) != 10:
        raise ValidationError("Unique Learner Number must be 10 digits", code="uln_length")
    if uln == "9999999999":
        raise ValidationError(
            "This is the placeholder for a Unique Learner Number that is not yet known: "
            "leave it blank",
            code="uln_placeholder",
        )
    if uln[0] == "0":
        raise ValidationError("Unique Learner Number cannot start with 0", code="uln_leading_zero")
    if uln_check_digit(uln[:9]) != int(uln[9]):
        raise ValidationError(
            "Unique Learner Number check digit is wrong: check you have typed it correctly",
            code="uln_check_digit",
        )
    return uln


def clean_postcode(value: str) -> str:
    """Clean a postcode, returning it as "OUTWARD INWARD" (e.g. "SW1A 1AA").

    Only the format is checked: a well-formed postcode need not exist.
    """
    postcode = _normalise(value)
    if not postcode:
        return ""
    if postcode == _GIROBANK_POSTCODE:
        return "GIR 0AA"
    shape = _POSTCODE_SHAPE.fullmatch(postcode)
    if shape is None:
        raise ValidationError("Enter a full UK postcode, like SW1A 1AA", code="postcode_format")
    outward, inward = shape["outward"], shape["inward"]
    if outward[0] in "QVX":
        raise ValidationError(
            "The first character of a postcode cannot be Q, V or X",
            code="postcode_first_letter",
        )
    if outward[1] in "IJZ":
        raise ValidationError(
            "The second character of a postcode cannot be I, J or Z",
            code="postcode_second_letter",
        )
    # A letter in third place is the A9A shape (W1A); in fourth place, the AA9A shape (SW1A).
    if len(outward) == 3 and outward[2].isalpha() and outward[2] not in "ABCDEFGHJKSTUW":
        raise ValidationError(
            "The third character of a postcode like W1A 1AA must be A to H, J, K, S, T, U or W",
            code="postcode_third_letter",
        )
    if len(outward) == 4 and outward[3].isalpha() and outward[3] not in "ABEHMNPRVWXY":
        raise ValidationError(
            "The fourth character of a postcode like SW1A 1AA must be "
            "A, B, E, H, M, N, P, R, V, W, X or Y",
            code="postcode_fourth_letter",
        )
    if any(letter in "CIKMOV" for letter in inward[1:]):
        raise ValidationError(
            "The last 2 letters of a postcode cannot be C, I, K, M, O or V",
            code="postcode_inward_letters",
        )
    return f"{outward} {inward}"


# --- Stored values -----------------------------------------------------------------------


def is_temporary_upn(upn: str) -> bool:
    """Whether a normalised UPN is a temporary one (it ends in a letter): it should be
    replaced by the pupil's permanent UPN."""
    return len(upn) == 13 and upn[12].isalpha()


def format_nhs_number(nhs_number: str) -> str:
    """A stored NHS number as people write it: "943 476 5919". A value of another length
    (a blank, say) is returned as it is."""
    if len(nhs_number) != 10:
        return nhs_number
    return f"{nhs_number[:3]} {nhs_number[3:6]} {nhs_number[6:]}"


def format_nino(nino: str) -> str:
    """A stored NINO as people write it: "QQ 12 34 56 C", or "QQ 12 34 56" without a suffix.
    A value of another length (a blank, say) is returned as it is."""
    if len(nino) not in (8, 9):
        return nino
    without_suffix = f"{nino[:2]} {nino[2:4]} {nino[4:6]} {nino[6:8]}"
    return f"{without_suffix} {nino[8]}" if len(nino) == 9 else without_suffix
