"""Template filters that show stored identifiers the way people read them."""

from django import template

from families import identifiers

register = template.Library()


@register.filter
def nhs_number(value: str) -> str:
    return identifiers.format_nhs_number(value) if value else ""


@register.filter
def nino(value: str) -> str:
    return identifiers.format_nino(value) if value else ""
