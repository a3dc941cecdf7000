"""The programme overview (team managers, data officers) and the framework choice (admins)."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from changing_lives.accounts.access import authority_of
from eligibility import overview, services
from eligibility.forms import FrameworkChoiceForm

OVERRIDES_SHOWN = 50


@permission_required("eligibility.view_programme_overview", raise_exception=True)
def programme_overview(request: HttpRequest) -> HttpResponse:
    authority = authority_of(request)
    today = timezone.localdate()
    return render(
        request,
        "eligibility/overview.html",
        {
            "by_status": overview.families_by_status(authority),
            "by_headline": overview.families_by_headline(authority),
            "by_quarter": overview.assessments_by_quarter(authority, today),
            "by_period": overview.progress_by_period(authority, today),
            "overrides": overview.overridden_decisions(authority)[:OVERRIDES_SHOWN],
            "override_count": overview.overridden_decisions(authority).count(),
        },
    )


@permission_required("eligibility.change_framework", raise_exception=True)
def framework_choice(request: HttpRequest) -> HttpResponse:
    authority = authority_of(request)
    current = services.framework_for(authority)
    form = FrameworkChoiceForm(request.POST or None, initial={"framework": current})
    if request.method == "POST" and form.is_valid():
        services.authority_framework_set(
            authority=authority,
            framework=form.cleaned_data["framework"],
            actor=request.user,  # type: ignore[arg-type]
        )
        messages.success(request, "Framework saved")
        return redirect("eligibility:framework")
    return render(request, "eligibility/framework.html", {"form": form, "current": current})
