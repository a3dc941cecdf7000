"""NIS pages. Data officers: their authority's submissions, asking for one, its page (state,
progress, what blocks it, counts and hashes), the encrypted package and the validation
report. Admins: the recipient keys every package is encrypted to, shared by all authorities.

Reading a submission goes through nis_export/access.py (another authority's is a 404);
every write goes through a service (nis_export/build.py, nis_export/keys.py).
"""

import csv
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    StreamingHttpResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from changing_lives.accounts.access import authority_of
from changing_lives.accounts.models import User
from changing_lives.audit.actions import AuditAction
from changing_lives.audit.services import audit_record
from changing_lives.csv_safety import spreadsheet_safe
from changing_lives.pages.forms import add_service_errors
from nis_export.access import recipient_key_for, submission_for
from nis_export.build import current_recipient_keys, package_folder, submission_request
from nis_export.forms import RecipientKeyForm, RecipientKeyRetireForm, SubmissionRequestForm
from nis_export.keys import (
    fingerprint_display,
    is_last_current_key,
    recipient_key_add,
    recipient_key_retire,
)
from nis_export.models import (
    IssueSeverity,
    RecipientKey,
    Submission,
    SubmissionStatus,
)

BUILD = "nis_export.build_submission"
MANAGE_KEYS = "nis_export.manage_recipient_keys"

SUBMISSIONS_PER_PAGE = 25
ERRORS_PER_PAGE = 100
WARNINGS_LISTED = 100
REPORT_NAME = "validation_report.csv"
INDIVIDUALS_FILE = "nis_individuals.csv"
# LA identifiers and the problem only: the report may be read beside the package, so it
# carries no names, dates of birth or national identifiers.
REPORT_HEADER = ("severity", "code", "message", "la_family_id", "la_individual_id")
# The statuses in which a build has finished checking the records: its issues are whole.
CHECKED = (SubmissionStatus.BLOCKED, SubmissionStatus.READY, SubmissionStatus.EXPIRED)

EXCLUSION_REASONS = {
    "objected": "Objected to the National Impact Study (opted out)",
}


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _downloadable(submission: Submission) -> bool:
    # Past its expiry the file is due for deletion: refused even before the task runs.
    return submission.is_downloadable and (
        submission.expires_at is None or submission.expires_at > timezone.now()
    )


# Submissions (data officers of the authority)


@dataclass(frozen=True)
class SubmissionRow:
    submission: Submission

    @property
    def rows(self) -> str:
        """The individuals in the file once built; while building, how far it has got."""
        submission = self.submission
        individuals = submission.manifest.get("files", {}).get(INDIVIDUALS_FILE)
        if individuals is not None:
            return str(individuals.get("rows", 0))
        if submission.status == SubmissionStatus.BUILDING:
            return f"{submission.rows_done} of {submission.rows_total} checked"
        return "Not counted"


