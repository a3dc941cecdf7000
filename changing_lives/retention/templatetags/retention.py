"""The family page's "Retention" panel, drawn by the retention app so that the families app
does not need to know about holds."""

from typing import Any

from django import template
from django.utils import timezone

from families.models import Family

register = template.Library()


@register.inclusion_tag("retention/includes/panel.html", takes_context=True)
def retention_panel(context: Any, family: Family) -> dict[str, Any]:
    """The family's retention date, whether it has come, and the holds that stop its purge."""
    due = family.retention_on is not None and family.retention_on <= timezone.localdate()
    return {
        "family": family,
        "due": due,
        "holds": list(family.holds.open().select_related("placed_by")),
        "perms": context.get("perms"),
    }
