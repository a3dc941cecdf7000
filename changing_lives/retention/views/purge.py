"""The purge: the preview (page and CSV), the confirmation that starts a run, the runs and
their certificates (page and CSV), and the lookup that answers "was family X purged, and
when?" without the product keeping X."""

import csv
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from changing_lives.accounts.access import authority_of
from changing_lives.audit.actions import AuditAction
from changing_lives.audit.services import audit_record
from changing_lives.authorities.models import LocalAuthority
from changing_lives.csv_safety import spreadsheet_safe
from changing_lives.pages.forms import add_service_errors
from changing_lives.retention.access import run_for
from changing_lives.retention.forms import PurgeConfirmForm, PurgedLookupForm, PurgeStopForm
from changing_lives.retention.models import PurgeRun, PurgeStatus
from changing_lives.retention.purge import (
    ACTIVE,
    KINDS,
    certificate_rows,
    purge_counts,
    purge_preview,
    purge_request,
    purge_stop,
    purged_lookup,
)
from changing_lives.retention.views import MANAGE, actor_of

FAMILIES_PER_PAGE = 100
RUNS_PER_PAGE = 25
# A run that has ended has destroyed what it destroyed, whether it finished, was stopped or
# failed part way: each has a certificate of what went.
ENDED = (PurgeStatus.FINISHED, PurgeStatus.STOPPED, PurgeStatus.FAILED)
PREVIEW_HEADER = ("row", "name", "value")

# The purge engine counts rows by kind (purge.KINDS); these are the names people read. A kind
# not listed is shown by its own name, so a new kind is never hidden.
KIND_LABELS = {
    "families": "Families",
    "individuals": "Individuals",
    "assessments": "Assessments",
    "criteria": "Criteria met",
    "interventions": "Interventions (support)",
    "status_changes": "Status changes",
    "progress_returns": "Progress returns",
    "progress_values": "Progress values",
    "history_entries": "Change history entries",
    "holds": "Holds",
    "validation_issues": "NIS validation issues",
    "nis_packages": "NIS packages (files)",
}


@dataclass(frozen=True)
class KindCount:
    kind: str
    label: str
    count: int


def kind_counts(counts: dict[str, Any]) -> list[KindCount]:
    """Counts in a fixed order: the listed kinds first, then any other, by name."""
    order = list(KINDS)
    kinds = sorted(
        counts, key=lambda kind: (order.index(kind) if kind in order else len(order), kind)
    )
    return [
        KindCount(
            kind, KIND_LABELS.get(kind, kind.replace("_", " ").capitalize()), int(counts[kind])
        )
        for kind in kinds
    ]


def _active_run(authority: LocalAuthority) -> PurgeRun | None:
    return PurgeRun.objects.for_authority(authority).filter(status__in=ACTIVE).first()


