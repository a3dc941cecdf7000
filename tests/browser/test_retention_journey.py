"""A browser journey from preview to certificate: an admin previews the purge, is stopped
at the confirmation until the box is ticked, runs it (the worker's part done here, in
process), reads the run's certificate and downloads it, then finds a purged LA family ID
with the lookup. Every page on the way passes axe-core, the error state included."""

import csv
import datetime
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from changing_lives.accounts.roles import Role
from changing_lives.authorities.models import LocalAuthority
from changing_lives.retention.models import Hold, HoldKind, PurgedFamily, PurgeRun, PurgeStatus
from changing_lives.retention.purge import purge_execute
from families.models import Family
from tests.browser.conftest import sign_in
from tests.factories import FamilyFactory, IndividualFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


class QueuedTasks:
    """Stands in for the Celery task: no worker runs in this test, and nothing may reach
    the shared Redis queue, where another test session's worker could take it."""

    def __init__(self) -> None:
        self.ids: list[int] = []

    def delay(self, run_id: int) -> None:
        self.ids.append(run_id)


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> QueuedTasks:
    tasks = QueuedTasks()
    monkeypatch.setattr("changing_lives.retention.tasks.purge_run", tasks)
    return tasks


def due_family(authority: LocalAuthority, la_family_id: str, members: int) -> Family:
    family = FamilyFactory.create(
        local_authority=authority,
        la_family_id=la_family_id,
        retention_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    IndividualFactory.create_batch(members, family=family, surname="Purgeable")
    return family


def test_an_admin_previews_confirms_and_reads_the_certificate_then_looks_up_a_family(
    page: Page, authority, make_user, assert_accessible, queued: QueuedTasks
) -> None:
    admin = make_user(Role.ADMIN, first_name="Ada", last_name="Admin")
    due_family(authority, "F200001", members=2)
    due_family(authority, "F200002", members=1)
    held = due_family(authority, "F300001", members=1)
    Hold.objects.create(family=held, kind=HoldKind.LEGAL_HOLD, reason="Tribunal", placed_by=admin)

    sign_in(page, admin)
    page.get_by_role("navigation", name="Menu").get_by_role(
        "link", name="Retention and purge"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Retention and purge")
    expect(page.locator("#due-count")).to_have_text("2 families")
    assert_accessible(page)

    # The preview: what would go, and the family a hold keeps.
    page.get_by_role("button", name="Preview the purge").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Preview the purge")
    counts = page.locator("#counts")
    expect(counts.get_by_role("row", name="Families")).to_contain_text("2")
    expect(counts.get_by_role("row", name="Individuals")).to_contain_text("3")
    expect(page.get_by_role("row", name="F200001")).to_be_visible()
    expect(page.get_by_role("row", name="F300001")).to_contain_text("Legal hold")
    assert_accessible(page)

    # The confirmation refuses to start until the box is ticked.
    page.get_by_role("button", name="Run the purge").click()
    expect(page).to_have_title("Run the purge - Changing Lives")
    expect(page.locator("#purge-warning")).to_contain_text(
        "This permanently destroys 2 families and 3 individuals"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Run the purge").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Confirm that you understand the purge cannot be undone")
    expect(page).to_have_title("Error: Run the purge - Changing Lives")
    assert not PurgeRun.objects.exists()
    assert_accessible(page)

    page.get_by_label("I understand this cannot be undone").check()
    page.get_by_role("button", name="Run the purge").click()
    expect(page.get_by_text("Purge started")).to_be_visible()
    expect(page.locator(".govuk-tag", has_text="Queued")).to_be_visible()
    run = PurgeRun.objects.get()
    assert queued.ids == [run.pk]
    assert_accessible(page)

    # The worker's part, run here; then the refresh link shows the certificate.
    assert purge_execute(run).status == PurgeStatus.FINISHED
    page.get_by_role("link", name="Refresh this page").click()
    expect(page.locator(".govuk-tag", has_text="Finished")).to_be_visible()
    expect(page.get_by_role("heading", name="Purge certificate")).to_be_visible()
    expect(page.locator("#families-purged")).to_have_text("2")
    expect(page.locator("#run-by")).to_have_text("Ada Admin")
    expect(
        page.locator("#certificate-counts").get_by_role("row", name="Individuals")
    ).to_contain_text("3")
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download the certificate (CSV)").click()
    download = download_info.value
    assert download.suggested_filename == f"purge_certificate_{run.public_id}.csv"
    text = Path(download.path()).read_text()
    rows = list(csv.reader(text.splitlines()))
    assert set(PurgedFamily.objects.values_list("digest", flat=True)) <= {row[0] for row in rows}
    assert "F200001" not in text
    assert "Purgeable" not in text

    # Later: was F200001 purged, and when? Asked without the product keeping the ID.
    page.get_by_role("link", name="check whether a family was purged").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check whether a family was purged")
    assert_accessible(page)
    page.get_by_label("LA family ID").fill("F200001")
    page.get_by_role("button", name="Check").click()
    expect(page.locator("#lookup-result")).to_contain_text("Purged on")
    expect(page.locator("#lookup-result")).to_contain_text("by the run of")
    assert_accessible(page)
    page.get_by_label("LA family ID").fill("F300001")
    page.get_by_role("button", name="Check").click()
    expect(page.locator("#lookup-result")).to_contain_text(
        "No record of a purge of that LA family ID"
    )
    assert Family.objects.filter(la_family_id="F300001").exists()


def test_an_admin_places_a_hold_from_the_family_page_then_lifts_it(
    page: Page, family: Family, make_user, assert_accessible
) -> None:
    family.retention_on = timezone.localdate() - datetime.timedelta(days=1)
    family.save()
    sign_in(page, make_user(Role.ADMIN, Role.CASEWORKER))
    page.goto(f"/families/{family.public_id}/")
    expect(page.locator("#retention-date")).to_contain_text("Past: due for purge")
    assert_accessible(page)

    page.get_by_role("button", name="Place a hold").click()
    expect(page).to_have_title("Place a hold: family F100001 - Changing Lives")
    page.get_by_role("button", name="Place the hold").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the kind of hold")
    assert_accessible(page)
    page.get_by_label("Legal hold").check()
    page.get_by_label("Why is the family held?").fill("Claim 2024/17")
    page.get_by_role("button", name="Place the hold").click()

    expect(page.get_by_text("Legal hold placed on the family")).to_be_visible()
    expect(page.locator("#retention-date")).to_contain_text("Past: held")
    assert_accessible(page)
    page.get_by_role("link", name="Lift the legal hold").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Lift the legal hold")
    assert_accessible(page)
    page.get_by_label("Why is the hold being lifted?").fill("Claim settled")
    page.get_by_role("button", name="Lift the hold").click()
    expect(page.get_by_text("Legal hold lifted")).to_be_visible()
    expect(page.locator("#retention-date")).to_contain_text("Past: due for purge")
    assert Hold.objects.get().lift_reason == "Claim settled"
