"""What a value typed for a measure means, and how it is stored and shown.

Pure functions (no database): every kind of measure, its rules and its messages. A blank
is "not recorded" (None), never "no" or 0; "unknown" is a value of its own for every kind.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

UNKNOWN = "unknown"
YES_NO_VALUES = {"yes": "yes", "y": "yes", "no": "no", "n": "no", "unknown": UNKNOWN}
MAX_COUNT = 10_000
MAX_PENCE = 100_000_000_00  # a hundred million pounds: anything more is a typing slip


@dataclass(frozen=True)
class MeasureSpec:
    """What the rules need to know of a measure."""

    kind: str
    label: str
    codes: tuple[tuple[str, str], ...] = ()


def clean_value(spec: MeasureSpec, raw: str | None, *, whose: str) -> str | None:
    """The canonical stored value for what was typed, None for blank (not recorded), or a
    ValidationError whose message names `whose` (a member or "the family") and the measure."""
    typed = (raw or "").strip()
    if not typed:
        return None
    if typed.lower() == UNKNOWN:
        return UNKNOWN
    what = f"{spec.label} for {whose}"
    match spec.kind:
        case "yes_no_unknown":
            value = YES_NO_VALUES.get(typed.lower())
            if value is None:
                raise ValidationError(f"{what} must be yes, no or unknown", code="yes_no")
            return value
        case "count":
            return _count(typed, what)
        case "money":
            return _pence(typed, what)
        case "percentage":
            return _percentage(typed, what)
        case "code":
            codes = {code.upper(): code for code, _ in spec.codes}
            if typed.upper() not in codes:
                allowed = ", ".join(label for _, label in spec.codes)
                raise ValidationError(f"{what} must be one of: {allowed}, or unknown", code="code")
            return codes[typed.upper()]
    raise ValueError(f"unknown measure kind {spec.kind}")


def _count(typed: str, what: str) -> str:
    # isdecimal, not isdigit: a superscript "²" is a digit int() cannot read.
    if not typed.isdecimal():
        raise ValidationError(f"{what} must be a whole number, 0 or more, or unknown", code="count")
    # Length first: int() refuses strings of more than 4,300 digits with a ValueError.
    if len(typed.lstrip("0")) > len(str(MAX_COUNT)) or int(typed) > MAX_COUNT:
        raise ValidationError(f"{what} must be {MAX_COUNT:,} or fewer", code="count_too_big")
    return str(int(typed))


def _pence(typed: str, what: str) -> str:
    cleaned = typed.replace("£", "").replace(",", "").strip()
    try:
        pounds = Decimal(cleaned)
    except InvalidOperation:
        raise ValidationError(
            f"{what} must be an amount in pounds, like 1250.50, or unknown", code="money"
        ) from None
    if not pounds.is_finite() or pounds < 0:
        raise ValidationError(f"{what} must be £0 or more", code="money_negative")
    if pounds.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ValidationError(f"{what} must have no more than 2 decimal places", code="money_pence")
    # Compared before multiplying: "1e1000000" * 100 overflows decimal arithmetic.
    if pounds > Decimal(MAX_PENCE) / 100:
        raise ValidationError(f"{what} must be £100,000,000 or less", code="money_too_big")
    return str(int(pounds * 100))


def _percentage(typed: str, what: str) -> str:
    try:
        percent = Decimal(typed.removesuffix("%").strip())
    except InvalidOperation:
        raise ValidationError(
            f"{what} must be a percentage from 0 to 100, like 92.5, or unknown", code="percentage"
        ) from None
    if not percent.is_finite() or not 0 <= percent <= 100:
        raise ValidationError(f"{what} must be between 0 and 100", code="percentage_range")
    if percent.as_tuple().exponent < -1:  # type: ignore[operator]
        raise ValidationError(
            f"{what} must have no more than 1 decimal place", code="percentage_decimals"
        )
    return f"{abs(percent):.1f}"  # abs: "-0" is 0.0, not "-0.0"


def display_value(spec: MeasureSpec, stored: str | None) -> str:
    """A stored value as people read it (and as the form shows it back)."""
    if stored is None:
        return ""
    if stored == UNKNOWN:
        return "unknown"
    match spec.kind:
        case "money":
            pounds = Decimal(stored) / 100
            return f"{pounds:.2f}"
        case "code" | "yes_no_unknown" | "count" | "percentage":
            return stored
    return stored


def applies_at_age(*, min_age: int | None, max_age: int | None, age: int) -> bool:
    """Whether an individual measure is asked of a member of this age at the period's end."""
    return (min_age is None or age >= min_age) and (max_age is None or age <= max_age)