def _csv_response(filename: str, rows: Iterable[Iterable[Any]]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # For the admin's own disk: never a shared or browser cache.
    response["Cache-Control"] = "no-store"
    writer = csv.writer(response, lineterminator="\r\n")
    for row in rows:
        # LA family IDs were typed by users: every cell is neutralised.
        writer.writerow([spreadsheet_safe(str(cell)) for cell in row])
    return response


# The preview


@permission_required(MANAGE, raise_exception=True)
def preview(request: HttpRequest) -> HttpResponse:
    """As of now: how many rows of each kind a purge would destroy, which families, and which
    families are due but held, with the hold that keeps each."""
    authority = authority_of(request)
    result = purge_preview(authority)
    page = Paginator(result.families, FAMILIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "retention/preview.html",
        {
            "preview": result,
            "counts": kind_counts(result.counts),
            "page": page,
            "active_run": _active_run(authority),
            "today": timezone.localdate(),
        },
    )


@permission_required(MANAGE, raise_exception=True)
def preview_csv(request: HttpRequest) -> HttpResponse:
    """The preview as CSV: the counts, the LA family IDs due, and those held (with why)."""
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    authority = authority_of(request)
    today = timezone.localdate()
    result = purge_preview(authority, today=today)
    audit_record(
        action=AuditAction.PURGE_PREVIEWED,
        actor=actor_of(request),
        obj=authority,
        request=request,
        detail=f"csv: {len(result.families)} due, {len(result.held)} held",
    )
    rows: list[tuple[str, str, Any]] = [PREVIEW_HEADER]
    rows += [("count", row.kind, row.count) for row in kind_counts(result.counts)]
    rows += [("due", family.la_family_id, "") for family in result.families]
    rows += [("held", family.la_family_id, hold.get_kind_display()) for family, hold in result.held]
    return _csv_response(f"purge_preview_{today.isoformat()}.csv", rows)


@permission_required(MANAGE, raise_exception=True)
def purge_confirm(request: HttpRequest) -> HttpResponse:
    """The last step before a run: what it destroys, and a box to tick saying it is final."""
    authority = authority_of(request)
    result = purge_preview(authority)
    if not result.families:
        return render(
            request,
            "message_page.html",
            {
                "message_title": "No families are due for purge",
                "message_body": "No family is past its retention date without a hold, so "
                "there is nothing to purge.",
                "message_link_url": reverse("retention:preview"),
                "message_link_text": "Back to the preview",
            },
        )
    form = PurgeConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            run = purge_request(actor=actor_of(request), authority=authority, request=request)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Purge started: it runs in the background")
            return redirect("retention:run", run.public_id)
    return render(
        request,
        "retention/purge_confirm.html",
        {
            "form": form,
            "families": len(result.families),
            "individuals": int(result.counts.get("individuals", 0)),
            "active_run": _active_run(authority),
        },
    )


# Runs and their certificates


@permission_required(MANAGE, raise_exception=True)
def run_list(request: HttpRequest) -> HttpResponse:
    runs = PurgeRun.objects.for_authority(authority_of(request)).select_related("started_by")
    page = Paginator(runs, RUNS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "retention/run_list.html", {"page": page})


@permission_required(MANAGE, raise_exception=True)
def run_detail(request: HttpRequest, run_id: uuid.UUID) -> HttpResponse:
    """A run: its state and progress, a Stop button while it may still be stopped, and once
    it has ended its certificate. A POST here asks the run to stop."""
    run = run_for(request, run_id)
    can_stop = run.status in ACTIVE and not run.stop_requested
    form = PurgeStopForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not can_stop:
            messages.info(request, "This purge is no longer running: there is nothing to stop")
            return redirect("retention:run", run.public_id)
        if form.is_valid():
            try:
                purge_stop(actor=actor_of(request), run=run, request=request)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, "Stop requested: the purge stops after the family it is working on"
                )
                return redirect("retention:run", run.public_id)
    return render(
        request,
        "retention/run_detail.html",
        {
            "run": run,
            "form": form,
            "can_stop": can_stop,
            "is_active": run.status in ACTIVE,
            "has_certificate": run.status in ENDED,
            "counts": kind_counts(purge_counts(run)),
        },
    )


@permission_required(MANAGE, raise_exception=True)
def certificate_csv(request: HttpRequest, run_id: uuid.UUID) -> HttpResponse:
    """The run's certificate as CSV: counts and a digest of each purged LA family ID, no
    personal data."""
    run = run_for(request, run_id)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    if run.status not in ENDED:
        raise Http404("The purge has not ended: its certificate is not complete")
    audit_record(
        action=AuditAction.PURGE_CERTIFICATE_DOWNLOADED,
        actor=actor_of(request),
        obj=run,
        request=request,
    )
    return _csv_response(f"purge_certificate_{run.public_id}.csv", certificate_rows(run))


# Was family X purged?


@permission_required(MANAGE, raise_exception=True)
def lookup(request: HttpRequest) -> HttpResponse:
    """Checks an LA family ID against the certificates' digests. Says only whether a purge
    took it: never whether a family with that ID exists now."""
    authority = authority_of(request)
    form = PurgedLookupForm(request.POST if request.method == "POST" else None)
    context: dict[str, Any] = {"form": form, "checked": False}
    if request.method == "POST" and form.is_valid():
        la_family_id = form.cleaned_data["la_family_id"].strip()
        context.update(
            checked=True,
            la_family_id=la_family_id,
            purged=purged_lookup(
                actor=actor_of(request),
                authority=authority,
                la_family_id=la_family_id,
                request=request,
            ),
        )
        # A blank form for the next ID; the answer above names this one.
        context["form"] = PurgedLookupForm()
    return render(request, "retention/lookup.html", context)
