"""The programme overview: counts by status, headline and quarter, for managers and data
officers of the authority only."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from changing_lives.accounts.roles import Role
from eligibility.models import Assessment, Framework
from families.models import FamilyStatus
from tests.factories import FamilyFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.TEAM_MANAGER, 200), (Role.DATA_OFFICER, 200), (Role.CASEWORKER, 403), (Role.ADMIN, 403)],
)
def test_who_sees_the_overview(role, status, client_as) -> None:
    assert client_as(role).get(reverse("eligibility:overview")).status_code == status


def test_the_overview_counts_this_authoritys_families_only(
    client_as, authority, other_authority
) -> None:
    framework = Framework.objects.get(code="2015-2020")
    today = datetime.date.today()
    for status, headlines, eligible in [
        (FamilyStatus.INTERVENTION, ["CRIME", "HEALTH"], True),
        (FamilyStatus.INTERVENTION, ["HEALTH", "EDUCATION"], True),
        (FamilyStatus.NOT_ELIGIBLE, ["HEALTH"], False),
    ]:
        family = FamilyFactory.create(local_authority=authority, status=status)
        Assessment.objects.create(
            family=family, framework=framework, framework_version=1, screened_on=today,
            eligible=eligible, headlines_counted=headlines,
        )  # fmt: skip
    FamilyFactory.create(local_authority=other_authority, status=FamilyStatus.INTERVENTION)

    context = client_as(Role.TEAM_MANAGER).get(reverse("eligibility:overview")).context
    by_status = {bar.label: bar.value for bar in context["by_status"]}
    assert by_status["Eligible: intervention"] == 2
    assert by_status["Not eligible"] == 1
    (bars,) = context["by_headline"].values()
    by_headline = {bar.label: bar.value for bar in bars}
    assert by_headline["Health"] == 3
    assert by_headline["Crime and anti-social behaviour"] == 1
    this_quarter = context["by_quarter"][-1]
    assert (this_quarter.eligible, this_quarter.not_eligible) == (2, 1)
    assert context["override_count"] == 0


def test_the_overview_reports_overridden_decisions(client_as, make_user, family) -> None:
    manager = make_user(Role.TEAM_MANAGER)
    assessment = Assessment.objects.create(
        family=family, framework=Framework.objects.get(code="2015-2020"), framework_version=1,
        screened_on=datetime.date.today(), eligible=False, override_eligible=True,
        override_reason="Evidence from the police", overridden_by=manager,
        overridden_at=timezone.now(),
    )  # fmt: skip
    response = client_as(Role.DATA_OFFICER).get(reverse("eligibility:overview"))
    assert list(response.context["overrides"]) == [assessment]
    assert "1 decision overridden by a team manager" in response.content.decode()
