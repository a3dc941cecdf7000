"""Changing Family Progress Data's reference data: reporting periods and measures.

Periods and measures are shared by every local authority (like the criteria frameworks), so
each change here is a platform-wide act: one transaction, validated first (every problem at
once, each message naming its field and rule), and recorded in the audit trail.

The rules over plain values (`period_problems`, `measure_problems`) are pure functions; the
services add what needs the database (overlapping periods, codes already used).
"""

import datetime
import re
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone

from changing_lives.accounts.models import User
from changing_lives.audit.actions import AuditAction
from changing_lives.audit.services import audit_record
from progress.models import Measure, MeasureKind, MeasureLevel, Period
from progress.values import UNKNOWN

CODE_PATTERN = re.compile(r"[A-Z0-9_]+")
CODE_MAX_LENGTH = 40
# A listed code is stored as a return's value, whose column holds 20 characters.
LISTED_CODE_MAX_LENGTH = 20
LABEL_MAX_LENGTH = 120
DESCRIPTION_MAX_LENGTH = 250
UNIT_MAX_LENGTH = 20
MIN_CODES = 2
OLDEST_AGE = 120
# Money is stored in pence of pounds sterling and percentages as percentages
# (progress/values.py), so those kinds have one unit each; a count may say what it counts.
FIXED_UNITS = {MeasureKind.MONEY: "GBP", MeasureKind.PERCENTAGE: "%"}
FIXED_UNIT_KIND_NAMES = {MeasureKind.MONEY: "money", MeasureKind.PERCENTAGE: "percentage"}
UNIT_KINDS = {MeasureKind.COUNT, MeasureKind.MONEY, MeasureKind.PERCENTAGE}

Problems = dict[str, str]


def long_date(day: datetime.date) -> str:
    """A date as the pages and messages write it: 1 April 2027."""
    return f"{day.day} {day:%B %Y}"


def default_due_on(end_on: datetime.date) -> datetime.date:
    """The proposed due date: FPD_RETURN_DUE_DAYS (30) days after the period ends."""
    return end_on + datetime.timedelta(days=settings.FPD_RETURN_DUE_DAYS)


# Periods


def period_problems(
    *, start_on: datetime.date, end_on: datetime.date, due_on: datetime.date
) -> Problems:
    """What is wrong with a period's dates, by field."""
    problems: Problems = {}
    if end_on <= start_on:
        problems["end_on"] = "End date must be after the start date"
    if due_on < end_on:
        problems["due_on"] = "Return due date must be the same as or after the end date"
    return problems


def _overlap_problem(start_on: datetime.date, end_on: datetime.date) -> Problems:
    other = (
        Period.objects.filter(start_on__lte=end_on, end_on__gte=start_on)
        .order_by("start_on")
        .first()
    )
    if other is None:
        return {}
    return {
        "start_on": "Start and end dates must not overlap another period: "
        f"{other.label} runs from {long_date(other.start_on)} to {long_date(other.end_on)}"
    }


@transaction.atomic
def period_add(
    *,
    actor: User,
    start_on: datetime.date,
    end_on: datetime.date,
    due_on: datetime.date | None = None,
    request: HttpRequest | None = None,
) -> Period:
    """Add a reporting period for every authority. Without a due date its returns are due
    FPD_RETURN_DUE_DAYS after it ends. Refused if it overlaps another period."""
    due_on = due_on or default_due_on(end_on)
    # Lock the existing periods, so that two admins adding overlapping periods at once are
    # checked one after the other (the second then sees the first's period).
    list(Period.objects.select_for_update().values_list("pk", flat=True))
    problems = period_problems(start_on=start_on, end_on=end_on, due_on=due_on)
    if not problems:
        problems = _overlap_problem(start_on, end_on)
    if problems:
        raise ValidationError(problems)
    period = Period.objects.create(start_on=start_on, end_on=end_on, due_on=due_on)
    audit_record(
        action=AuditAction.PROGRESS_REFERENCE_CHANGED, actor=actor, obj=period, request=request
    )
    return period


@transaction.atomic
def period_change_due(
    *,
    actor: User,
    period: Period,
    due_on: datetime.date,
    request: HttpRequest | None = None,
) -> Period:
    """Move the date a period's returns are due, for every authority."""
    problems = period_problems(start_on=period.start_on, end_on=period.end_on, due_on=due_on)
    if problems:
        raise ValidationError(problems)
    period.due_on = due_on
    period.save(update_fields=["due_on"])
    audit_record(
        action=AuditAction.PROGRESS_REFERENCE_CHANGED, actor=actor, obj=period, request=request
    )
    return period


