from django import forms

from changing_lives.pages.forms import GovukFormMixin


class PrivacyNoticeForm(GovukFormMixin, forms.Form):
    submit_label = "Save privacy notice"

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
