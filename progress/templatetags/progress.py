"""The family page's "Progress" section: each period the family owes a return for."""

from typing import Any

from django import template
from django.db.models import Q
from django.utils import timezone

from families.models import Family
from progress.models import FamilyReturn, Period

register = template.Library()


@register.inclusion_tag("progress/includes/panel.html", takes_context=True)
def progress_panel(context: Any, family: Family) -> dict[str, Any]:
    """Periods that have ended while the family was supported, newest first, with the state of
    each return (the current, unfinished period is not due yet)."""
    interventions = list(family.interventions.all())
    if not interventions:
        return {"family": family, "rows": [], "perms": context.get("perms")}
    spans = Q()
    for intervention in interventions:
        span = Q(end_on__gte=intervention.started_on)
        if intervention.ended_on:
            span &= Q(start_on__lte=intervention.ended_on)
        spans |= span
    periods = list(
        Period.objects.filter(spans, end_on__lt=timezone.localdate()).order_by("-start_on")
    )
    returns = {
        r.period_id: r for r in FamilyReturn.objects.filter(family=family, period__in=periods)
    }
    rows = [{"period": period, "return": returns.get(period.pk)} for period in periods]
    return {"family": family, "rows": rows, "perms": context.get("perms")}