# Measures


def codes_parse(text: str) -> list[tuple[str, str]]:
    """A code list typed one code a line, "CODE: label", as (code, label) pairs.

    Lenient on purpose: a line without a colon is a code with no label, and blank lines are
    skipped; `measure_problems` then says what is wrong, in one place.
    """
    pairs = []
    for line in text.splitlines():
        if line.strip():
            code, _, label = line.partition(":")
            pairs.append((code.strip(), label.strip()))
    return pairs


def _code_problem(code: str) -> str | None:
    if not code:
        return "Enter a code"
    if not CODE_PATTERN.fullmatch(code):
        return (
            "Code must contain only capital letters A to Z, digits 0 to 9 and underscores, "
            "like SCHOOL_EXCLUSIONS"
        )
    if len(code) > CODE_MAX_LENGTH:
        return f"Code must be {CODE_MAX_LENGTH} characters or fewer"
    return None


def _listed_code_problem(code: str, label: str, seen: set[str]) -> str | None:
    if not code:
        return f"Codes must each start with a code before the colon: “{label}” has none"
    if not CODE_PATTERN.fullmatch(code):
        return (
            "Codes must contain only capital letters A to Z, digits 0 to 9 and underscores: "
            f"{code} does not"
        )
    if len(code) > LISTED_CODE_MAX_LENGTH:
        return f"Codes must be {LISTED_CODE_MAX_LENGTH} characters or fewer: {code} is longer"
    if code.lower() == UNKNOWN:
        return "Codes must not include UNKNOWN: unknown is always offered for every measure"
    if code in seen:
        return f"Codes must be different from each other: {code} is listed twice"
    if not label:
        return f"Codes must each have a label after a colon: write {code}: and its label"
    return None


def _codes_problem(kind: str, codes: Sequence[tuple[str, str]]) -> str | None:
    if kind != MeasureKind.CODE:
        if codes:
            return "Codes are only for a code list: leave them blank for this kind of measure"
        return None
    seen: set[str] = set()
    for code, label in codes:
        problem = _listed_code_problem(code, label, seen)
        if problem:
            return problem
        seen.add(code)
    if len(codes) < MIN_CODES:
        return (
            f"Codes must list at least {MIN_CODES} codes for a code list, one a line, "
            "like CIN: Child in need"
        )
    return None


def _unit_problem(kind: str, unit: str) -> str | None:
    if not unit:
        return None
    if kind not in UNIT_KINDS:
        return "Unit is only for a count, money or a percentage: leave it blank for this kind"
    fixed = FIXED_UNITS.get(MeasureKind(kind))
    if fixed and unit.upper() != fixed:
        name = FIXED_UNIT_KIND_NAMES[MeasureKind(kind)]
        return f"Unit of a {name} measure must be {fixed}, or blank"
    if len(unit) > UNIT_MAX_LENGTH:
        return f"Unit must be {UNIT_MAX_LENGTH} characters or fewer"
    return None


def _age_problems(level: str, min_age: int | None, max_age: int | None) -> Problems:
    problems: Problems = {}
    if level == MeasureLevel.FAMILY and (min_age is not None or max_age is not None):
        field = "min_age" if min_age is not None else "max_age"
        problems[field] = (
            "Ages are only for a measure of each member: leave them blank for a family measure"
        )
        return problems
    for field, name, age in (
        ("min_age", "Youngest age", min_age),
        ("max_age", "Oldest age", max_age),
    ):
        if age is not None and not 0 <= age <= OLDEST_AGE:
            problems[field] = f"{name} must be between 0 and {OLDEST_AGE}"
    if not problems and min_age is not None and max_age is not None and min_age > max_age:
        problems["max_age"] = "Oldest age must be the same as or more than the youngest age"
    return problems


