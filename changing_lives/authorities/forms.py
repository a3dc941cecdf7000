from django import forms

from changing_lives.pages.forms import GovukFormMixin


class AuthoritySettingsForm(GovukFormMixin, forms.Form):
    submit_label = "Save settings"

    privacy_notice = forms.CharField(
        label="Privacy notice",
        help_text=(
            "Shown to the public as your authority's privacy notice. Start a line with "
            "'## ' for a heading or '- ' for a bullet point."
        ),
        widget=forms.Textarea(attrs={"rows": 25}),
        max_length=50_000,
        error_messages={
            "required": "Enter the privacy notice",
            "max_length": "Privacy notice must be 50,000 characters or fewer",
        },
    )
    allow_nino_without_suffix = forms.BooleanField(
        label="Accept National Insurance numbers without their final letter",
        help_text=(
            "Only if your source systems drop the final letter (A, B, C or D). The 8 "
            "characters are then kept as 'suffix unknown'."
        ),
        required=False,
    )
