"""QuickSelect (the staff lists' select, written in Python for speed) gives the elements,
attributes, options and escaping that Django's own Select gives; StaffChoiceField, whose
options are read without building Users, the options a ModelChoiceField gives."""

from html.parser import HTMLParser
from typing import Any

import pytest
from django import forms

from changing_lives.pages.forms import QuickSelect, StaffChoiceField
from tests.factories import LocalAuthorityFactory, UserFactory

CHOICES = [("", "Any"), (1, "Ada O'Brien"), (2, "Tom <b> & Jerry"), (3, 'Say "hi"')]


class Elements(HTMLParser):
    """The tags with their attributes, and the text, as a browser would read them."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[Any] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.append((tag, sorted(attrs, key=lambda pair: pair[0])))

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.seen.append(("text", data.strip()))


def parsed(html: str) -> list[Any]:
    parser = Elements()
    parser.feed(html)
    return parser.seen


def test_quick_select_renders_what_select_renders() -> None:
    attrs = {"class": "govuk-select", "id": "id_lead", "aria-describedby": "lead-hint"}
    for value in (None, "", 2):
        quick = QuickSelect(choices=CHOICES).render("lead", value, attrs=attrs)
        django = forms.Select(choices=CHOICES).render("lead", value, attrs=attrs)
        assert parsed(quick) == parsed(django), value
    assert "Tom &lt;b&gt; &amp; Jerry" in quick
    assert '<option value="2" selected>' in quick


class NamedByFullName(forms.ModelChoiceField):
    """Django's own field, labelled as StaffChoiceField labels a User."""

    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.username


@pytest.mark.django_db
def test_staff_choice_field_renders_what_a_model_choice_field_renders() -> None:
    # The staff's options are read as four columns, not as Users (StaffChoiceIterator):
    # the same values, names (full name, else username), order, escaping and selection.
    authority = LocalAuthorityFactory.create()
    ada = UserFactory.create(local_authority=authority, first_name="Ada", last_name="O'Brien")
    UserFactory.create(local_authority=authority, first_name="Tom <b>", last_name="& Jerry")
    UserFactory.create(local_authority=authority, first_name="", last_name="", username="nameless")
    staff = StaffChoiceField.staff_of(authority)

    def rendered(field_class: type[forms.ModelChoiceField], value: Any) -> list[Any]:
        form_class = type("LeadForm", (forms.Form,), {"lead": field_class(queryset=staff)})
        return parsed(str(form_class({"lead": value} if value is not None else None)["lead"]))

    for value in (None, "", str(ada.pk)):
        assert rendered(StaffChoiceField, value) == rendered(NamedByFullName, value), value
    chosen = rendered(StaffChoiceField, str(ada.pk))
    assert ("option", [("selected", None), ("value", str(ada.pk))]) in chosen
    assert ("text", "Tom <b> & Jerry") in chosen
    assert ("text", "nameless") in chosen
    assert StaffChoiceField(queryset=staff).clean(str(ada.pk)) == ada
