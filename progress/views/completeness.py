"""How complete each period's returns are, for data officers and team managers: every
ended period, one period by measure, family and member, and a download of its gaps."""

import csv
from collections.abc import Iterator

from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from changing_lives.accounts.access import authority_of
from changing_lives.audit.actions import AuditAction
from changing_lives.audit.services import audit_record
from changing_lives.authorities.models import LocalAuthority
from changing_lives.csv_safety import spreadsheet_safe
from progress.access import period_starting
from progress.completeness import (
    Gap,
    gaps_by_whom,
    gaps_iter,
    period_completeness,
    periods_ended,
)
from progress.models import Period

PERIODS_PER_PAGE = 8
FAMILIES_PER_PAGE = 50
# LA identifiers, measures and the return's state only: the file leaves the product, so it
# carries no names, dates of birth or national identifiers.
GAPS_CSV_HEADER = (
    "la_family_id",
    "la_individual_id",
    "measure_code",
    "measure_label",
    "return_status",
)


@permission_required("progress.view_completeness", raise_exception=True)
def periods(request: HttpRequest) -> HttpResponse:
    """Every ended period, newest first, with how complete its returns are."""
    authority = authority_of(request)
    today = timezone.localdate()
    page = Paginator(periods_ended(today), PERIODS_PER_PAGE).get_page(request.GET.get("page"))
    rows = []
    for period in page.object_list:
        completeness = period_completeness(authority, period)
        rows.append({"completeness": completeness, "overdue": completeness.is_overdue(today)})
    return render(request, "progress/periods.html", {"page": page, "rows": rows})


@permission_required("progress.view_completeness", raise_exception=True)
def period_detail(request: HttpRequest, period_start: str) -> HttpResponse:
    """One period: its figures, by measure, by family (a page at a time), and the gaps of
    the families on the page."""
    authority = authority_of(request)
    period = period_starting(period_start)
    completeness = period_completeness(authority, period)
    page = Paginator(completeness.families, FAMILIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "progress/period_detail.html",
        {
            "period": period,
            "completeness": completeness,
            "by_measure": completeness.by_measure(),
            "page": page,
            "gaps": gaps_by_whom(page.object_list),
            "overdue": completeness.is_overdue(timezone.localdate()),
        },
    )


@permission_required("progress.view_completeness", raise_exception=True)
def period_gaps_csv(request: HttpRequest, period_start: str) -> StreamingHttpResponse:
    """Every gap of the period as CSV, streamed: rows are written as the families are read,
    so a large authority's file never sits whole in memory."""
    authority = authority_of(request)
    period = period_starting(period_start)
    # The audit row names the period only: who downloaded which period's gaps, and when.
    audit_record(
        action=AuditAction.PROGRESS_GAPS_DOWNLOADED,
        actor=request.user,
        obj=period,
        request=request,
    )
    response = StreamingHttpResponse(
        _gaps_csv_lines(authority, period), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="fpd-gaps-{period.start_on.isoformat()}.csv"'
    )
    # A list of families with missing data is not for a shared or browser cache.
    response["Cache-Control"] = "no-store"
    return response


class _Echo:
    """A file-like object for csv.writer that hands each written line back, unbuffered."""

    def write(self, value: str) -> str:
        return value


def _gaps_csv_lines(authority: LocalAuthority, period: Period) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(GAPS_CSV_HEADER)
    for gap in gaps_iter(authority, period):
        yield writer.writerow([spreadsheet_safe(cell) for cell in _gap_cells(gap)])


def _gap_cells(gap: Gap) -> tuple[str, ...]:
    return (
        gap.family.la_family_id,
        gap.individual.la_individual_id if gap.individual else "",
        gap.measure.code,
        gap.measure.label,
        gap.status,
    )