@permission_required(BUILD, raise_exception=True)
def submission_list(request: HttpRequest) -> HttpResponse:
    """The authority's submissions, newest first, and the form that asks for a new one."""
    authority = authority_of(request)
    form = SubmissionRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            submission = submission_request(
                actor=_actor(request),
                authority=authority,
                snapshot_on=form.cleaned_data["snapshot_on"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Submission requested: it is built in the background")
            return redirect("nis_export:submission", submission.public_id)
    submissions = Submission.objects.for_authority(authority).select_related("requested_by")
    page = Paginator(submissions, SUBMISSIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "nis_export/submission_list.html",
        {
            "form": form,
            "page": page,
            "rows": [SubmissionRow(submission) for submission in page.object_list],
            "has_key": bool(current_recipient_keys()),
        },
    )


@dataclass(frozen=True)
class FileRow:
    name: str
    rows: int
    sha256: str


def _manifest_files(manifest: dict[str, Any]) -> list[FileRow]:
    return [
        FileRow(name, int(facts.get("rows", 0)), str(facts.get("sha256", "")))
        for name, facts in sorted(manifest.get("files", {}).items())
    ]


def _exclusions(manifest: dict[str, Any]) -> list[tuple[str, int]]:
    return [
        (EXCLUSION_REASONS.get(reason, reason), int(count))
        for reason, count in sorted(manifest.get("exclusions", {}).items())
    ]


@permission_required(BUILD, raise_exception=True)
def submission_detail(request: HttpRequest, submission_id: uuid.UUID) -> HttpResponse:
    """One submission: what state it is in and what that means, and what the state has to
    show (progress, the reason it failed, the errors to fix, the counts and hashes)."""
    submission = submission_for(request, submission_id)
    context: dict[str, Any] = {
        "submission": submission,
        "downloadable": _downloadable(submission),
        "is_active": submission.status in (SubmissionStatus.QUEUED, SubmissionStatus.BUILDING),
        "checked": submission.status in CHECKED,
        "show_manifest": submission.status in (SubmissionStatus.READY, SubmissionStatus.EXPIRED),
    }
    if context["checked"]:
        issues = submission.issues.select_related("family")
        counts = {
            row["severity"]: row["n"]
            for row in submission.issues.order_by().values("severity").annotate(n=Count("id"))
        }
        errors = issues.filter(severity=IssueSeverity.ERROR)
        context.update(
            error_count=counts.get(IssueSeverity.ERROR, 0),
            warning_count=counts.get(IssueSeverity.WARNING, 0),
            page=Paginator(errors, ERRORS_PER_PAGE).get_page(request.GET.get("page")),
            warnings=list(issues.filter(severity=IssueSeverity.WARNING)[:WARNINGS_LISTED]),
            warnings_listed=WARNINGS_LISTED,
        )
    if context["show_manifest"]:
        context.update(
            files=_manifest_files(submission.manifest),
            exclusions=_exclusions(submission.manifest),
        )
    return render(request, "nis_export/submission_detail.html", context)


@permission_required(BUILD, raise_exception=True)
def submission_download(request: HttpRequest, submission_id: uuid.UUID) -> HttpResponseBase:
    """The encrypted package, streamed from disk; audited with its SHA-256."""
    submission = submission_for(request, submission_id)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    if not _downloadable(submission):
        raise Http404("No package to download")
    try:
        package = (package_folder(submission) / submission.package_name).open("rb")
    except FileNotFoundError:
        raise Http404("No package to download") from None
    audit_record(
        action=AuditAction.NIS_DOWNLOADED,
        actor=_actor(request),
        obj=submission,
        request=request,
        detail=f"{submission.package_name} sha256={submission.package_sha256}",
    )
    response = FileResponse(
        package,
        as_attachment=True,
        filename=submission.package_name,
        content_type="application/octet-stream",
    )
    # The package is for the data officer's own disk, never a shared or browser cache.
    response["Cache-Control"] = "no-store"
    return response


@permission_required(BUILD, raise_exception=True)
def validation_report(request: HttpRequest, submission_id: uuid.UUID) -> HttpResponseBase:
    """Every error and warning of a checked submission as CSV, streamed."""
    submission = submission_for(request, submission_id)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    if submission.status not in CHECKED:
        raise Http404("The records have not been checked yet")
    audit_record(
        action=AuditAction.NIS_REPORT_DOWNLOADED,
        actor=_actor(request),
        obj=submission,
        request=request,
        detail=REPORT_NAME,
    )
    response = StreamingHttpResponse(
        _report_lines(submission), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{REPORT_NAME}"'
    response["Cache-Control"] = "no-store"
    return response


class _Echo:
    """A file-like object for csv.writer that hands each written line back, unbuffered."""

    def write(self, value: str) -> str:
        return value


def _report_lines(submission: Submission) -> Iterator[str]:
    writer = csv.writer(_Echo(), lineterminator="\r\n")
    yield writer.writerow(REPORT_HEADER)
    rows = submission.issues.values_list(*REPORT_HEADER).iterator(chunk_size=2000)
    for row in rows:
        # Messages are the product's, but the IDs were typed by users: neutralise them all.
        yield writer.writerow([spreadsheet_safe(cell) for cell in row])


# Recipient keys (admins; platform-wide)


@dataclass(frozen=True)
class KeyRow:
    key: RecipientKey
    fingerprint: str
    expired: bool


@permission_required(MANAGE_KEYS, raise_exception=True)
def key_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    rows = [
        KeyRow(
            key,
            fingerprint_display(key.fingerprint),
            expired=key.expires_at is not None and key.expires_at <= now,
        )
        for key in RecipientKey.objects.select_related("added_by")
    ]
    return render(
        request,
        "nis_export/key_list.html",
        {"rows": rows, "has_current": any(not r.expired and not r.key.retired_at for r in rows)},
    )


@permission_required(MANAGE_KEYS, raise_exception=True)
def key_add(request: HttpRequest) -> HttpResponse:
    bound = request.method == "POST"
    form = RecipientKeyForm(request.POST if bound else None, request.FILES if bound else None)
    if request.method == "POST" and form.is_valid():
        try:
            key = recipient_key_add(
                actor=_actor(request), armored=form.armored_key, request=request
            )
        except ValidationError as error:
            # Shown on the field the key came from, so the summary links to it.
            form.add_error(form.source_field, error)
        else:
            messages.success(request, f"Key {fingerprint_display(key.fingerprint)} added")
            return redirect("nis_export:keys")
    return render(request, "nis_export/key_add.html", {"form": form})


@permission_required(MANAGE_KEYS, raise_exception=True)
def key_retire(request: HttpRequest, fingerprint: str) -> HttpResponse:
    key = recipient_key_for(fingerprint)
    shown = fingerprint_display(key.fingerprint)
    if key.retired_at is not None:
        return render(
            request,
            "message_page.html",
            {
                "message_title": f"Key {shown} is already retired",
                "message_body": "No package is encrypted to it any more.",
                "message_link_url": reverse("nis_export:keys"),
                "message_link_text": "Back to recipient keys",
            },
        )
    # Bound on any POST: the form has no fields, so a POST may carry no data to bind.
    form = RecipientKeyRetireForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            recipient_key_retire(actor=_actor(request), key=key, request=request)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Key {shown} retired")
            return redirect("nis_export:keys")
    return render(
        request,
        "nis_export/key_retire.html",
        {"form": form, "key": key, "fingerprint": shown, "is_last": is_last_current_key(key)},
    )
