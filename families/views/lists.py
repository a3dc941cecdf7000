"""The family list: search, filters, sorting and pagination in a constant number of queries."""

from typing import Any

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Prefetch, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from changing_lives.accounts.access import authority_of
from families.forms import FamilyFilterForm
from families.models import Family, Individual, Relationship
from families.search import family_search

PAGE_SIZE = 25


@permission_required("families.view_family", raise_exception=True)
def family_list(request: HttpRequest) -> HttpResponse:
    authority = authority_of(request)
    form = FamilyFilterForm(request.GET or None, authority=authority)
    families = Family.objects.for_authority(authority)
    ordering: list[Any] = [
        # The user's own caseload first, as a caseworker works through it.
        Case(
            When(lead_professional=request.user.pk, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        "-updated_at",
        "-id",
    ]
    if form.is_bound and form.is_valid():
        filters = form.cleaned_data
        families = family_search(families, filters["q"], authority=authority)
        if filters["status"]:
            families = families.filter(status=filters["status"])
        if filters["lead_professional"]:
            families = families.filter(lead_professional=filters["lead_professional"])
        if filters["mine"]:
            families = families.filter(lead_professional=request.user.pk)
        if filters["sort"]:
            ordering = FamilyFilterForm.SORTS[filters["sort"]][1]
    elif form.is_bound:
        families = families.none()

    families = families.select_related("lead_professional").prefetch_related(
        Prefetch(
            "members",
            queryset=Individual.objects.only(
                "family_id", "forename", "surname", "relationship", "date_of_birth"
            ),
        )
    )
    page = Paginator(families.order_by(*ordering), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"family": family, "contact": main_contact(family)} for family in page.object_list]
    return render(request, "families/family_list.html", {"form": form, "page": page, "rows": rows})


def main_contact(family: Family) -> Individual | None:
    """The member a caseworker knows the family by: the main carer, else the eldest."""
    members = list(family.members.all())
    carers = [m for m in members if m.relationship == Relationship.MAIN_CARER]
    return next(iter(carers or members), None)
