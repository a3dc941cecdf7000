"""Each family's retention date is stored and kept current when an input changes."""

import datetime

import pytest
from django.urls import reverse

from changing_lives.accounts.roles import Role
from changing_lives.audit.models import AuditEvent
from changing_lives.retention.models import HoldKind
from changing_lives.retention.services import (
    hold_lift,
    hold_place,
    retention_refresh,
    retention_settings_update,
)
from eligibility.models import Assessment, Framework, Intervention
from families.models import Family
from tests.factories import FamilyFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def test_refresh_uses_the_latest_screening_support_end_and_closure(family: Family) -> None:
    retention_refresh(Family.objects.filter(pk=family.pk))
    family.refresh_from_db()
    assert family.retention_on == D(2032, 4, 1)  # referred 1 April 2024, never screened
    Assessment.objects.create(
        family=family, framework=Framework.objects.get(code="2015-2020"), framework_version=1,
        screened_on=D(2024, 5, 1), eligible=True,
    )  # fmt: skip
    Intervention.objects.create(
        family=family, started_on=D(2024, 6, 1), ended_on=D(2025, 3, 31), intensity="LIGHT"
    )
    retention_refresh([family])
    family.refresh_from_db()
    assert family.retention_on == D(2033, 3, 31)


def test_changing_the_rule_recomputes_every_family_and_is_audited(make_user, authority) -> None:
    families = [FamilyFactory.create(local_authority=authority) for _ in range(3)]
    admin = make_user(Role.ADMIN)
    retention_settings_update(
        actor=admin, authority=authority, retention_years=6, destroy_by=D(2029, 12, 31),
        nightly_purge=False,
    )  # fmt: skip
    for family in families:
        family.refresh_from_db()
        assert family.retention_on == D(2029, 12, 31)  # 2024 + 6 = 2030, destroy-by is earlier
    assert AuditEvent.objects.filter(action="retention_settings_changed").count() == 1


def test_a_page_that_changes_an_input_refreshes_the_date(client_as, family) -> None:
    client = client_as(Role.CASEWORKER)
    client.post(
        reverse("families:edit", args=[family.public_id]),
        {
            "referred_on_0": "1", "referred_on_1": "4", "referred_on_2": "2024",
            "case_opened_on_0": "1", "case_opened_on_1": "5", "case_opened_on_2": "2024",
            "case_closed_on_0": "1", "case_closed_on_1": "9", "case_closed_on_2": "2025",
            "address_line_1": "0 Test Street", "town": "Bristol", "postcode": "BS1 4DJ",
        },
    )  # fmt: skip
    family.refresh_from_db()
    assert family.retention_on == D(2033, 9, 1)


def test_holds_need_a_reason_to_be_placed_and_lifted(make_user, family) -> None:
    admin = make_user(Role.ADMIN)
    hold = hold_place(actor=admin, family=family, kind=HoldKind.LEGAL_HOLD, reason="Litigation")
    assert family.holds.open().count() == 1
    with pytest.raises(Exception, match="reason"):
        hold_lift(actor=admin, hold=hold, reason=" ")
    hold_lift(actor=admin, hold=hold, reason="Case settled")
    assert family.holds.open().count() == 0
    assert list(AuditEvent.objects.values_list("action", flat=True).order_by("id")) == [
        "hold_placed", "hold_lifted",
    ]  # fmt: skip