def measure_problems(
    *,
    code: str,
    label: str,
    description: str,
    level: str,
    kind: str,
    unit: str,
    codes: Sequence[tuple[str, str]],
    min_age: int | None,
    max_age: int | None,
) -> Problems:
    """What is wrong with a new measure's (normalised) values, by field."""
    problems: Problems = {}
    checks: dict[str, str | None] = {"code": _code_problem(code)}
    if not label:
        checks["label"] = "Enter a label"
    elif len(label) > LABEL_MAX_LENGTH:
        checks["label"] = f"Label must be {LABEL_MAX_LENGTH} characters or fewer"
    if len(description) > DESCRIPTION_MAX_LENGTH:
        checks["description"] = f"Description must be {DESCRIPTION_MAX_LENGTH} characters or fewer"
    if level not in MeasureLevel.values:
        checks["level"] = "Level must be family or individual"
    if kind not in MeasureKind.values:
        checks["kind"] = "Kind must be one of: " + ", ".join(MeasureKind.values)
    else:
        checks["unit"] = _unit_problem(kind, unit)
        checks["codes"] = _codes_problem(kind, codes)
    problems.update({field: problem for field, problem in checks.items() if problem})
    if level in MeasureLevel.values:
        problems.update(_age_problems(level, min_age, max_age))
    return problems


def _code_taken(code: str) -> Problems:
    other = Measure.objects.filter(code=code).first()
    if other is None:
        return {}
    return {"code": f"Code must be unique: {code} is already used by “{other.label}”"}


@transaction.atomic
def measure_add(
    *,
    actor: User,
    code: str,
    label: str,
    description: str = "",
    level: str,
    kind: str,
    unit: str = "",
    codes: Sequence[tuple[str, str]] = (),
    min_age: int | None = None,
    max_age: int | None = None,
    request: HttpRequest | None = None,
) -> Measure:
    """Add a measure, asked from now on in every authority's returns: for periods ending on
    or after today (earlier returns are left as they were made).

    Codes are upper-cased (typing case is forgiven; the stored code is what NIS files
    carry). A money or percentage measure's unit is always GBP or %.
    """
    code = code.strip().upper()
    codes = [(listed.strip().upper(), text.strip()) for listed, text in codes]
    label, description, unit = label.strip(), description.strip(), unit.strip()
    problems = measure_problems(
        code=code, label=label, description=description, level=level, kind=kind, unit=unit,
        codes=codes, min_age=min_age, max_age=max_age,
    )  # fmt: skip
    if "code" not in problems:
        problems.update(_code_taken(code))
    if problems:
        raise ValidationError(problems)
    measure = Measure(
        code=code, label=label, description=description, level=level, kind=kind,
        unit=FIXED_UNITS.get(MeasureKind(kind), unit),
        codes=[[listed, text] for listed, text in codes], min_age=min_age, max_age=max_age,
        order=(Measure.objects.aggregate(last=Max("order"))["last"] or 0) + 1,
        introduced_on=timezone.localdate(),
    )  # fmt: skip
    try:
        # A savepoint: two admins adding the same code at once meet the unique index.
        with transaction.atomic():
            measure.save()
    except IntegrityError:
        raise ValidationError(_code_taken(code) or {"code": "Code must be unique"}) from None
    audit_record(
        action=AuditAction.PROGRESS_REFERENCE_CHANGED, actor=actor, obj=measure, request=request
    )
    return measure


@transaction.atomic
def measure_retire(
    *,
    actor: User,
    measure: Measure,
    retired_on: datetime.date,
    request: HttpRequest | None = None,
) -> Measure:
    """Stop asking for a measure in periods that end on or after `retired_on`
    (progress/due.py `measures_asked`). Its values, and earlier periods' questions, stay."""
    if measure.retired_on is not None:
        raise ValidationError(
            {
                "retired_on": f"{measure.code} is already retired, from "
                f"{long_date(measure.retired_on)}: restore it first to change the date"
            }
        )
    measure.retired_on = retired_on
    measure.save(update_fields=["retired_on"])
    audit_record(
        action=AuditAction.PROGRESS_REFERENCE_CHANGED, actor=actor, obj=measure, request=request
    )
    return measure


@transaction.atomic
def measure_restore(
    *, actor: User, measure: Measure, request: HttpRequest | None = None
) -> Measure:
    """Ask for a retired measure again, in every period."""
    if measure.retired_on is None:
        raise ValidationError(f"{measure.code} is in use: only a retired measure can be restored")
    measure.retired_on = None
    measure.save(update_fields=["retired_on"])
    audit_record(
        action=AuditAction.PROGRESS_REFERENCE_CHANGED, actor=actor, obj=measure, request=request
    )
    return measure
