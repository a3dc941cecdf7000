"""Forms for assessing a family, overriding a decision and moving its status."""

import datetime
from typing import Any

from crispy_forms_gds.layout import Field, Size
from django import forms
from django.utils import timezone

from changing_lives.accounts.models import User
from changing_lives.pages.forms import GovukDateField, GovukFormMixin, StaffChoiceField
from eligibility.models import (
    Assessment,
    EndReason,
    EvidenceSource,
    Framework,
    Headline,
    SupportIntensity,
)
from eligibility.services import CriterionInput
from families.models import Family, Individual


class CriterionRow:
    """One member and one headline on the assessment page: the checkbox and its evidence."""

    def __init__(self, form: "AssessmentForm", member: Individual, headline: Headline, prefix: str):
        self.member = member
        self.headline = headline
        self.met = form[prefix]
        self.indicator = form[f"{prefix}_indicator"]
        self.evidence_on = form[f"{prefix}_on"]
        self.evidence_source = form[f"{prefix}_source"]
        self.evidence_note = form[f"{prefix}_note"]
        self.conditional_id = f"conditional-{prefix}"


class AssessmentForm(GovukFormMixin, forms.Form):
    """Date screened, and for each member which headlines they meet, on what evidence.

    Fields are named by position (m0_CRIME, m0_CRIME_indicator, ...) so that ids stay short
    and every error links to its field.
    """

    submit_label = "Record assessment"

    screened_on = GovukDateField(label="Date screened", help_text="For example, 27 3 2025")

    def __init__(
        self,
        *args: Any,
        family: Family,
        framework: Framework,
        previous: Assessment | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.family = family
        self.members = list(family.members.all())
        self.headlines = list(framework.headlines.prefetch_related("indicators"))
        self.rows: dict[Individual, list[CriterionRow]] = {}
        met_before = _met_before(previous, framework)
        for index, member in enumerate(self.members):
            for headline in self.headlines:
                prefix = f"m{index}_{headline.code}"
                self._add_criterion_fields(prefix, member, headline)
                if (member.pk, headline.pk) in met_before:
                    self.initial.update(_initial_from(prefix, met_before[(member.pk, headline.pk)]))
        for index, member in enumerate(self.members):
            self.rows[member] = [
                CriterionRow(self, member, headline, f"m{index}_{headline.code}")
                for headline in self.headlines
            ]

    def _add_criterion_fields(self, prefix: str, member: Individual, headline: Headline) -> None:
        what = f"{member.full_name}: {headline.label}"
        conditional = f"conditional-{prefix}"
        self.fields[prefix] = forms.BooleanField(
            label=headline.label,
            required=False,
            widget=forms.CheckboxInput(
                attrs={"class": "govuk-checkboxes__input", "data-aria-controls": conditional}
            ),
        )
        self.fields[f"{prefix}_indicator"] = forms.ChoiceField(
            label="Indicator",
            choices=[
                ("", "Select an indicator"),
                *((i.pk, i.label) for i in headline.indicators.all()),
            ],
            required=False,
        )
        self.fields[f"{prefix}_on"] = GovukDateField(label="Evidence date", required=False)
        self.fields[f"{prefix}_source"] = forms.ChoiceField(
            label="Source of evidence",
            choices=[("", "Select a source"), *EvidenceSource.choices],
            required=False,
        )
        self.fields[f"{prefix}_note"] = forms.CharField(
            label="Evidence note (optional)",
            help_text="A few words: no more personal detail than the decision needs",
            required=False,
            max_length=500,
            error_messages={
                "max_length": f"Evidence note for {what} must be 500 characters or fewer"
            },
            widget=forms.Textarea(attrs={"rows": 2}),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        today = timezone.localdate()
        for rows in self.rows.values():
            for row in rows:
                prefix = row.met.name
                if not cleaned.get(prefix):
                    continue
                what = f"{row.member.full_name}: {row.headline.label}"
                if not cleaned.get(f"{prefix}_indicator"):
                    self.add_error(f"{prefix}_indicator", f"Select the indicator for {what}")
                evidence_on = cleaned.get(f"{prefix}_on")
                if evidence_on is None and f"{prefix}_on" not in self.errors:
                    self.add_error(f"{prefix}_on", f"Enter the evidence date for {what}")
                elif evidence_on is not None and evidence_on > today:
                    self.add_error(
                        f"{prefix}_on", f"Evidence date for {what} must be today or in the past"
                    )
                if not cleaned.get(f"{prefix}_source"):
                    self.add_error(f"{prefix}_source", f"Select the source of evidence for {what}")
        return cleaned

    def criteria(self) -> list[CriterionInput]:
        """The criteria ticked, once the form is valid."""
        result = []
        for rows in self.rows.values():
            for row in rows:
                prefix = row.met.name
                if not self.cleaned_data.get(prefix):
                    continue
                indicator_pk = int(self.cleaned_data[f"{prefix}_indicator"])
                result.append(
                    CriterionInput(
                        individual=row.member,
                        headline=row.headline,
                        indicator=next(
                            i for i in row.headline.indicators.all() if i.pk == indicator_pk
                        ),
                        evidence_on=self.cleaned_data[f"{prefix}_on"],
                        evidence_source=self.cleaned_data[f"{prefix}_source"],
                        evidence_note=self.cleaned_data[f"{prefix}_note"],
                    )
                )
        return result


def _met_before(previous: Assessment | None, framework: Framework) -> dict[tuple[int, int], Any]:
    """Criteria of the family's previous assessment under the same framework, to start from."""
    if previous is None or previous.framework_id != framework.pk:
        return {}
    return {(c.individual_id, c.headline_id): c for c in previous.criteria.all()}


def _initial_from(prefix: str, criterion: Any) -> dict[str, Any]:
    return {
        prefix: True,
        f"{prefix}_indicator": criterion.indicator_id,
        f"{prefix}_on": criterion.evidence_on,
        f"{prefix}_source": criterion.evidence_source,
        f"{prefix}_note": criterion.evidence_note,
    }


class OverrideForm(GovukFormMixin, forms.Form):
    submit_label = "Record override"

    eligible = forms.TypedChoiceField(
        label="What is your decision?",
        choices=[(True, "Eligible"), (False, "Not eligible")],
        coerce=lambda value: value in (True, "True"),
        widget=forms.RadioSelect,
        error_messages={"required": "Select eligible or not eligible"},
    )
    reason = forms.CharField(
        label="Why are you overriding the decision?",
        help_text="This is kept with the assessment and reported",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={
            "required": "Enter the reason for the override",
            "max_length": "Reason must be 2,000 characters or fewer",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_layout(Field.radios("eligible", legend_size=Size.SMALL), "reason")


class MoveForm(GovukFormMixin, forms.Form):
    """A status move that needs only its date."""

    on = GovukDateField(label="Date", help_text="For example, 27 3 2025")

    def __init__(self, *args: Any, date_label: str, submit_label: str, **kwargs: Any) -> None:
        self.submit_label = submit_label
        super().__init__(*args, **kwargs)
        field = self.fields["on"]
        assert isinstance(field, GovukDateField)
        field.relabel(date_label)
        self.initial.setdefault("on", datetime.date.today())


class StartSupportForm(MoveForm):
    intensity = forms.ChoiceField(
        label="Intensity of support",
        choices=SupportIntensity.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the intensity of support"},
    )
    lead_professional = StaffChoiceField(
        label="Lead professional",
        queryset=User.objects.none(),
        error_messages={"required": "Select the lead professional"},
    )

    def __init__(self, *args: Any, family: Family, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lead = self.fields["lead_professional"]
        assert isinstance(lead, StaffChoiceField)
        lead.queryset = StaffChoiceField.staff_of(family.local_authority)
        self.initial.setdefault("lead_professional", family.lead_professional_id)
        self.set_layout(
            "on", Field.radios("intensity", legend_size=Size.SMALL), "lead_professional"
        )


class CloseForm(MoveForm):
    end_reason = forms.ChoiceField(
        label="Why is the case closing?",
        choices=EndReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select why the case is closing"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_layout("on", Field.radios("end_reason", legend_size=Size.SMALL))


class FrameworkChoiceForm(GovukFormMixin, forms.Form):
    submit_label = "Save framework"

    framework = forms.ModelChoiceField(
        label="Which framework does your authority assess families under?",
        queryset=Framework.objects.all(),
        widget=forms.RadioSelect,
        empty_label=None,
        help_text="New assessments use it; earlier assessments keep the framework they "
        "were made under",
        error_messages={"required": "Select a framework"},
    )
