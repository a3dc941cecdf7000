"""Assessing a family, seeing the decision and why, and a manager's override."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from changing_lives.pages.forms import add_service_errors
from eligibility import services
from eligibility.access import assessment_for
from eligibility.forms import AssessmentForm, OverrideForm
from eligibility.models import CriterionMet
from families.access import family_for


@permission_required("eligibility.add_assessment", raise_exception=True)
def assessment_create(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    family = family_for(request, public_id)
    framework = services.framework_for(family.local_authority)
    form = AssessmentForm(
        request.POST or None,
        family=family,
        framework=framework,
        previous=services.latest_assessment(family),
    )
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_record(
                actor=request.user,  # type: ignore[arg-type]
                family=family,
                screened_on=form.cleaned_data["screened_on"],
                criteria=form.criteria(),
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Assessment recorded")
            return redirect("eligibility:assessment_detail", family.public_id, assessment.public_id)
    return render(
        request,
        "eligibility/assessment_form.html",
        {"form": form, "family": family, "framework": framework},
    )


@permission_required("eligibility.view_assessment", raise_exception=True)
def assessment_detail(
    request: HttpRequest, public_id: uuid.UUID, assessment_id: uuid.UUID
) -> HttpResponse:
    family = family_for(request, public_id)
    assessment = assessment_for(family, assessment_id)
    criteria = CriterionMet.objects.filter(assessment=assessment).select_related(
        "individual", "headline", "indicator"
    )
    headlines = list(assessment.framework.headlines.all())
    counted = set(assessment.headlines_counted)
    latest = services.latest_assessment(family)
    return render(
        request,
        "eligibility/assessment_detail.html",
        {
            "family": family,
            "assessment": assessment,
            "criteria": criteria,
            "headlines": [(headline, headline.code in counted) for headline in headlines],
            "is_latest": latest == assessment,
            "can_override": latest == assessment
            and family.status == "assessed"
            and request.user.has_perm("eligibility.override_assessment"),
        },
    )


@permission_required("eligibility.override_assessment", raise_exception=True)
def assessment_override(
    request: HttpRequest, public_id: uuid.UUID, assessment_id: uuid.UUID
) -> HttpResponse:
    family = family_for(request, public_id)
    assessment = assessment_for(family, assessment_id)
    form = OverrideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_override(
                actor=request.user,  # type: ignore[arg-type]
                assessment=assessment,
                eligible=form.cleaned_data["eligible"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Override recorded")
            return redirect("eligibility:assessment_detail", family.public_id, assessment.public_id)
    return render(
        request,
        "eligibility/assessment_override.html",
        {"form": form, "family": family, "assessment": assessment},
    )
