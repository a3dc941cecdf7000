from django.urls import path

from eligibility.status import Move
from eligibility.views import assessments, moves, overview

app_name = "eligibility"

urlpatterns = [
    path(
        "families/<uuid:public_id>/assessments/new/",
        assessments.assessment_create,
        name="assessment_create",
    ),
    path(
        "families/<uuid:public_id>/assessments/<uuid:assessment_id>/",
        assessments.assessment_detail,
        name="assessment_detail",
    ),
    path(
        "families/<uuid:public_id>/assessments/<uuid:assessment_id>/override/",
        assessments.assessment_override,
        name="assessment_override",
    ),
    *(
        path(f"families/<uuid:public_id>/{slug}/", moves.status_move, {"move": move}, name=name)
        for move, slug, name in [
            (Move.START_SUPPORT, "start-support", "start_support"),
            (Move.PLACE_IN_COMPARISON, "comparison-group", "place_in_comparison"),
            (Move.CONFIRM_NOT_ELIGIBLE, "not-eligible", "confirm_not_eligible"),
            (Move.CLOSE, "close", "close"),
        ]
    ),
    path("programme/", overview.programme_overview, name="overview"),
    path("programme/framework/", overview.framework_choice, name="framework"),
]
