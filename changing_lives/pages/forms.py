"""GovukFormMixin: every form in the product renders through crispy-forms-gds this way."""

from typing import Any

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Submit


class GovukFormMixin:
    """Give a form a GOV.UK helper: fields laid out in order, one submit button.

    Page templates render the error summary with `{% error_summary form %}` above the
    heading and the form with `{% crispy form %}`; nothing maps errors by hand.
    """

    submit_label = "Continue"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.add_input(Submit("submit", self.submit_label))
