"""Rules for what a person's record may hold, beyond the identifiers (families/identifiers.py)."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils import timezone

OLDEST_AGE_YEARS = 110

# Letters of any script, spaces, hyphens, apostrophes (straight and curly) and full stops.
NAME_CHARACTERS = re.compile(r"^(?:[^\W\d_]|[ \-'\u2019.])+$")
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@")


def validate_person_name(value: str) -> None:
    if value.startswith(FORMULA_STARTS):
        raise ValidationError("Name must not start with =, +, - or @", code="name_formula_start")
    if not NAME_CHARACTERS.match(value):
        raise ValidationError(
            "Name must only include letters, spaces, hyphens, apostrophes and full stops",
            code="name_characters",
        )


def validate_date_of_birth(value: datetime.date) -> None:
    today = timezone.localdate()
    if value > today:
        raise ValidationError("Date of birth must be today or in the past", code="dob_future")
    try:
        oldest = today.replace(year=today.year - OLDEST_AGE_YEARS)
    except ValueError:  # 29 February
        oldest = today.replace(year=today.year - OLDEST_AGE_YEARS, day=28)
    if value < oldest:
        raise ValidationError(
            f"Date of birth must be within the last {OLDEST_AGE_YEARS} years",
            code="dob_too_old",
        )


def validate_uprn(value: str) -> None:
    if not re.fullmatch(r"\d{1,12}", value):
        raise ValidationError("UPRN must be up to 12 digits", code="uprn_format")


def validate_school_urn(value: str) -> None:
    if not re.fullmatch(r"\d{6}", value):
        raise ValidationError("School URN must be 6 digits", code="school_urn_format")


def clean_pnc_number(value: str) -> str:
    """A Police National Computer ID: year (2 or 4 digits), '/', up to 7 digits, a letter."""
    value = value.strip().upper().replace(" ", "")
    if value and not re.fullmatch(r"(\d{2}|\d{4})/\d{1,7}[A-Z]", value):
        raise ValidationError(
            "Police National Computer number must be like 97/123456X: the year, a slash, "
            "up to 7 digits and a letter",
            code="pnc_format",
        )
    return value
