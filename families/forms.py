"""Forms for families and members. They check what a user typed and show clear messages;
the services (families/services.py) check again and save."""

from typing import Any

from crispy_forms_gds.layout import Field, Fieldset, Fluid, Size
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.urls import reverse

from changing_lives.accounts.models import User
from changing_lives.authorities.models import LocalAuthority
from changing_lives.pages.forms import GovukDateField, GovukFormMixin, StaffChoiceField
from families import identifiers
from families.models import (
    Family,
    FamilyStatus,
    Gender,
    Individual,
    ObjectionMethod,
    Relationship,
)
from families.services import identifier_clashes
from families.validation import (
    clean_pnc_number,
    validate_date_of_birth,
    validate_person_name,
    validate_school_urn,
    validate_uprn,
)

YES_NO = [(True, "Yes"), (False, "No")]


def _text(
    label: str, *, required: bool = False, max_length: int = 100, **kwargs: Any
) -> forms.CharField:
    messages = {"max_length": f"{label} must be {max_length} characters or fewer"}
    if required:
        messages["required"] = f"Enter the {label.lower()}"
    return forms.CharField(
        label=label, required=required, max_length=max_length, error_messages=messages, **kwargs
    )


class AddressFields(forms.Form):
    address_line_1 = _text("Address line 1")
    address_line_2 = _text("Address line 2")
    address_line_3 = _text("Address line 3")
    town = _text("Town or city", max_length=60)
    postcode = _text("Postcode", max_length=10)
    uprn = _text(
        "UPRN",
        max_length=12,
        help_text="Unique Property Reference Number, up to 12 digits, if known",
        validators=[validate_uprn],
    )

    def clean_postcode(self) -> str:
        return identifiers.clean_postcode(self.cleaned_data["postcode"])


class FamilyFields(AddressFields):
    lead_professional = StaffChoiceField(
        label="Lead professional",
        queryset=User.objects.none(),
        required=False,
        empty_label="Not yet allocated",
    )
    referred_on = GovukDateField(label="Date referred", help_text="For example, 27 3 2025")
    case_opened_on = GovukDateField(label="Date case opened", required=False)
    case_closed_on = GovukDateField(label="Date case closed", required=False)
    notes = forms.CharField(
        label="Notes",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Only what the programme needs: no more personal detail than necessary",
        max_length=5000,
        error_messages={"max_length": "Notes must be 5,000 characters or fewer"},
    )

    def __init__(self, *args: Any, authority: LocalAuthority, **kwargs: Any) -> None:
        self.authority = authority
        super().__init__(*args, **kwargs)
        lead = self.fields["lead_professional"]
        assert isinstance(lead, StaffChoiceField)
        lead.queryset = StaffChoiceField.staff_of(authority)


