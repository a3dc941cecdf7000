"""Reference data pages (admins): the periods and measures every authority shares, adding a
period, moving its due date, adding, retiring and restoring a measure.

These are platform pages, not an authority's records: any admin reaches them, and what they
change applies to every authority (each page says so).
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from changing_lives.accounts.models import User
from changing_lives.pages.forms import add_service_errors
from progress import reference
from progress.access import measure_coded, period_starting
from progress.models import Measure, MeasureLevel, Period
from progress.reference import long_date
from progress.reference_forms import (
    MeasureAddForm,
    MeasureRestoreForm,
    MeasureRetireForm,
    PeriodAddForm,
    PeriodDueForm,
)

MANAGE = "progress.manage_progress_reference"


@dataclass(frozen=True)
class MeasureRow:
    measure: Measure
    ages: str
    # "In use", "Retired", or "Retiring" for a retirement date still to come.
    status: str
    retired_from: str = ""

    @property
    def retired(self) -> bool:
        return self.measure.retired_on is not None


def ages_text(measure: Measure) -> str:
    """The ages an individual measure is asked at, as people say them."""
    if measure.level == MeasureLevel.FAMILY:
        return "Not applicable"
    low, high = measure.min_age, measure.max_age
    if low is None and high is None:
        return "All ages"
    if high is None:
        return f"{low} and over"
    if low is None:
        return f"{high} and under"
    return f"{low} to {high}"


def _measure_row(measure: Measure, today: datetime.date) -> MeasureRow:
    retired_on = measure.retired_on
    if retired_on is None:
        return MeasureRow(measure, ages_text(measure), status="In use")
    status = "Retiring" if retired_on > today else "Retired"
    return MeasureRow(measure, ages_text(measure), status, retired_from=long_date(retired_on))


@permission_required(MANAGE, raise_exception=True)
def reference_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "progress/reference.html",
        {
            "periods": Period.objects.order_by("-start_on"),
            "due_days": settings.FPD_RETURN_DUE_DAYS,
            "measure_rows": [_measure_row(m, today) for m in Measure.objects.order_by("order")],
        },
    )


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


@permission_required(MANAGE, raise_exception=True)
def period_add(request: HttpRequest) -> HttpResponse:
    form = PeriodAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            period = reference.period_add(
                actor=_actor(request), request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"{period.label} added: returns due by {long_date(period.due_on)}"
            )
            return redirect("progress:reference")
    return render(request, "progress/reference_period_add.html", {"form": form})


@permission_required(MANAGE, raise_exception=True)
def period_due(request: HttpRequest, period_start: str) -> HttpResponse:
    period = period_starting(period_start)
    form = PeriodDueForm(request.POST or None, initial={"due_on": period.due_on})
    if request.method == "POST" and form.is_valid():
        try:
            reference.period_change_due(
                actor=_actor(request),
                period=period,
                due_on=form.cleaned_data["due_on"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"{period.label}: returns now due by {long_date(period.due_on)}"
            )
            return redirect("progress:reference")
    return render(request, "progress/reference_period_due.html", {"form": form, "period": period})


@permission_required(MANAGE, raise_exception=True)
def measure_add(request: HttpRequest) -> HttpResponse:
    form = MeasureAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            measure = reference.measure_add(
                actor=_actor(request), request=request, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Measure {measure.code} added: “{measure.label}”")
            return redirect("progress:reference")
    return render(request, "progress/reference_measure_add.html", {"form": form})


def _nothing_to_do(request: HttpRequest, title: str, body: str) -> HttpResponse:
    return render(
        request,
        "message_page.html",
        {
            "message_title": title,
            "message_body": body,
            "message_link_url": reverse("progress:reference"),
            "message_link_text": "Back to periods and measures",
        },
    )


@permission_required(MANAGE, raise_exception=True)
def measure_retire(request: HttpRequest, measure_code: str) -> HttpResponse:
    measure = measure_coded(measure_code)
    if measure.retired_on is not None:
        return _nothing_to_do(
            request,
            f"{measure.code} is already retired",
            f"It is not asked for periods ending on or after {long_date(measure.retired_on)}. "
            "To change the date, restore it, then retire it again.",
        )
    form = MeasureRetireForm(request.POST or None, initial={"retired_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            reference.measure_retire(
                actor=_actor(request),
                measure=measure,
                retired_on=form.cleaned_data["retired_on"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            assert measure.retired_on is not None
            messages.success(
                request, f"Measure {measure.code} retired from {long_date(measure.retired_on)}"
            )
            return redirect("progress:reference")
    return render(
        request, "progress/reference_measure_retire.html", {"form": form, "measure": measure}
    )


@permission_required(MANAGE, raise_exception=True)
def measure_restore(request: HttpRequest, measure_code: str) -> HttpResponse:
    measure = measure_coded(measure_code)
    if measure.retired_on is None:
        return _nothing_to_do(
            request,
            f"{measure.code} is in use",
            "It is asked for in every period. Only a retired measure can be restored.",
        )
    # Bound on any POST: the form has no fields, so a POST may carry no data to bind.
    form = MeasureRestoreForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            reference.measure_restore(actor=_actor(request), measure=measure, request=request)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Measure {measure.code} restored")
            return redirect("progress:reference")
    return render(
        request, "progress/reference_measure_restore.html", {"form": form, "measure": measure}
    )
