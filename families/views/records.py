"""A family's own pages: create, see (with members and history), edit, full history."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from changing_lives.accounts.access import authority_of
from changing_lives.pages.forms import add_service_errors
from families import services
from families.access import family_for
from families.forms import FamilyCreateForm, FamilyEditForm
from families.models import FamilyHistoryEntry

RECENT_HISTORY = 10
HISTORY_PAGE_SIZE = 50


@permission_required("families.add_family", raise_exception=True)
def family_create(request: HttpRequest) -> HttpResponse:
    authority = authority_of(request)
    form = FamilyCreateForm(request.POST or None, authority=authority)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            family = services.family_create(
                actor=request.user,  # type: ignore[arg-type]
                authority=authority,
                family_fields={name: data[name] for name in services.FAMILY_FIELDS if name in data},
                member_fields={name: data[name] for name in services.MEMBER_FIELDS if name in data},
                la_family_id=data["la_family_id"],
                la_individual_id=data["la_individual_id"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Family created")
            return redirect("families:detail", family.public_id)
    return render(request, "families/family_create.html", {"form": form})


@permission_required("families.view_family", raise_exception=True)
def family_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    family = family_for(request, public_id)
    services.family_viewed(actor=request.user, family=family, request=request)  # type: ignore[arg-type]
    history = family.history.select_related("actor")[:RECENT_HISTORY]
    return render(
        request,
        "families/family_detail.html",
        {"family": family, "members": family.members.all(), "history": history},
    )


@permission_required("families.change_family", raise_exception=True)
def family_edit(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    family = family_for(request, public_id)
    initial = {name: getattr(family, name) for name in services.FAMILY_FIELDS}
    form = FamilyEditForm(request.POST or None, initial=initial, authority=family.local_authority)
    if request.method == "POST" and form.is_valid():
        try:
            services.family_update(
                actor=request.user,  # type: ignore[arg-type]
                family=family,
                fields=form.cleaned_data,
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Family details saved")
            return redirect("families:detail", family.public_id)
    return render(request, "families/family_edit.html", {"form": form, "family": family})


@permission_required("families.view_family", raise_exception=True)
def family_history(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    family = family_for(request, public_id)
    entries = FamilyHistoryEntry.objects.filter(family=family).select_related("actor")
    page = Paginator(entries, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "families/family_history.html", {"family": family, "page": page})
