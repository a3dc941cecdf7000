"""Assessing a family through the pages: the decision is computed and explained, a manager
may override it, and status moves are allowed or refused with a reason."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from changing_lives.accounts.roles import Role
from changing_lives.audit.models import AuditEvent
from eligibility.models import (
    Assessment,
    CriterionMet,
    Framework,
    Headline,
    Intervention,
    StatusChange,
)
from eligibility.services import authority_framework_set
from families.models import FamilyHistoryEntry, FamilyStatus

pytestmark = pytest.mark.django_db


def criterion(member: int, headline: str, *, indicator: str = "", day: str = "1") -> dict[str, str]:
    """Form data ticking `headline` for member `member` (0 = the eldest), with its evidence."""
    prefix = f"m{member}_{headline}"
    if not indicator:
        indicator = str(
            Headline.objects.get(framework__code="2015-2020", code=headline).indicators.all()[0].pk
        )
    return {
        prefix: "on",
        f"{prefix}_indicator": indicator,
        f"{prefix}_on_0": day, f"{prefix}_on_1": "3", f"{prefix}_on_2": "2025",
        f"{prefix}_source": "school",
        f"{prefix}_note": "Attendance 82% this term",
    }  # fmt: skip


SCREENED = {"screened_on_0": "10", "screened_on_1": "3", "screened_on_2": "2025"}


def assess(client: Client, family, *criteria: dict[str, str]):
    data = dict(SCREENED)
    for item in criteria:
        data |= item
    return client.post(reverse("eligibility:assessment_create", args=[family.public_id]), data)


def test_two_headlines_and_a_child_make_the_family_eligible_and_the_page_says_why(
    client_as, family
) -> None:
    client = client_as(Role.CASEWORKER)
    response = assess(client, family, criterion(0, "HEALTH"), criterion(1, "EDUCATION"))
    assessment = Assessment.objects.get()
    assert response["Location"] == reverse(
        "eligibility:assessment_detail", args=[family.public_id, assessment.public_id]
    )
    assert assessment.eligible is True
    assert assessment.headlines_counted == ["EDUCATION", "HEALTH"]
    assert assessment.framework.code == "2015-2020"
    assert CriterionMet.objects.filter(assessment=assessment).count() == 2
    family.refresh_from_db()
    assert family.status == FamilyStatus.ASSESSED
    change = StatusChange.objects.get()
    assert (change.from_status, change.to_status, change.effective_on) == (
        "referred", "assessed", datetime.date(2025, 3, 10),
    )  # fmt: skip
    page = client.get(response["Location"]).content.decode()
    assert '<h1 class="govuk-heading-l">Eligible</h1>' in page
    assert "Includes a dependent child: Tunde Okafor" in page
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"assessment_recorded", "status_changed"} <= actions
    assert family.history.filter(action=FamilyHistoryEntry.Action.ASSESSED).exists()


def test_a_ticked_headline_needs_its_indicator_date_and_source(client_as, family) -> None:
    response = assess(client_as(Role.CASEWORKER), family, {"m0_CRIME": "on"})
    html = response.content.decode()
    assert response.status_code == 200
    for message in [
        "Select the indicator for Sarah Okafor: Crime and anti-social behaviour",
        "Enter the evidence date for Sarah Okafor: Crime and anti-social behaviour",
        "Select the source of evidence for Sarah Okafor: Crime and anti-social behaviour",
    ]:
        assert message in html
    assert not Assessment.objects.exists()


def test_one_headline_is_not_enough_and_the_family_can_be_confirmed_not_eligible(
    client_as, family
) -> None:
    client = client_as(Role.CASEWORKER)
    assess(client, family, criterion(0, "HEALTH"), criterion(1, "HEALTH"))
    assert Assessment.objects.get().eligible is False
    refused = client.post(
        reverse("eligibility:start_support", args=[family.public_id]),
        {"on_0": "11", "on_1": "3", "on_2": "2025", "intensity": "STANDARD",
         "lead_professional": family.local_authority.users.first().pk},
    )  # fmt: skip
    assert "Support cannot start for this family: it is not eligible" in refused.content.decode()
    assert not Intervention.objects.exists()
    client.post(
        reverse("eligibility:confirm_not_eligible", args=[family.public_id]),
        {"on_0": "11", "on_1": "3", "on_2": "2025"},
    )
    family.refresh_from_db()
    assert family.status == FamilyStatus.NOT_ELIGIBLE


def test_support_starts_then_the_case_closes_with_dates_in_order(
    client_as, make_user, family
) -> None:
    lead = make_user(Role.CASEWORKER, first_name="Lee", last_name="Lead")
    client = client_as(Role.CASEWORKER)
    assess(client, family, criterion(0, "HEALTH"), criterion(1, "EDUCATION"))
    client.post(
        reverse("eligibility:start_support", args=[family.public_id]),
        {"on_0": "1", "on_1": "4", "on_2": "2025", "intensity": "INTENSIVE",
         "lead_professional": lead.pk},
    )  # fmt: skip
    family.refresh_from_db()
    assert family.status == FamilyStatus.INTERVENTION
    assert family.lead_professional == lead
    intervention = Intervention.objects.get()
    assert (intervention.started_on, intervention.intensity) == (
        datetime.date(2025, 4, 1),
        "INTENSIVE",
    )

    close = reverse("eligibility:close", args=[family.public_id])
    early = client.post(
        close, {"on_0": "1", "on_1": "3", "on_2": "2025", "end_reason": "outcomes_achieved"}
    )
    assert "must be the same as or after the date screened" in early.content.decode()
    early = client.post(
        close, {"on_0": "20", "on_1": "3", "on_2": "2025", "end_reason": "outcomes_achieved"}
    )
    assert "Support end date must be the same as or after the start date" in early.content.decode()
    client.post(
        close, {"on_0": "30", "on_1": "9", "on_2": "2025", "end_reason": "outcomes_achieved"}
    )
    family.refresh_from_db()
    intervention.refresh_from_db()
    assert family.status == FamilyStatus.CLOSED
    assert family.case_closed_on == intervention.ended_on == datetime.date(2025, 9, 30)
    assert intervention.end_reason == "outcomes_achieved"
    moves = list(StatusChange.objects.order_by("id").values_list("to_status", flat=True))
    assert moves == ["assessed", "intervention", "closed"]


def test_only_a_team_manager_can_override_and_must_say_why(client_as, family) -> None:
    assess(client_as(Role.CASEWORKER), family, criterion(0, "HEALTH"))
    assessment = Assessment.objects.get()
    url = reverse("eligibility:assessment_override", args=[family.public_id, assessment.public_id])
    assert (
        client_as(Role.CASEWORKER).post(url, {"eligible": "True", "reason": "x"}).status_code == 403
    )
    manager = client_as(Role.TEAM_MANAGER)
    assert (
        "Enter the reason for the override"
        in manager.post(url, {"eligible": "True"}).content.decode()
    )
    manager.post(url, {"eligible": "True", "reason": "Police intelligence not yet on record"})
    assessment.refresh_from_db()
    assert (assessment.eligible, assessment.effective_eligible) == (False, True)
    assert assessment.override_reason == "Police intelligence not yet on record"
    page = manager.get(
        reverse("eligibility:assessment_detail", args=[family.public_id, assessment.public_id])
    )
    assert "Overridden" in page.content.decode()
    assert "the rules decided not eligible" in page.content.decode()


def test_an_override_whose_manager_is_gone_still_shows(client_as, family) -> None:
    """The manager's account deleted (or demo data made without one): the override shows,
    without a name, on the assessment and on the overview."""
    assess(client_as(Role.CASEWORKER), family, criterion(0, "HEALTH"))
    assessment = Assessment.objects.get()
    Assessment.objects.filter(pk=assessment.pk).update(
        override_eligible=True,
        override_reason="Police intelligence not yet on record",
        overridden_by=None,
        overridden_at=timezone.now(),
    )
    manager = client_as(Role.TEAM_MANAGER)
    page = manager.get(
        reverse("eligibility:assessment_detail", args=[family.public_id, assessment.public_id])
    )
    assert page.status_code == 200
    assert "<strong>Overridden</strong> on" in page.content.decode()
    overview = manager.get(reverse("eligibility:overview"))
    assert overview.status_code == 200
    assert family.la_family_id in overview.content.decode()


def test_an_acted_on_decision_cannot_be_overridden(client_as, family) -> None:
    client = client_as(Role.CASEWORKER)
    assess(client, family, criterion(0, "HEALTH"))
    client.post(
        reverse("eligibility:confirm_not_eligible", args=[family.public_id]),
        {"on_0": "11", "on_1": "3", "on_2": "2025"},
    )
    assessment = Assessment.objects.get()
    response = client_as(Role.TEAM_MANAGER).post(
        reverse("eligibility:assessment_override", args=[family.public_id, assessment.public_id]),
        {"eligible": "True", "reason": "Changed my mind"},
    )
    assert "This decision has been acted on" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.override_eligible is None


def test_reassessing_during_support_keeps_the_status_and_the_earlier_assessment(
    client_as, make_user, family
) -> None:
    client = client_as(Role.CASEWORKER)
    assess(client, family, criterion(0, "HEALTH"), criterion(1, "EDUCATION"))
    client.post(
        reverse("eligibility:start_support", args=[family.public_id]),
        {"on_0": "1", "on_1": "4", "on_2": "2025", "intensity": "LIGHT",
         "lead_professional": make_user(Role.CASEWORKER).pk},
    )  # fmt: skip
    form = client.get(reverse("eligibility:assessment_create", args=[family.public_id])).context[
        "form"
    ]
    assert form.initial["m0_HEALTH"] is True  # the reassessment starts from the last one
    assess(client, family, criterion(0, "HEALTH"))
    family.refresh_from_db()
    assert family.status == FamilyStatus.INTERVENTION
    assert Assessment.objects.count() == 2
    page = client.get(reverse("families:detail", args=[family.public_id])).content.decode()
    assert "Earlier assessments" in page


def test_an_assessment_keeps_its_framework_when_the_authority_changes(
    client_as, make_user, family
) -> None:
    client = client_as(Role.CASEWORKER)
    assess(client, family, criterion(0, "HEALTH"), criterion(1, "EDUCATION"))
    authority_framework_set(
        authority=family.local_authority,
        framework=Framework.objects.get(code="2022-2025"),
        actor=make_user(Role.ADMIN),
    )
    form = client.get(reverse("eligibility:assessment_create", args=[family.public_id])).context[
        "form"
    ]
    assert "m0_FAMILY_RELATIONSHIPS" in form.fields
    assert "m0_FINANCIAL_EXCLUSION" not in form.fields
    assert Assessment.objects.get().framework.code == "2015-2020"


def test_the_admin_chooses_the_framework(client_as, authority) -> None:
    client = client_as(Role.ADMIN)
    framework = Framework.objects.get(code="2022-2025")
    response = client.post(reverse("eligibility:framework"), {"framework": framework.pk})
    assert response.status_code == 302
    assert authority.framework_choice.framework == framework
    assert client_as(Role.CASEWORKER).get(reverse("eligibility:framework")).status_code == 403


def test_the_family_page_offers_the_moves_the_status_allows(client_as, family) -> None:
    client = client_as(Role.CASEWORKER)
    url = reverse("families:detail", args=[family.public_id])
    assert "Assess the family" in client.get(url).content.decode()
    assert "Start support" not in client.get(url).content.decode()
    assess(client, family, criterion(0, "HEALTH"), criterion(1, "EDUCATION"))
    html = client.get(url).content.decode()
    assert "Start support" in html
    assert "Place in comparison group" in html
    assert "Confirm not eligible" not in html


def test_closing_a_comparison_family_gives_its_case_both_dates(client_as, family) -> None:
    client = client_as(Role.CASEWORKER)
    assess(client, family, criterion(0, "HEALTH"), criterion(1, "EDUCATION"))
    for url, data in [
        ("eligibility:place_in_comparison", {}),
        ("eligibility:close", {"end_reason": "moved_away"}),
    ]:
        client.post(reverse(url, args=[family.public_id]),
                    {"on_0": "20", "on_1": "3", "on_2": "2025"} | data)  # fmt: skip
    family.refresh_from_db()
    assert family.status == FamilyStatus.CLOSED
    assert (family.case_opened_on, family.case_closed_on) == (
        datetime.date(2025, 3, 10), datetime.date(2025, 3, 20),
    )  # fmt: skip
    family.full_clean()