class MemberFields(forms.Form):
    """A member's own details and identifiers (their address, if different, is separate)."""

    forename = _text("First name", required=True, validators=[validate_person_name])
    surname = _text("Last name", required=True, validators=[validate_person_name])
    other_names = _text(
        "Other names",
        max_length=200,
        help_text="Middle names or names they are also known by",
        validators=[validate_person_name],
    )
    date_of_birth = GovukDateField(label="Date of birth", help_text="For example, 27 3 2012")
    gender = forms.ChoiceField(
        label="Gender",
        choices=Gender.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the gender"},
    )
    relationship = forms.ChoiceField(
        label="Relationship to the family",
        choices=[("", "Select a relationship"), *Relationship.choices],
        error_messages={"required": "Select the relationship to the family"},
    )
    lives_in_household = forms.TypedChoiceField(
        label="Do they live in the household?",
        choices=YES_NO,
        coerce=lambda value: value in (True, "True"),
        widget=forms.RadioSelect,
        error_messages={"required": "Select yes if they live in the household"},
    )
    expectant_parent = forms.BooleanField(label="Expectant parent", required=False)
    in_full_time_education = forms.BooleanField(
        label="In full-time education or training",
        help_text="For 16 to 18 year olds: they then count as a dependent child",
        required=False,
    )
    nhs_number = _text("NHS number", max_length=20, help_text="10 digits, for example 943 476 5919")
    nino = _text("National Insurance number", max_length=20, help_text="For example, QQ 12 34 56 C")
    upn = _text("Unique Pupil Number (UPN)", max_length=20, help_text="13 characters")
    uln = _text("Unique Learner Number (ULN)", max_length=20, help_text="10 digits")
    pnc_number = _text("Police National Computer number", max_length=20)
    school_urn = _text(
        "School URN", max_length=6, help_text="6 digits", validators=[validate_school_urn]
    )

    authority: LocalAuthority
    member: Individual | None = None

    def clean_date_of_birth(self) -> Any:
        value = self.cleaned_data["date_of_birth"]
        if value is not None:
            validate_date_of_birth(value)
        return value

    def clean_nhs_number(self) -> str:
        return identifiers.clean_nhs_number(self.cleaned_data["nhs_number"])

    def clean_nino(self) -> str:
        return identifiers.clean_nino(
            self.cleaned_data["nino"], allow_missing_suffix=self.authority.allow_nino_without_suffix
        )

    def clean_upn(self) -> str:
        return identifiers.clean_upn(self.cleaned_data["upn"])

    def clean_uln(self) -> str:
        return identifiers.clean_uln(self.cleaned_data["uln"])

    def clean_pnc_number(self) -> str:
        return clean_pnc_number(self.cleaned_data["pnc_number"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        # Another person of the authority holding one of these identifiers is refused; the
        # page links to that record (self.clashes) so the caseworker can see which it is.
        self.clashes = identifier_clashes(
            authority=self.authority, fields=cleaned, exclude=self.member
        )
        for name, other in self.clashes.items():
            self.add_error(
                name,
                ValidationError(
                    f"{self.fields[name].label} is already recorded for a member of family "
                    f"{other.family.la_family_id}: check it, or see that record",
                    code="identifier_in_use",
                ),
            )
        return cleaned

    def clash_links(self) -> list[dict[str, str]]:
        return [
            {
                "label": str(self.fields[name].label),
                "family": other.family.la_family_id,
                "url": reverse("families:detail", args=[other.family.public_id])
                + f"#member-{other.public_id}",
            }
            for name, other in getattr(self, "clashes", {}).items()
        ]


class ObjectionFields(forms.Form):
    nis_objection_on = GovukDateField(
        label="Date they objected",
        required=False,
        help_text="Leave blank if they have not objected",
    )
    nis_objection_method = forms.ChoiceField(
        label="How they objected",
        choices=[("", "Not objected"), *ObjectionMethod.choices],
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        on, method = cleaned.get("nis_objection_on"), cleaned.get("nis_objection_method")
        if on and not method:
            self.add_error("nis_objection_method", "Select how they objected")
        if method and not on and "nis_objection_on" not in self.errors:
            self.add_error("nis_objection_on", "Enter the date they objected")
        return cleaned


def _reference_field(label: str) -> forms.CharField:
    return _text(
        label,
        max_length=30,
        help_text="Your authority's own reference, if it has one. "
        "Leave blank to be given the next one.",
    )


class FamilyCreateForm(GovukFormMixin, FamilyFields, MemberFields):
    submit_label = "Create family"

    la_family_id = _reference_field("LA family ID")
    la_individual_id = _reference_field("LA individual ID of the first member")

    def __init__(self, *args: Any, authority: LocalAuthority, **kwargs: Any) -> None:
        super().__init__(*args, authority=authority, **kwargs)
        self.set_layout(
            Fieldset(
                Field.text("la_family_id", field_width=Fluid.ONE_THIRD),
                "lead_professional",
                "referred_on",
                "case_opened_on",
                *ADDRESS_LAYOUT,
                legend="The family",
                legend_size=Size.MEDIUM,
                legend_tag="h2",
            ),
            Fieldset(
                Field.text("la_individual_id", field_width=Fluid.ONE_THIRD),
                *MEMBER_LAYOUT,
                legend="Their first member",
                legend_size=Size.MEDIUM,
                legend_tag="h2",
            ),
            "notes",
        )


class FamilyEditForm(GovukFormMixin, FamilyFields):
    submit_label = "Save changes"

    def __init__(self, *args: Any, authority: LocalAuthority, **kwargs: Any) -> None:
        super().__init__(*args, authority=authority, **kwargs)
        self.set_layout(
            "lead_professional",
            "referred_on",
            "case_opened_on",
            "case_closed_on",
            *ADDRESS_LAYOUT,
            "notes",
        )


class MemberForm(GovukFormMixin, MemberFields, ObjectionFields, AddressFields):
    submit_label = "Save member"

    def __init__(
        self,
        *args: Any,
        authority: LocalAuthority,
        member: Individual | None = None,
        **kwargs: Any,
    ) -> None:
        self.authority = authority
        self.member = member
        super().__init__(*args, **kwargs)
        if member is None:
            self.fields["la_individual_id"] = _reference_field("LA individual ID")
        layout: list[Any] = []
        if member is None:
            layout.append(Field.text("la_individual_id", field_width=Fluid.ONE_THIRD))
        self.set_layout(
            *layout,
            *MEMBER_LAYOUT,
            Fieldset(
                *ADDRESS_LAYOUT,
                legend="Their address, if different from the family's",
                legend_size=Size.MEDIUM,
                legend_tag="h2",
            ),
            Fieldset(
                "nis_objection_on",
                "nis_objection_method",
                legend="Objection to the National Impact Study",
                legend_size=Size.MEDIUM,
                legend_tag="h2",
            ),
        )


class MemberRemoveForm(GovukFormMixin, forms.Form):
    submit_label = "Remove member"

    reason = forms.CharField(
        label="Why are you removing this member?",
        help_text="For example, recorded in error, or left the family",
        max_length=500,
        error_messages={
            "required": "Enter why you are removing this member",
            "max_length": "Reason must be 500 characters or fewer",
        },
    )


class MemberMoveForm(GovukFormMixin, forms.Form):
    submit_label = "Move member"

    la_family_id = _text(
        "LA family ID of the family they are moving to", required=True, max_length=30
    )


class FamilyFilterForm(GovukFormMixin, forms.Form):
    """The family list's search, filters and sort. Submitted by GET."""

    submit_label = "Search"

    SORTS = {
        "updated": ("Recently updated", ["-updated_at", "-id"]),
        "la_family_id": ("LA family ID", ["la_family_id"]),
        "referred": ("Date referred, newest first", ["-referred_on", "-id"]),
        "status": ("Status", ["status", "la_family_id"]),
    }
    # "Due for purge": a retention date within this many days, or already passed (the
    # family is held, or no purge has reached it yet): the families to check before a purge.
    DUE_SOON_DAYS = 90

    q = _text(
        "Search",
        max_length=100,
        help_text="A member's name, an LA family or individual ID, or an NHS number, "
        "National Insurance number, UPN, ULN or PNC number",
    )
    status = forms.ChoiceField(
        label="Status", choices=[("", "Any status"), *FamilyStatus.choices], required=False
    )
    lead_professional = StaffChoiceField(
        label="Lead professional",
        queryset=User.objects.none(),
        required=False,
        empty_label="Anyone",
    )
    mine = forms.BooleanField(label="Only my caseload", required=False)
    due_for_purge = forms.BooleanField(
        label=f"Due for purge in the next {DUE_SOON_DAYS} days",
        help_text="Includes families already past their retention date",
        required=False,
    )
    sort = forms.ChoiceField(
        label="Sort by",
        choices=[("", "My caseload first"), *((key, label) for key, (label, _) in SORTS.items())],
        required=False,
    )

    def __init__(self, *args: Any, authority: LocalAuthority, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper.form_method = "get"
        lead = self.fields["lead_professional"]
        assert isinstance(lead, StaffChoiceField)
        # Only people who lead at least one family: the filter's list stays short.
        lead.queryset = StaffChoiceField.staff_of(authority).filter(
            Exists(Family.objects.filter(lead_professional=OuterRef("pk")))
        )


ADDRESS_LAYOUT = (
    "address_line_1",
    "address_line_2",
    "address_line_3",
    Field.text("town", field_width=Fluid.TWO_THIRDS),
    Field.text("postcode", field_width=10),
    Field.text("uprn", field_width=20),
)
MEMBER_LAYOUT = (
    "forename",
    "surname",
    "other_names",
    "date_of_birth",
    Field.radios("gender", legend_size=Size.SMALL),
    "relationship",
    Field.radios("lives_in_household", inline=True, legend_size=Size.SMALL),
    Field.checkbox("expectant_parent"),
    Field.checkbox("in_full_time_education"),
    Field.text("nhs_number", field_width=10),
    Field.text("nino", field_width=10),
    Field.text("upn", field_width=20),
    Field.text("uln", field_width=10),
    Field.text("pnc_number", field_width=10),
    Field.text("school_urn", field_width=5),
)
