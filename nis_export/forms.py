"""Forms for NIS submissions and recipient keys. They check what was typed; the rules
(a usable key, one build at a time, no future snapshot) are the services', whose errors the
views put back on these fields."""

from typing import Any

from crispy_forms_gds.layout import Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from changing_lives.pages.forms import GovukDateField, GovukFormMixin

# A public key with many signatures runs to tens of kilobytes; nothing real comes near this.
KEY_FILE_MAX_BYTES = 1024 * 1024


class SubmissionRequestForm(GovukFormMixin, forms.Form):
    submit_label = "Build a submission"

    snapshot_on = GovukDateField(
        label="Snapshot date",
        help_text="The records as they stood at the end of this day. Today or earlier, for "
        "example 31 3 2025",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"snapshot_on": timezone.localdate()})
        super().__init__(*args, **kwargs)


class RecipientKeyForm(GovukFormMixin, forms.Form):
    """The recipient's public key, from a file or pasted: one of the two."""

    submit_label = "Add key"

    key_file = forms.FileField(
        label="Upload the key file",
        required=False,
        help_text="An ASCII-armoured public key, usually a .asc file",
        widget=forms.FileInput(attrs={"accept": ".asc,.txt,.pub,.key"}),
    )
    armored = forms.CharField(
        label="Or paste the key",
        required=False,
        help_text="Everything from -----BEGIN PGP PUBLIC KEY BLOCK----- to "
        "-----END PGP PUBLIC KEY BLOCK-----",
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
    )

    def clean_key_file(self) -> str:
        upload = self.cleaned_data.get("key_file")
        if not upload:
            return ""
        if upload.size > KEY_FILE_MAX_BYTES:
            raise ValidationError("The key file must be smaller than 1 MB", code="too_large")
        try:
            return upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError(
                "The file is not a text key: export the public key with --armor (a .asc "
                "file) and upload that",
                code="binary_key",
            ) from None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        from_file, pasted = cleaned.get("key_file"), cleaned.get("armored", "").strip()
        if self.errors:
            return cleaned
        if from_file and pasted:
            raise ValidationError("Upload a key file or paste a key, not both", code="both_given")
        if not from_file and not pasted:
            self.add_error("key_file", "Upload the key file, or paste the key")
        return cleaned

    @property
    def source_field(self) -> str:
        """Which field the key came from: where a problem with the key is shown."""
        return "key_file" if self.cleaned_data.get("key_file") else "armored"

    @property
    def armored_key(self) -> str:
        return self.cleaned_data.get("key_file") or self.cleaned_data["armored"]


class RecipientKeyRetireForm(GovukFormMixin, forms.Form):
    submit_label = "Retire key"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A warning button: retiring changes every authority's packages.
        self.helper.inputs = [
            Submit("submit", self.submit_label, css_class="govuk-button--warning")
        ]
