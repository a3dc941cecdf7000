"""The retention home page and the authority's rule (years, destroy-by date, nightly purge)."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from changing_lives.accounts.access import authority_of
from changing_lives.pages.forms import add_service_errors
from changing_lives.retention.forms import RetentionSettingsForm
from changing_lives.retention.models import Hold, PurgeRun
from changing_lives.retention.purge import purge_candidates
from changing_lives.retention.services import retention_settings_update, settings_for
from changing_lives.retention.views import MANAGE, actor_of


@permission_required(MANAGE, raise_exception=True)
def home(request: HttpRequest) -> HttpResponse:
    """Where the authority stands: its rule, how many families are due, holds, the last run."""
    authority = authority_of(request)
    return render(
        request,
        "retention/home.html",
        {
            "policy": settings_for(authority),
            "due_count": purge_candidates(authority).count(),
            "open_holds": Hold.objects.open().filter(family__local_authority=authority).count(),
            "last_run": PurgeRun.objects.for_authority(authority)
            .select_related("started_by")
            .first(),
        },
    )


@permission_required(MANAGE, raise_exception=True)
def settings_edit(request: HttpRequest) -> HttpResponse:
    authority = authority_of(request)
    policy = settings_for(authority)
    form = RetentionSettingsForm(
        request.POST if request.method == "POST" else None,
        initial={
            "retention_years": policy.retention_years,
            "destroy_by": policy.destroy_by,
            "nightly_purge": policy.nightly_purge,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            retention_settings_update(
                actor=actor_of(request),
                authority=authority,
                retention_years=form.cleaned_data["retention_years"],
                destroy_by=form.cleaned_data["destroy_by"],
                nightly_purge=form.cleaned_data["nightly_purge"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, "Retention settings saved: every family's retention date is recomputed"
            )
            return redirect("retention:home")
    return render(request, "retention/settings.html", {"form": form})
