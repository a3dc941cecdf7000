"""Forms for the reference data pages: add a period, move its due date, add, retire or
restore a measure. They check what was typed; the rules are the services'
(progress/reference.py), whose errors the views put back on these fields."""

from typing import Any

from crispy_forms_gds.layout import Field, Fieldset, Fixed, Fluid, Size
from django import forms
from django.conf import settings

from changing_lives.pages.forms import GovukDateField, GovukFormMixin
from progress.models import MeasureKind, MeasureLevel
from progress.reference import (
    CODE_MAX_LENGTH,
    DESCRIPTION_MAX_LENGTH,
    LABEL_MAX_LENGTH,
    UNIT_MAX_LENGTH,
    codes_parse,
)

DATE_HINT = "For example, 1 4 2027"


class PeriodAddForm(GovukFormMixin, forms.Form):
    submit_label = "Add period"

    start_on = GovukDateField(label="Start date", help_text=DATE_HINT)
    end_on = GovukDateField(
        label="End date", help_text="The period's last day, for example 30 9 2027"
    )
    due_on = GovukDateField(
        label="Return due date",
        required=False,
        help_text=f"Leave blank for {settings.FPD_RETURN_DUE_DAYS} days after the end date",
    )


class PeriodDueForm(GovukFormMixin, forms.Form):
    submit_label = "Save due date"

    due_on = GovukDateField(label="Return due date", help_text="On or after the period's end")


def _text(label: str, max_length: int, *, required: str = "", **kwargs: Any) -> forms.CharField:
    """A text field; `required` is the message for a blank, and blank is allowed without it."""
    messages = {"max_length": f"{label} must be {max_length} characters or fewer"}
    if required:
        messages["required"] = required
    return forms.CharField(
        label=label if required else f"{label} (optional)",
        max_length=max_length,
        required=bool(required),
        error_messages=messages,
        **kwargs,
    )


def _age(label: str) -> forms.IntegerField:
    # A text box, not type=number (GOV.UK: number inputs mishandle what is typed).
    return forms.IntegerField(
        label=f"{label} (optional)",
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        error_messages={"invalid": f"{label} must be a whole number, like 16"},
    )


class MeasureAddForm(GovukFormMixin, forms.Form):
    submit_label = "Add measure"

    code = _text(
        "Code",
        CODE_MAX_LENGTH,
        required="Enter a code",
        help_text="Capital letters, digits and underscores, for example SCHOOL_EXCLUSIONS. "
        "It names the measure in National Impact Study files and cannot be changed later",
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocapitalize": "characters"}),
    )
    label = _text(
        "Label",
        LABEL_MAX_LENGTH,
        required="Enter a label",
        help_text="What caseworkers see, for example School exclusions",
    )
    description = _text(
        "Description",
        DESCRIPTION_MAX_LENGTH,
        help_text="When or over what time it is measured, for example In the period",
    )
    level = forms.ChoiceField(
        label="Who is it recorded for?",
        choices=[
            (MeasureLevel.FAMILY, "The family, once"),
            (MeasureLevel.INDIVIDUAL, "Each member of the family"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select who the measure is recorded for"},
    )
    kind = forms.ChoiceField(
        label="What kind of value is it?",
        choices=MeasureKind.choices,
        widget=forms.RadioSelect,
        help_text="Unknown is offered for every kind",
        error_messages={"required": "Select what kind of value the measure is"},
    )
    codes = forms.CharField(
        label="Codes (for a code list only)",
        required=False,
        widget=forms.Textarea(attrs={"spellcheck": "false"}),
        help_text="At least two, one a line: a code, a colon, then its label, "
        "for example CIN: Child in need",
    )
    unit = _text(
        "Unit",
        UNIT_MAX_LENGTH,
        help_text="For a count, what it counts, for example episodes. Money is always in GBP "
        "and a percentage in %",
    )
    min_age = _age("Youngest age")
    max_age = _age("Oldest age")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_layout(
            Field.text("code", field_width=Fluid.ONE_HALF),
            Field.text("label", field_width=Fluid.TWO_THIRDS),
            Field.text("description"),
            Field.radios("level", legend_size=Size.SMALL),
            Field.radios("kind", legend_size=Size.SMALL),
            Field.textarea("codes", rows=5),
            Field.text("unit", field_width=Fixed.TEN),
            Fieldset(
                Field.text("min_age", field_width=Fixed.TWO),
                Field.text("max_age", field_width=Fixed.TWO),
                legend="Ages it applies to (for a measure of each member)",
                legend_size=Size.SMALL,
            ),
        )
        self.fields["min_age"].help_text = "Their age at the end of the period"

    def clean_codes(self) -> list[tuple[str, str]]:
        return codes_parse(self.cleaned_data["codes"])


class MeasureRetireForm(GovukFormMixin, forms.Form):
    submit_label = "Retire measure"

    retired_on = GovukDateField(
        label="Retirement date",
        help_text="Periods ending on or after this date will not ask for it. For example, 1 4 2027",
    )


class MeasureRestoreForm(GovukFormMixin, forms.Form):
    submit_label = "Restore measure"
