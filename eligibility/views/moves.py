"""Status moves on the family page: start support, comparison group, not eligible, close."""

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from changing_lives.pages.forms import add_service_errors
from eligibility import services
from eligibility.forms import CloseForm, MoveForm, StartSupportForm
from eligibility.status import Move
from families.access import family_for

# What each move's page says and asks.
MOVE_PAGES: dict[Move, dict[str, str]] = {
    Move.START_SUPPORT: {
        "title": "Start support",
        "date_label": "Support start date",
        "submit_label": "Start support",
        "done": "Support started",
    },
    Move.PLACE_IN_COMPARISON: {
        "title": "Place the family in the comparison group",
        "date_label": "Date placed in the comparison group",
        "submit_label": "Place in comparison group",
        "done": "Family placed in the comparison group",
    },
    Move.CONFIRM_NOT_ELIGIBLE: {
        "title": "Confirm the family is not eligible",
        "date_label": "Date of the decision",
        "submit_label": "Confirm not eligible",
        "done": "Family confirmed not eligible",
    },
    Move.CLOSE: {
        "title": "Close the case",
        "date_label": "Date closed (support end date)",
        "submit_label": "Close the case",
        "done": "Case closed",
    },
}


@permission_required("eligibility.manage_support", raise_exception=True)
def status_move(request: HttpRequest, public_id: uuid.UUID, move: Move) -> HttpResponse:
    family = family_for(request, public_id)
    page = MOVE_PAGES[move]
    data = request.POST or None
    labels = {"date_label": page["date_label"], "submit_label": page["submit_label"]}
    form: MoveForm
    if move == Move.START_SUPPORT:
        form = StartSupportForm(data, family=family, **labels)
    elif move == Move.CLOSE:
        form = CloseForm(data, **labels)
    else:
        form = MoveForm(data, **labels)
    if request.method == "POST" and form.is_valid():
        extra: dict[str, Any] = {
            key: form.cleaned_data[key]
            for key in ("intensity", "lead_professional", "end_reason")
            if key in form.cleaned_data
        }
        try:
            services.status_move(
                actor=request.user,  # type: ignore[arg-type]
                family=family,
                move=move,
                on=form.cleaned_data["on"],
                request=request,
                **extra,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, page["done"])
            return redirect("families:detail", family.public_id)
    return render(
        request, "eligibility/status_move.html", {"form": form, "family": family, "page": page}
    )
