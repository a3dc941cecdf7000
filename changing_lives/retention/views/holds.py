"""Holds: a legal hold or an open subject access request stops a family's purge. Placed and
lifted with a reason, from the family's page or from the list of open holds."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from changing_lives.accounts.access import authority_of
from changing_lives.pages.forms import add_service_errors
from changing_lives.retention.access import hold_for
from changing_lives.retention.forms import FamilyFindForm, HoldLiftForm, HoldPlaceForm
from changing_lives.retention.models import Hold
from changing_lives.retention.services import hold_lift, hold_place
from changing_lives.retention.views import MANAGE, actor_of
from families.access import family_for
from families.models import Family

HOLDS_PER_PAGE = 50


def _back_to(request: HttpRequest, family: Family) -> str:
    """The family's page for an admin who may open it; the list of holds for one who may not."""
    if request.user.has_perm("families.view_family"):
        return reverse("families:detail", args=[family.public_id])
    return reverse("retention:holds")


@permission_required(MANAGE, raise_exception=True)
def hold_list(request: HttpRequest) -> HttpResponse:
    """The authority's open holds, and a way to find a family to hold by its LA family ID."""
    authority = authority_of(request)
    # Bound only when the search was sent: a page of the list alone is not a search.
    form = FamilyFindForm(request.GET if "la_family_id" in request.GET else None)
    if form.is_bound and form.is_valid():
        family = (
            Family.objects.for_authority(authority)
            .filter(la_family_id__iexact=form.cleaned_data["la_family_id"].strip())
            .first()
        )
        if family is not None:
            return redirect("retention:hold_place", family.public_id)
        form.add_error("la_family_id", "No family has that LA family ID")
    holds = (
        Hold.objects.open()
        .filter(family__local_authority=authority)
        .select_related("family", "placed_by")
    )
    page = Paginator(holds, HOLDS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "retention/hold_list.html", {"form": form, "page": page})


@permission_required(MANAGE, raise_exception=True)
def hold_place_page(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    family = family_for(request, public_id)
    form = HoldPlaceForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            hold = hold_place(
                actor=actor_of(request),
                family=family,
                kind=form.cleaned_data["kind"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{hold.get_kind_display()} placed on the family")
            return redirect(_back_to(request, family))
    return render(
        request,
        "retention/hold_place.html",
        {
            "form": form,
            "family": family,
            "holds": list(family.holds.open().select_related("placed_by")),
            "back_to": _back_to(request, family),
        },
    )


@permission_required(MANAGE, raise_exception=True)
def hold_lift_page(request: HttpRequest, public_id: uuid.UUID, hold_id: uuid.UUID) -> HttpResponse:
    family = family_for(request, public_id)
    hold = hold_for(request, family, hold_id)
    back_to = _back_to(request, family)
    if hold.lifted_at is not None:
        return render(
            request,
            "message_page.html",
            {
                "message_title": "This hold has already been lifted",
                "message_body": f"It was lifted on "
                f"{date_format(timezone.localtime(hold.lifted_at), 'j F Y')}: {hold.lift_reason}",
                "message_link_url": back_to,
                "message_link_text": f"Back to family {family.la_family_id}",
            },
        )
    form = HoldLiftForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            hold_lift(
                actor=actor_of(request),
                hold=hold,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{hold.get_kind_display()} lifted")
            return redirect(back_to)
    return render(
        request,
        "retention/hold_lift.html",
        {"form": form, "family": family, "hold": hold, "back_to": back_to},
    )
