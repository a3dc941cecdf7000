"""How every form in the product is built: GOV.UK helper, date input, service errors."""

import datetime
import html
from collections.abc import Iterable, Iterator
from typing import Any, cast

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Layout, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.forms.widgets import ChoiceWidget
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from changing_lives.accounts.models import User
from changing_lives.authorities.models import LocalAuthority


class GovukFormMixin:
    """Give a form a GOV.UK helper: fields laid out in order, one submit button.

    Page templates render the error summary with `{% error_summary form %}` above the
    heading and the form with `{% crispy form %}`; nothing maps errors by hand. A form that
    wants fieldsets sets `self.helper.layout` after calling this __init__.
    """

    submit_label = "Continue"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.add_input(Submit("submit", self.submit_label))

    def set_layout(self, *items: Any) -> None:
        """Lay the form out (fieldsets, widths), submit button last.

        The fields are put in the layout's order too, so that the error summary lists
        problems in the order the user meets them on the page.
        """
        self.helper.layout = Layout(*items, Submit("submit", self.submit_label))
        self.helper.inputs = []
        self.order_fields([pointer.name for pointer in self.helper.layout.get_field_names()])  # type: ignore[attr-defined]


class GovukDateField(DateInputField):
    """The GOV.UK date input (day, month, year) with messages that name the date."""

    def __init__(self, *, label: str, required: bool = True, **kwargs: Any) -> None:
        super().__init__(label=label, required=required, require_all_fields=False, **kwargs)
        for field in self.fields:
            field.required = required
        self.relabel(label)

    def relabel(self, label: str) -> None:
        """Give the date its label, and every message its name."""
        self.label = label
        self.error_messages["required"] = f"Enter the {label.lower()}"
        self.error_messages["incomplete"] = f"{label} must include a day, month and year"
        for part, field in zip(("day", "month", "year"), self.fields, strict=True):
            field.error_messages["incomplete"] = f"{label} must include a {part}"
            field.validators = []

    def clean(self, value: Any) -> datetime.date | None:
        # Any part typed makes the others required, whether or not the date is.
        if value and any(part not in self.empty_values for part in value):
            for field in self.fields:
                field.required = True
        return super().clean(value)

    def compress(self, data_list: Any) -> datetime.date | None:
        day, month, year = data_list
        if not (day and month and year):
            return None
        label = self.label
        if not (day.isdigit() and month.isdigit() and year.isdigit()):
            raise ValidationError(f"{label} must be a real date, in numbers", code="date_digits")
        if len(year) != 4:
            raise ValidationError(f"{label}: year must include 4 numbers", code="date_year")
        try:
            return datetime.date(int(year), int(month), int(day))
        except ValueError:
            raise ValidationError(f"{label} must be a real date", code="date_real") from None


class QuickSelect(forms.Select):
    """A select whose options are written in Python, not each through a template: a large
    authority's staff list has hundreds, and a template each took 60 microseconds (26 ms of
    every family list page at 500 staff: docs/performance.md). The same elements and
    attributes as Django's Select (no option groups: the staff lists have none).

    Nor is Django's dict of attributes built per option (`optgroups`): at 500 staff that
    was still a third of the select's time, on every family list and search page."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        # Widget's context (name, value as a list of strings, attributes), not ChoiceWidget's.
        widget = super(ChoiceWidget, self).get_context(name, value, attrs)["widget"]
        chosen = widget["value"]
        options = []
        has_selected = False  # as Select: only the first option of a value is selected
        # Flat (value, label) pairs: the staff lists have no option groups.
        for option_value, label in cast(Iterable[tuple[Any, Any]], self.choices):
            option = "" if option_value is None else option_value
            selected = not has_selected and str(option) in chosen
            has_selected |= selected
            options.append(
                f'<option value="{_escape(option)}"'
                f"{' selected' if selected else ''}>{_escape(label)}</option>"
            )
        return format_html(
            '<select name="{}"{}>{}</select>',
            widget["name"],
            flatatt(widget["attrs"]),
            mark_safe("".join(options)),  # noqa: S308 (each value and label escaped above)
        )


def _escape(value: Any) -> str:
    """conditional_escape, without its lazy-string wrapper: a fifth of the time, and a
    select of 500 staff escapes a thousand strings on every family list page."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))


def staff_name(first_name: str, last_name: str, username: str) -> str:
    """How a member of staff is shown in a list: User.get_full_name(), else the username."""
    return f"{first_name} {last_name}".strip() or username


class StaffChoiceIterator(ModelChoiceIterator):
    """The staff's choices from four columns: no User built per option (500 of them on every
    family list page at 250,000 families: docs/performance.md)."""

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        rows = self.queryset.values_list("pk", "first_name", "last_name", "username")
        for pk, first_name, last_name, username in rows:
            yield (pk, staff_name(first_name, last_name, username))


class StaffChoiceField(forms.ModelChoiceField):
    """A choice of an authority's staff, shown by name."""

    widget = QuickSelect
    iterator = StaffChoiceIterator

    @staticmethod
    def staff_of(authority: LocalAuthority) -> QuerySet[User]:
        return User.objects.filter(local_authority=authority, is_active=True).order_by(
            "first_name", "last_name"
        )

    def label_from_instance(self, obj: Any) -> str:
        return staff_name(obj.first_name, obj.last_name, obj.username)


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field where the form has one."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)
