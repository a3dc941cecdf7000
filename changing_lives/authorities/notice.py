"""The privacy notice: its default text, and how an admin's plain text becomes a page.

The text is plain, with two marks an admin can type without knowing HTML: a line
starting `## ` is a heading and a line starting `- ` is a bullet. Everything is escaped,
so nothing an admin types can inject markup into a public page.
"""

from pathlib import Path

from django.utils.html import escape, format_html_join
from django.utils.safestring import SafeString, mark_safe

DEFAULT_TEXT = (Path(__file__).parent / "default_privacy_notice.txt").read_text(encoding="utf-8")


def render_notice(text: str) -> SafeString:
    """Render notice text as GOV.UK-styled HTML (headings, paragraphs, bulleted lists)."""
    parts: list[str] = []
    bullets: list[str] = []

    def close_list() -> None:
        if bullets:
            items = format_html_join("", "<li>{}</li>", ((b,) for b in bullets))
            parts.append(f'<ul class="govuk-list govuk-list--bullet">{items}</ul>')
            bullets.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("- "):
            bullets.append(line[2:].strip())
            continue
        close_list()
        if not line:
            continue
        if line.startswith("## "):
            parts.append(f'<h2 class="govuk-heading-m">{escape(line[3:].strip())}</h2>')
        else:
            parts.append(f'<p class="govuk-body">{escape(line)}</p>')
    close_list()
    # Every piece of text above went through escape() or format_html_join().
    return mark_safe("".join(parts))  # noqa: S308
