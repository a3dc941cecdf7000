"""The family page's "Eligibility and support" panel, drawn by the eligibility app so that the
families app does not need to know about assessments."""

from typing import Any

from django import template

from eligibility.services import latest_assessment
from eligibility.status import Move, moves_allowed
from families.models import Family

register = template.Library()

MOVE_URLS = {
    Move.START_SUPPORT: ("eligibility:start_support", "Start support"),
    Move.PLACE_IN_COMPARISON: ("eligibility:place_in_comparison", "Place in comparison group"),
    Move.CONFIRM_NOT_ELIGIBLE: ("eligibility:confirm_not_eligible", "Confirm not eligible"),
    Move.CLOSE: ("eligibility:close", "Close the case"),
}


@register.inclusion_tag("eligibility/includes/panel.html", takes_context=True)
def eligibility_panel(context: Any, family: Family) -> dict[str, Any]:
    assessment = latest_assessment(family)
    eligible = assessment.effective_eligible if assessment else None
    moves = [
        MOVE_URLS[move]
        for move in moves_allowed(current=family.status, eligible=eligible)
        if move in MOVE_URLS
    ]
    return {
        "family": family,
        "assessment": assessment,
        "intervention": family.interventions.select_related("lead_professional").first(),
        "moves": moves,
        "perms": context.get("perms"),
        "assessments": family.assessments.select_related("framework").order_by("-created_at")[1:],
    }
