"""Forms for retention: the authority's rule, holds, the purge's confirmation and stop, and the
lookup of a purged LA family ID. They check what was typed; the rules are the services'
(changing_lives/retention/services.py, purge.py), whose errors the views put back on these
fields."""

from typing import Any

from crispy_forms_gds.layout import Field, Size, Submit
from django import forms

from changing_lives.pages.forms import GovukDateField, GovukFormMixin
from changing_lives.retention.models import HoldKind
from changing_lives.retention.services import MAX_YEARS

REASON_MAX = 500  # Hold.reason and Hold.lift_reason
LA_FAMILY_ID_MAX = 30  # Family.la_family_id


def _reason(label: str, *, required_message: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": required_message,
            "max_length": f"Reason must be {REASON_MAX} characters or fewer",
        },
    )


class RetentionSettingsForm(GovukFormMixin, forms.Form):
    submit_label = "Save retention settings"

    retention_years = forms.IntegerField(
        label="Years to keep a family's records",
        help_text="Counted from the latest of the end of support, the case closing and the "
        "last screening (or the referral, for a family never screened)",
        min_value=1,
        max_value=MAX_YEARS,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        error_messages={
            "required": "Enter the number of years to keep a family's records",
            "invalid": "Years to keep must be a whole number, like 8",
            "min_value": f"Years to keep must be between 1 and {MAX_YEARS}",
            "max_value": f"Years to keep must be between 1 and {MAX_YEARS}",
        },
    )
    destroy_by = GovukDateField(
        label="Destroy by date",
        required=False,
        help_text="Optional. A date by which the programme's records must be destroyed "
        "whatever the years say: the earlier of the two applies. For example, 31 12 2032",
    )
    nightly_purge = forms.BooleanField(
        label="Purge families past their retention date every night",
        help_text="Families under a legal hold or an open subject access request are never purged",
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_layout(
            Field.text("retention_years", field_width=3),
            "destroy_by",
            Field.checkbox("nightly_purge"),
        )


class HoldPlaceForm(GovukFormMixin, forms.Form):
    submit_label = "Place the hold"

    kind = forms.ChoiceField(
        label="What kind of hold is it?",
        choices=HoldKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of hold"},
    )
    reason = _reason(
        "Why is the family held?",
        required_message="Enter the reason for the hold",
        help_text="For example, the case or request it is for. Kept with the hold and shown "
        "on the family's page",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_layout(
            Field.radios("kind", legend_size=Size.SMALL), Field.textarea("reason", rows=4)
        )


class HoldLiftForm(GovukFormMixin, forms.Form):
    submit_label = "Lift the hold"

    reason = _reason(
        "Why is the hold being lifted?",
        required_message="Enter the reason for lifting the hold",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_layout(Field.textarea("reason", rows=4))


class FamilyFindForm(GovukFormMixin, forms.Form):
    """Which family to place a hold on: an admin need not be able to open the family list."""

    submit_label = "Find the family"

    la_family_id = forms.CharField(
        label="LA family ID",
        max_length=LA_FAMILY_ID_MAX,
        error_messages={
            "required": "Enter the LA family ID",
            "max_length": f"LA family ID must be {LA_FAMILY_ID_MAX} characters or fewer",
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper.form_method = "get"
        self.set_layout(Field.text("la_family_id", field_width=10))


class PurgeConfirmForm(GovukFormMixin, forms.Form):
    submit_label = "Run the purge"

    understood = forms.BooleanField(
        label="I understand this cannot be undone",
        error_messages={"required": "Confirm that you understand the purge cannot be undone"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_layout(Field.checkbox("understood"))
        # A red button: what it starts cannot be taken back (set_layout put the submit last).
        self.helper.layout.fields[-1] = Submit(
            "submit", self.submit_label, css_class="govuk-button--warning"
        )


class PurgeStopForm(GovukFormMixin, forms.Form):
    submit_label = "Stop the purge"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper.inputs = [
            Submit("submit", self.submit_label, css_class="govuk-button--secondary")
        ]


class PurgedLookupForm(GovukFormMixin, forms.Form):
    """An LA family ID to check against the purge certificates. Posted, never sent in the
    address: an ID in a query string would be kept in server and browser histories."""

    submit_label = "Check"

    la_family_id = forms.CharField(
        label="LA family ID",
        help_text="For example, F000123",
        max_length=LA_FAMILY_ID_MAX,
        error_messages={
            "required": "Enter the LA family ID",
            "max_length": f"LA family ID must be {LA_FAMILY_ID_MAX} characters or fewer",
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_layout(Field.text("la_family_id", field_width=10))
