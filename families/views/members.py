"""A family's members: add, edit, remove, and move to another family."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from changing_lives.pages.forms import add_service_errors
from families import services
from families.access import family_for, member_for
from families.forms import MemberForm, MemberMoveForm, MemberRemoveForm
from families.la_ids import reference_normalise
from families.models import Family


@permission_required("families.change_family", raise_exception=True)
def member_add(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    family = family_for(request, public_id)
    form = MemberForm(request.POST or None, authority=family.local_authority)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_add(
                actor=request.user,  # type: ignore[arg-type]
                family=family,
                fields=form.cleaned_data,
                la_individual_id=form.cleaned_data["la_individual_id"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Member added to the family")
            return redirect("families:detail", family.public_id)
    return render(request, "families/member_form.html", {"form": form, "family": family})


@permission_required("families.change_family", raise_exception=True)
def member_edit(request: HttpRequest, public_id: uuid.UUID, member_id: uuid.UUID) -> HttpResponse:
    family = family_for(request, public_id)
    member = member_for(request, family, member_id)
    initial = {name: getattr(member, name) for name in services.MEMBER_FIELDS}
    form = MemberForm(
        request.POST or None, initial=initial, authority=family.local_authority, member=member
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.member_update(
                actor=request.user,  # type: ignore[arg-type]
                member=member,
                fields=form.cleaned_data,
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Member's details saved")
            return redirect("families:detail", family.public_id)
    return render(
        request, "families/member_form.html", {"form": form, "family": family, "member": member}
    )


@permission_required("families.change_family", raise_exception=True)
def member_remove(request: HttpRequest, public_id: uuid.UUID, member_id: uuid.UUID) -> HttpResponse:
    family = family_for(request, public_id)
    member = member_for(request, family, member_id)
    form = MemberRemoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_remove(
                actor=request.user,  # type: ignore[arg-type]
                member=member,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Member removed from the family")
            return redirect("families:detail", family.public_id)
    return render(
        request, "families/member_remove.html", {"form": form, "family": family, "member": member}
    )


@permission_required("families.change_family", raise_exception=True)
def member_move(request: HttpRequest, public_id: uuid.UUID, member_id: uuid.UUID) -> HttpResponse:
    family = family_for(request, public_id)
    member = member_for(request, family, member_id)
    form = MemberMoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        to_family = (
            Family.objects.for_authority(family.local_authority)
            .filter(la_family_id=reference_normalise(form.cleaned_data["la_family_id"]))
            .first()
        )
        if to_family is None:
            form.add_error(
                "la_family_id", "No family in your local authority has that LA family ID"
            )
        else:
            try:
                services.member_move(
                    actor=request.user,  # type: ignore[arg-type]
                    member=member,
                    to_family=to_family,
                    request=request,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Member moved to this family")
                return redirect("families:detail", to_family.public_id)
    return render(
        request, "families/member_move.html", {"form": form, "family": family, "member": member}
    )
