from typing import Any

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Fluid, Size, Submit
from django import forms
from django.contrib.auth import forms as auth_forms

from changing_lives.accounts.roles import ROLE_DESCRIPTIONS, Role
from changing_lives.authorities.models import LocalAuthority
from changing_lives.pages.forms import GovukFormMixin


class SignInForm(GovukFormMixin, auth_forms.AuthenticationForm):
    submit_label = "Sign in"
    error_messages = {
        "invalid_login": "Enter a correct username and password (both are case-sensitive)",
        "inactive": "This account is not active. Ask your local authority's admin.",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.fields["username"].widget.attrs["spellcheck"] = "false"


class PasswordChangeForm(GovukFormMixin, auth_forms.PasswordChangeForm):
    submit_label = "Change password"


class PasswordResetForm(GovukFormMixin, auth_forms.PasswordResetForm):
    submit_label = "Send reset link"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].error_messages["required"] = "Enter your email address"
        self.fields["email"].error_messages["invalid"] = (
            "Enter an email address in the correct format, like name@example.gov.uk"
        )


class SetPasswordForm(GovukFormMixin, auth_forms.SetPasswordForm):
    submit_label = "Set password"


# Multi-factor sign-in


class MfaVerifyForm(GovukFormMixin, forms.Form):
    submit_label = "Continue"

    code = forms.CharField(
        label="Code",
        help_text="The 6-digit code your authenticator app shows now, or one of your backup codes",
        max_length=20,
        error_messages={"required": "Enter the code from your authenticator app"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_layout(Field.text("code", field_width=10))
        attrs = self.fields["code"].widget.attrs
        attrs |= {"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "none"}


class MfaEnrolForm(GovukFormMixin, forms.Form):
    submit_label = "Continue"

    code = forms.CharField(
        label="Code from your authenticator app",
        help_text="The 6 digits it shows for Changing Lives, like 123456",
        max_length=20,
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_layout(Field.text("code", field_width=5))
        attrs = self.fields["code"].widget.attrs
        attrs |= {"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}


class BackupCodesForm(GovukFormMixin, forms.Form):
    submit_label = "Create new backup codes"


# Users of the authority (changing_lives/accounts/users_views.py)


def role_choices() -> list[Choice]:
    return [Choice(role.value, role.label, hint=ROLE_DESCRIPTIONS[role]) for role in Role]


def _roles_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label="Roles",
        help_text="Select every role the user needs",
        choices=role_choices(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one role"},
    )


class UserInviteForm(GovukFormMixin, forms.Form):
    """The invitation: who, and with which roles. A platform superuser also says which
    authority (admins invite to their own)."""

    submit_label = "Send invitation"

    local_authority = forms.ModelChoiceField(
        label="Local authority",
        queryset=LocalAuthority.objects.all(),
        empty_label="Choose the local authority",
        error_messages={"required": "Choose the local authority"},
    )
    first_name = forms.CharField(
        label="First name",
        max_length=150,
        error_messages={"required": "Enter the user's first name"},
    )
    last_name = forms.CharField(
        label="Last name",
        max_length=150,
        error_messages={"required": "Enter the user's last name"},
    )
    email = forms.EmailField(
        label="Email address",
        help_text="The invitation is sent here",
        error_messages={
            "required": "Enter the user's email address",
            "invalid": "Enter an email address in the correct format, like name@example.gov.uk",
        },
    )
    username = forms.CharField(
        label="Username",
        help_text="What they will sign in with: letters, digits and @ . + - _ only",
        max_length=150,
        error_messages={"required": "Enter a username"},
    )
    roles = _roles_field()

    def __init__(self, *args: Any, choose_authority: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        layout: list[Any] = []
        if choose_authority:
            layout.append(Field.select("local_authority"))
        else:
            del self.fields["local_authority"]
        layout += [
            Field.text("first_name", field_width=20),
            Field.text("last_name", field_width=20),
            Field.text("email", field_width=Fluid.TWO_THIRDS),
            Field.text("username", field_width=20),
            Field.checkboxes("roles", legend_size=Size.SMALL),
        ]
        self.set_layout(*layout)
        self.fields["email"].widget.attrs |= {"spellcheck": "false", "autocomplete": "off"}
        self.fields["username"].widget.attrs |= {"spellcheck": "false", "autocomplete": "off"}


class UserRolesForm(GovukFormMixin, forms.Form):
    submit_label = "Save roles"

    roles = _roles_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_layout(Field.checkboxes("roles", legend_size=Size.MEDIUM))


class ConfirmForm(GovukFormMixin, forms.Form):
    """A confirmation: one button, its words the action's."""

    def __init__(self, *args: Any, submit_label: str, warning: bool = False, **kwargs: Any):
        self.submit_label = submit_label
        super().__init__(*args, **kwargs)
        if warning:
            self.helper.inputs = []
            self.helper.add_input(Submit("submit", submit_label, css_class="govuk-button--warning"))


class AuthorityChooseForm(GovukFormMixin, forms.Form):
    """A platform superuser's choice of whose users to see."""

    submit_label = "Show users"

    authority = forms.ModelChoiceField(
        label="Local authority",
        queryset=LocalAuthority.objects.all(),
        to_field_name="gss_code",
        empty_label="Choose the local authority",
        error_messages={"required": "Choose the local authority"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper.form_method = "get"


class InviteAcceptForm(GovukFormMixin, auth_forms.SetPasswordForm):
    submit_label = "Set password and continue"
