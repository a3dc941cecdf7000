"""An admin adds the recipient's key by pasting it; a data officer asks for a submission,
is told what is wrong with a future date, builds it, sees it ready and downloads the
package. Every page passes axe-core."""

import datetime
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from changing_lives.accounts.roles import Role
from eligibility.models import Assessment, Framework
from families.models import Family
from nis_export.build import package_folder, submission_run
from nis_export.keys import fingerprint_display
from nis_export.models import RecipientKey, Submission, SubmissionStatus
from tests.browser.conftest import sign_in
from tests.nis_export.keys import KeyPair, make_key, remove

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


class QueuedTasks:
    """Stands in for the Celery task: no worker runs in this test, and nothing may reach
    the shared Redis queue, where another test session's worker could take it."""

    def __init__(self) -> None:
        self.ids: list[int] = []

    def delay(self, submission_id: int) -> None:
        self.ids.append(submission_id)


@pytest.fixture
def ons() -> Iterator[KeyPair]:
    pair = make_key("ONS NIS test <nis@ons.example>")
    yield pair
    remove(pair)


@pytest.fixture
def queued(monkeypatch: pytest.MonkeyPatch) -> QueuedTasks:
    tasks = QueuedTasks()
    monkeypatch.setattr("nis_export.tasks.build_submission", tasks)
    return tasks


def fill_date(page: Page, day: datetime.date) -> None:
    page.locator("#id_snapshot_on_0").fill(str(day.day))
    page.locator("#id_snapshot_on_1").fill(str(day.month))
    page.locator("#id_snapshot_on_2").fill(str(day.year))


def test_an_admin_adds_a_key_then_a_data_officer_builds_and_downloads_a_submission(
    page: Page,
    family: Family,
    make_user,
    assert_accessible,
    ons: KeyPair,
    queued: QueuedTasks,
    settings,
    tmp_path: Path,
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    Assessment.objects.create(
        family=family, framework=Framework.objects.get(code="2015-2020"), framework_version=1,
        screened_on=datetime.date(2024, 5, 1), eligible=False,
    )  # fmt: skip

    # The admin adds the recipient's key by pasting it.
    sign_in(page, make_user(Role.ADMIN))
    page.goto("/nis/keys/")
    expect(page.get_by_text("No current key")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Add a key").click()
    page.get_by_label("Or paste the key").fill(ons.public)
    page.get_by_role("button", name="Add key").click()
    fingerprint = fingerprint_display(RecipientKey.objects.get().fingerprint)
    expect(page.get_by_role("row", name=fingerprint)).to_contain_text("Current")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "National Impact Study recipient keys"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    # A data officer asks for a submission: first for tomorrow, which is refused.
    sign_in(page, make_user(Role.DATA_OFFICER))
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="NIS submissions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("National Impact Study submissions")
    assert_accessible(page)
    today = datetime.date.today()
    fill_date(page, today + datetime.timedelta(days=1))
    page.get_by_role("button", name="Build a submission").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Snapshot date must be today or in the past")
    assert_accessible(page)

    fill_date(page, today)
    page.get_by_role("button", name="Build a submission").click()
    expect(page.get_by_text("Submission requested")).to_be_visible()
    expect(page.locator(".govuk-tag", has_text="Queued")).to_be_visible()
    submission = Submission.objects.get()
    assert queued.ids == [submission.pk]

    # The worker's part, run here; then the refresh link shows the result.
    assert submission_run(submission.pk) == SubmissionStatus.READY
    page.get_by_role("link", name="Refresh this page").click()
    expect(page.locator(".govuk-tag", has_text="Ready to download")).to_be_visible()
    submission.refresh_from_db()
    expect(page.locator("#package-sha256")).to_have_text(submission.package_sha256)
    assert_accessible(page)

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download the encrypted package").click()
    download = download_info.value
    assert download.suggested_filename == submission.package_name
    saved = Path(download.path())
    assert saved.read_bytes() == (package_folder(submission) / submission.package_name).read_bytes()
