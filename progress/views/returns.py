"""What each caseworker has due, and a family's return for a period."""

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from changing_lives.accounts.access import authority_of
from families.access import family_for
from progress import services
from progress.access import period_starting
from progress.due import collection_periods, families_due
from progress.forms import ReturnForm
from progress.models import FamilyReturn, Period, ReturnStatus

PAGE_SIZE = 50


@permission_required("progress.view_familyreturn", raise_exception=True)
def returns_due(request: HttpRequest) -> HttpResponse:
    """This period's returns and overdue earlier ones, the user's own caseload by default."""
    authority = authority_of(request)
    everyone = request.GET.get("all") == "1"
    today = timezone.localdate()
    current, earlier = collection_periods(today)
    current_rows = _due_rows(authority, current, request.user, everyone) if current else []
    overdue = []
    for period in earlier:
        for row in _due_rows(authority, period, request.user, everyone):
            if row["status"] != ReturnStatus.COMPLETE:
                overdue.append(row)
    page = Paginator(overdue, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "progress/returns_due.html",
        {
            "current": current,
            "current_rows": current_rows,
            "current_complete": sum(
                1 for r in current_rows if r["status"] == ReturnStatus.COMPLETE
            ),
            "page": page,
            "overdue_count": len(overdue),
            "everyone": everyone,
            "today": today,
        },
    )


def _due_rows(authority: Any, period: Period, user: Any, everyone: bool) -> list[dict[str, Any]]:
    returns = FamilyReturn.objects.filter(family=OuterRef("pk"), period=period)
    families = families_due(authority, period)
    if not everyone:
        families = families.filter(lead_professional=user.pk)
    families = families.annotate(
        return_status=Subquery(returns.values("status")[:1]),
        values_recorded=Count(
            "progress_returns__values", filter=Q(progress_returns__period=period)
        ),
    ).order_by("la_family_id")
    return [
        {
            "period": period,
            "family": family,
            "status": family.return_status or "",
            "values_recorded": family.values_recorded,
        }
        for family in families
    ]


@permission_required("progress.view_familyreturn", raise_exception=True)
def family_return(request: HttpRequest, public_id: uuid.UUID, period_start: str) -> HttpResponse:
    family = family_for(request, public_id)
    period = period_starting(period_start)
    running = period.end_on >= timezone.localdate()
    if running or not families_due(family.local_authority, period).filter(pk=family.pk).exists():
        return render(
            request,
            "progress/not_due.html",
            {"family": family, "period": period, "running": running},
        )
    state = services.return_state(family, period)
    form = ReturnForm(request.POST or None, state=state)
    if request.method == "POST":
        if not request.user.has_perm("progress.change_familyreturn"):
            return render(request, "403.html", status=403)
        complete = request.POST.get("action") == "complete"
        if form.is_valid():
            try:
                services.family_return_save(
                    actor=request.user,  # type: ignore[arg-type]
                    family=family,
                    period=period,
                    typed=form.typed(),
                    complete=complete,
                    request=request,
                )
            except services.ReturnInvalid as invalid:
                form.add_service_errors(invalid.by_key)
            except services.ReturnIncomplete as incomplete:
                form.add_service_errors(
                    {
                        services.key_of(question): ValidationError(message)
                        for question, message in zip(
                            incomplete.missing, incomplete.messages, strict=True
                        )
                    }
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, "Return saved and marked complete" if complete else "Return saved"
                )
                return redirect("progress:return", period.start_on.isoformat(), family.public_id)
    return render(
        request,
        "progress/family_return.html",
        {"form": form, "family": family, "period": period, "state": state},
    )
