"""The Family Progress Data return form: one field per question, family measures first,
then each member's; a select for yes/no/unknown and code lists, a text box otherwise."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from changing_lives.pages.forms import GovukFormMixin
from progress.due import Question
from progress.models import MeasureKind
from progress.services import Key, ReturnState, key_of, spec_of, whose
from progress.values import UNKNOWN, clean_value, display_value

NOT_RECORDED = ("", "Not recorded")


def field_name(question: Question) -> str:
    member = question.individual.pk if question.individual else "family"
    return f"v_{question.measure.pk}_{member}"


class ReturnForm(GovukFormMixin, forms.Form):
    submit_label = "Save"

    def __init__(self, *args: Any, state: ReturnState, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.state = state
        self.questions = {field_name(question): question for question in state.questions}
        for name, question in self.questions.items():
            self.fields[name] = _field_for(question)
            stored = state.stored.get(key_of(question))
            self.initial[name] = display_value(
                spec_of(question.measure), stored.value if stored else None
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name, question in self.questions.items():
            if name in self.errors:
                continue
            try:
                clean_value(spec_of(question.measure), cleaned.get(name), whose=whose(question))
            except ValidationError as error:
                self.add_error(name, error)
        return cleaned

    def typed(self) -> dict[Key, str]:
        return {
            key_of(question): self.cleaned_data.get(name) or ""
            for name, question in self.questions.items()
        }

    def add_service_errors(self, by_key: dict[Key, ValidationError]) -> None:
        names = {key_of(question): name for name, question in self.questions.items()}
        for key, error in by_key.items():
            self.add_error(names[key], error)

    def family_fields(self) -> list[forms.BoundField]:
        return [self[name] for name, q in self.questions.items() if q.individual is None]

    def member_rows(self) -> list[tuple[Any, list[forms.BoundField | None]]]:
        """The grid: each member with a cell per individual measure (None where it does not
        apply to them, so it is not asked)."""
        measures = self.individual_measures()
        rows = []
        for member in self.state_members():
            cells: list[forms.BoundField | None] = []
            for measure in measures:
                name = f"v_{measure.pk}_{member.pk}"
                cells.append(self[name] if name in self.fields else None)
            rows.append((member, cells))
        return rows

    def individual_measures(self) -> list[Any]:
        seen: dict[int, Any] = {}
        for question in self.questions.values():
            if question.individual is not None:
                seen.setdefault(question.measure.pk, question.measure)
        return sorted(seen.values(), key=lambda measure: (measure.order, measure.code))

    def state_members(self) -> list[Any]:
        seen: dict[int, Any] = {}
        for question in self.questions.values():
            if question.individual is not None:
                seen.setdefault(question.individual.pk, question.individual)
        return list(seen.values())


def _field_for(question: Question) -> forms.Field:
    measure = question.measure
    label = f"{measure.label} for {whose(question)}" if question.individual else measure.label
    hint = measure.description
    if measure.kind in (MeasureKind.YES_NO_UNKNOWN, MeasureKind.CODE):
        choices = (
            [("yes", "Yes"), ("no", "No")]
            if measure.kind == MeasureKind.YES_NO_UNKNOWN
            else [(code, code_label) for code, code_label in measure.codes]
        )
        return forms.ChoiceField(
            label=label,
            help_text=hint,
            required=False,
            choices=[NOT_RECORDED, *choices, (UNKNOWN, "Unknown")],
        )
    unit = {"money": "£, for example 1250.50", "percentage": "%, for example 92.5"}.get(
        measure.kind, "a whole number"
    )
    return forms.CharField(
        label=label,
        help_text=f"{hint}. In {unit}, or unknown" if hint else f"In {unit}, or unknown",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        error_messages={"max_length": f"{label} must be 20 characters or fewer"},
    )
