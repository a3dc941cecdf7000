"""Writes for Family Progress Data: saving a family's return (in part or whole) and marking
it complete. Values are checked against their measure's kind (progress/values.py); a value
changed after the return was complete is kept in the family's history and flagged as a
correction for the next NIS submission."""

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from changing_lives.accounts.models import User
from changing_lives.audit.actions import AuditAction
from changing_lives.audit.services import audit_record
from families.history import history_record
from families.models import Family, FamilyHistoryEntry
from progress.due import Question, measures_asked, questions_for, supported_during
from progress.models import FamilyReturn, Measure, Period, ProgressValue, ReturnStatus
from progress.values import MeasureSpec, clean_value, display_value

# A typed value, keyed by (measure id, individual id or None for the family).
Key = tuple[int, int | None]


def spec_of(measure: Measure) -> MeasureSpec:
    return MeasureSpec(
        kind=measure.kind,
        label=measure.label,
        codes=tuple((code, label) for code, label in measure.codes),
    )


def whose(question: Question) -> str:
    return question.individual.full_name if question.individual else "the family"


def key_of(question: Question) -> Key:
    return (question.measure.pk, question.individual.pk if question.individual else None)


@dataclass(frozen=True)
class ReturnState:
    family_return: FamilyReturn | None
    questions: list[Question]
    stored: dict[Key, ProgressValue]

    @property
    def recorded(self) -> int:
        return sum(1 for question in self.questions if key_of(question) in self.stored)

    @property
    def is_complete(self) -> bool:
        return self.family_return is not None and (
            self.family_return.status == ReturnStatus.COMPLETE
        )


def return_state(family: Family, period: Period) -> ReturnState:
    """The questions a family's return asks for a period, and the values it holds."""
    family_return = FamilyReturn.objects.filter(family=family, period=period).first()
    stored = {}
    if family_return is not None:
        stored = {
            (value.measure_id, value.individual_id): value
            for value in family_return.values.select_related("measure")
        }
    questions = questions_for(family, period, measures_asked(period))
    return ReturnState(family_return, questions, stored)


def _check_due(family: Family, period: Period) -> None:
    if not Family.objects.filter(pk=family.pk).filter(supported_during(period)).exists():
        raise ValidationError(
            f"This family was not receiving support in {period.label}, so no return is due",
            code="not_due",
        )


@transaction.atomic
def family_return_save(
    *,
    actor: User,
    family: Family,
    period: Period,
    typed: Mapping[Key, str],
    complete: bool = False,
    request: HttpRequest | None = None,
) -> ReturnState:
    """Save what was typed (blanks are "not recorded"); optionally mark the return complete.

    All or nothing: any value that breaks its measure's rule raises, naming the member and
    the measure, and nothing is saved. Completing needs every question answered.
    """
    family = Family.objects.select_for_update().get(pk=family.pk)
    _check_due(family, period)
    state = return_state(family, period)
    errors: dict[Key, ValidationError] = {}
    cleaned: dict[Key, str | None] = {}
    for question in state.questions:
        key = key_of(question)
        if key not in typed:
            continue
        try:
            cleaned[key] = clean_value(spec_of(question.measure), typed[key], whose=whose(question))
        except ValidationError as error:
            errors[key] = error
    if errors:
        raise ReturnInvalid(errors)

    if state.family_return is None and not complete and all(v is None for v in cleaned.values()):
        return state  # Nothing typed: the return is not started (it starts with a value).
    family_return, _ = FamilyReturn.objects.get_or_create(family=family, period=period)
    was_complete = family_return.status == ReturnStatus.COMPLETE
    if was_complete and any(
        value is None and key in state.stored for key, value in cleaned.items()
    ):
        raise ValidationError(
            "A complete return cannot lose a value: enter unknown instead of leaving it blank",
            code="complete_blank",
        )
    changes = []
    by_key = {key_of(question): question for question in state.questions}
    for key, value in cleaned.items():
        existing = state.stored.get(key)
        old = existing.value if existing else None
        if old == value:
            continue
        question = by_key[key]
        changes.append(_change(question, old, value))
        if value is None:
            if existing is not None:
                existing.delete()
                state.stored.pop(key)
            continue
        if existing is None:
            existing = ProgressValue(
                family_return=family_return,
                measure=question.measure,
                individual=question.individual,
            )
        existing.value = value
        existing.recorded_by = actor
        existing.correction_pending = existing.correction_pending or was_complete
        existing.save()
        state.stored[key] = existing

    if complete and not was_complete:
        missing = [q for q in state.questions if key_of(q) not in state.stored]
        if missing:
            raise ReturnIncomplete(missing)
        family_return.status = ReturnStatus.COMPLETE
        family_return.completed_at = timezone.now()
        family_return.completed_by = actor
    family_return.save()
    if changes:
        history_record(
            family=family,
            actor=actor,
            action=FamilyHistoryEntry.Action.PROGRESS_CORRECTED
            if was_complete
            else FamilyHistoryEntry.Action.PROGRESS_RECORDED,
            changes=changes,
            note=period.label,
        )
        audit_record(
            action=AuditAction.PROGRESS_SAVED, actor=actor, obj=family_return, request=request
        )
    if complete and not was_complete:
        audit_record(
            action=AuditAction.PROGRESS_COMPLETED, actor=actor, obj=family_return, request=request
        )
    return ReturnState(family_return, state.questions, state.stored)


def _change(question: Question, old: str | None, new: str | None) -> dict[str, str]:
    spec = spec_of(question.measure)
    return {
        "field": question.measure.code,
        "label": f"{question.measure.label} ({whose(question)})",
        "old": display_value(spec, old),
        "new": display_value(spec, new),
    }


class ReturnInvalid(ValidationError):
    """Values that break their measures' rules, by (measure id, individual id)."""

    def __init__(self, errors: dict[Key, ValidationError]) -> None:
        super().__init__(list(errors.values()))
        self.by_key = errors


class ReturnIncomplete(ValidationError):
    """Questions still unanswered when the return was to be marked complete."""

    def __init__(self, missing: list[Question]) -> None:
        super().__init__(
            [
                ValidationError(
                    f"Enter {question.measure.label.lower()} for {whose(question)}, "
                    "or unknown, before marking the return complete",
                    code="missing",
                )
                for question in missing
            ]
        )
        self.missing = missing
