"""QuickSelect (the staff lists' select, written in Python for speed) gives the elements,
attributes, options and escaping that Django's own Select gives."""

from html.parser import HTMLParser
from typing import Any

from django import forms

from changing_lives.pages.forms import QuickSelect

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
