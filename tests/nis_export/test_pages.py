"""NIS submission pages: only the authority's data officers ask for, see and download a
submission; a build is refused without a key or while another is under way; each state
says what it means and shows what it has (progress, reason, errors to fix, counts, hashes);
downloads stream the exact file, are not cached, and are audited with the file's SHA-256."""

import csv
import datetime
import hashlib
import io
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.http import FileResponse, StreamingHttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from changing_lives.accounts.models import User
from changing_lives.accounts.roles import Role
from changing_lives.audit.actions import AuditAction
from changing_lives.audit.models import AuditEvent
from changing_lives.authorities.models import LocalAuthority
from eligibility.models import Assessment, Framework
from families.models import Family, Individual
from nis_export.build import package_folder, submission_run
from nis_export.expiry import submissions_expire
from nis_export.keys import recipient_key_add
from nis_export.models import (
    IssueSeverity,
    RecipientKey,
    Submission,
    SubmissionStatus,
    ValidationIssue,
)
from tests.nis_export.keys import KeyPair, make_key, remove
from tests.signing_in import force_login_verified

OTHER_ROLES = [Role.CASEWORKER, Role.TEAM_MANAGER, Role.ADMIN]
SNAPSHOT = datetime.date(2025, 3, 31)


@pytest.fixture(scope="module")
def ons() -> Iterator[KeyPair]:
    pair = make_key("ONS NIS test <nis@ons.example>")
    yield pair
    remove(pair)


@pytest.fixture
def key(ons: KeyPair, make_user: Callable[..., User]) -> RecipientKey:
    return recipient_key_add(actor=make_user(Role.ADMIN), armored=ons.public)


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def officer(make_user: Callable[..., User]) -> User:
    return make_user(Role.DATA_OFFICER, first_name="Dana", last_name="Officer")


@pytest.fixture
def officer_client(officer: User) -> Client:
    client = Client()
    force_login_verified(client, officer)
    return client


@pytest.fixture
def assessed(family: Family) -> Family:
    """The home family, assessed (not eligible) before the snapshot: it is in the extract."""
    Assessment.objects.create(
        family=family, framework=Framework.objects.get(code="2015-2020"), framework_version=1,
        screened_on=datetime.date(2024, 5, 1), eligible=False,
    )  # fmt: skip
    return family


def a_submission(authority: LocalAuthority, **fields: object) -> Submission:
    fields.setdefault("snapshot_on", SNAPSHOT)
    return Submission.objects.create(local_authority=authority, **fields)


def build(submission: Submission) -> Submission:
    """Run the build in this process, as the Celery task would."""
    submission_run(submission.pk)
    submission.refresh_from_db()
    return submission


def detail(submission: Submission) -> str:
    return reverse("nis_export:submission", args=[submission.public_id])


def download(submission: Submission) -> str:
    return reverse("nis_export:download", args=[submission.public_id])


def report(submission: Submission) -> str:
    return reverse("nis_export:report", args=[submission.public_id])


def summary_of(response) -> str:
    html = response.content.decode()
    assert 'class="govuk-error-summary"' in html, "no error summary on the page"
    start = html.index('class="govuk-error-summary"')
    return html[start : html.index("</ul>", start)]


def request_build(client: Client, day: datetime.date) -> Any:
    return client.post(
        reverse("nis_export:submissions"),
        {"snapshot_on_0": day.day, "snapshot_on_1": day.month, "snapshot_on_2": day.year},
    )


def audited(action: AuditAction) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action.value))


# Who reaches the pages


@pytest.mark.django_db
def test_a_data_officer_opens_the_list_and_a_submission(
    officer_client: Client, authority: LocalAuthority
) -> None:
    submission = a_submission(authority)
    assert officer_client.get(reverse("nis_export:submissions")).status_code == 200
    assert officer_client.get(detail(submission)).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("role", OTHER_ROLES)
def test_other_roles_are_refused_every_submission_page(
    role: Role, client_as, authority: LocalAuthority
) -> None:
    client = client_as(role)
    submission = a_submission(authority, status=SubmissionStatus.BLOCKED)
    for path in (reverse("nis_export:submissions"), detail(submission)):
        assert client.get(path).status_code == 403
    for path in (download(submission), report(submission)):
        assert client.get(path).status_code == 403
    assert client.post(reverse("nis_export:submissions")).status_code == 403
    assert Submission.objects.count() == 1


@pytest.mark.django_db
def test_a_data_officer_of_another_authority_gets_404_on_a_submission_its_download_and_report(
    media: Path, key: RecipientKey, assessed: Family, officer: User, client_as, other_authority
) -> None:
    submission = build(a_submission(assessed.local_authority, requested_by=officer))
    assert submission.status == SubmissionStatus.READY
    outsider = client_as(Role.DATA_OFFICER, local_authority=other_authority)
    for path in (detail(submission), download(submission), report(submission)):
        assert outsider.get(path).status_code == 404
    assert audited(AuditAction.NIS_DOWNLOADED) == audited(AuditAction.NIS_REPORT_DOWNLOADED) == []


@pytest.mark.django_db
def test_data_officers_are_offered_the_submissions_in_the_header(client_as) -> None:
    link = f'href="{reverse("nis_export:submissions")}"'
    assert link in client_as(Role.DATA_OFFICER).get(reverse("pages:home")).content.decode()
    for role in OTHER_ROLES:
        assert link not in client_as(role).get(reverse("pages:home")).content.decode()


# Asking for a build


@pytest.mark.django_db
def test_the_snapshot_date_defaults_to_today(officer_client: Client) -> None:
    form = officer_client.get(reverse("nis_export:submissions")).context["form"]
    assert form["snapshot_on"].value() == timezone.localdate()


@pytest.mark.django_db
def test_without_a_key_the_build_is_refused_in_the_error_summary_and_nothing_is_queued(
    officer_client: Client, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = request_build(officer_client, SNAPSHOT)
    assert response.status_code == 200
    assert "No recipient key is configured" in summary_of(response)
    assert "Error: " in response.content.decode().split("</title>")[0]
    assert callbacks == []
    assert not Submission.objects.exists()
    assert audited(AuditAction.NIS_REQUESTED) == []


@pytest.mark.django_db
def test_a_future_snapshot_date_is_refused_on_its_field(
    officer_client: Client, key: RecipientKey
) -> None:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = request_build(officer_client, tomorrow)
    assert "Snapshot date must be today or in the past" in summary_of(response)
    assert not Submission.objects.exists()


@pytest.mark.django_db
def test_a_missing_snapshot_date_is_refused(officer_client: Client, key: RecipientKey) -> None:
    response = officer_client.post(reverse("nis_export:submissions"), {})
    assert "Enter the snapshot date" in summary_of(response)


@pytest.mark.django_db
def test_with_a_key_a_request_queues_one_build_on_commit(
    officer_client: Client, key: RecipientKey, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = request_build(officer_client, SNAPSHOT)
    submission = Submission.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(submission)
    assert len(callbacks) == 1
    assert submission.status == SubmissionStatus.QUEUED
    assert submission.snapshot_on == SNAPSHOT
    html = officer_client.get(detail(submission)).content.decode()
    assert "Queued" in html
    assert "Not started yet" in html
    assert f'href="{detail(submission)}">Refresh this page</a>' in html
    assert 'http-equiv="refresh"' not in html


@pytest.mark.django_db
def test_a_second_request_while_one_is_queued_is_refused(
    officer_client: Client, key: RecipientKey, django_capture_on_commit_callbacks
) -> None:
    request_build(officer_client, SNAPSHOT)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = request_build(officer_client, SNAPSHOT)
    assert "A submission is already being built" in summary_of(response)
    assert callbacks == []
    assert Submission.objects.count() == 1


# The states


@pytest.mark.django_db
def test_a_ready_submission_shows_counts_exclusions_hashes_and_downloads_the_exact_file(
    media: Path,
    key: RecipientKey,
    ons: KeyPair,
    assessed: Family,
    officer: User,
    officer_client: Client,
    django_capture_on_commit_callbacks,
) -> None:
    objector = assessed.members.get(la_individual_id="I100002")
    Individual.objects.filter(pk=objector.pk).update(
        nis_objection_on=datetime.date(2024, 6, 1), nis_objection_method="letter"
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        request_build(officer_client, SNAPSHOT)
    assert len(callbacks) == 1
    submission = build(Submission.objects.get())
    assert submission.status == SubmissionStatus.READY

    html = officer_client.get(detail(submission)).content.decode()
    assert "Ready to download" in html
    for name, facts in submission.manifest["files"].items():
        assert f"<code>{name}</code>" in html
        assert f"<code>{facts['sha256']}</code>" in html
    assert submission.manifest["files"]["nis_individuals.csv"]["rows"] == 1
    assert "Objected to the National Impact Study (opted out)" in html
    assert submission.package_sha256 in html
    assert submission.expires_at is not None
    assert submission.expires_at.strftime("%-d %B %Y") in html
    assert f'href="{download(submission)}"' in html

    response = officer_client.get(download(submission))
    assert response.status_code == 200
    assert isinstance(response, FileResponse)
    body = b"".join(response.streaming_content)
    on_disk = (package_folder(submission) / submission.package_name).read_bytes()
    assert body == on_disk
    assert hashlib.sha256(body).hexdigest() == submission.package_sha256
    assert response["Content-Disposition"] == f'attachment; filename="{submission.package_name}"'
    assert response["Cache-Control"] == "no-store"
    # The recipient can open it, and it holds what the page says.
    saved = media / "saved.gpg"
    saved.write_bytes(body)
    with zipfile.ZipFile(io.BytesIO(ons.decrypt(saved))) as package:
        individuals = package.read("nis_individuals.csv")
    assert hashlib.sha256(individuals).hexdigest() in html

    [built] = audited(AuditAction.NIS_BUILT)
    assert built.detail == f"{submission.package_name} sha256={submission.package_sha256}"
    [downloaded] = audited(AuditAction.NIS_DOWNLOADED)
    assert downloaded.actor == officer
    assert downloaded.object_id == str(submission.public_id)
    assert downloaded.detail == f"{submission.package_name} sha256={submission.package_sha256}"
    assert len(audited(AuditAction.NIS_REQUESTED)) == 1


@pytest.mark.django_db
def test_a_blocked_submission_links_each_error_to_the_family_and_offers_no_download(
    media: Path, key: RecipientKey, assessed: Family, officer: User, officer_client: Client
) -> None:
    Individual.objects.filter(la_individual_id="I100001").update(forename="")
    Individual.objects.filter(la_individual_id="I100002").update(
        date_of_birth=datetime.date.today() + datetime.timedelta(days=1)
    )
    submission = build(a_submission(assessed.local_authority, requested_by=officer))
    assert submission.status == SubmissionStatus.BLOCKED

    html = officer_client.get(detail(submission)).content.decode()
    assert "Blocked by validation errors" in html
    assert "2 errors to fix" in html
    family_page = reverse("families:detail", args=[assessed.public_id])
    family_link = f'<a class="govuk-link" href="{family_page}">Family F100001</a>'
    assert html.count(family_link) == 2
    assert "I100001" in html
    assert "First name is missing" in html
    assert "I100002" in html
    assert "Date of birth is in the future" in html
    # By LA IDs, never by name.
    assert "Sarah" not in html
    assert "Okafor" not in html
    assert f'href="{download(submission)}"' not in html
    assert f'href="{report(submission)}"' in html
    assert officer_client.get(download(submission)).status_code == 404
    assert not any(media.rglob("*.gpg"))


@pytest.mark.django_db
def test_a_failed_submission_shows_the_reason(
    officer_client: Client, authority: LocalAuthority
) -> None:
    submission = a_submission(
        authority,
        status=SubmissionStatus.FAILED,
        failure_reason="Encryption failed: check the recipient keys, then build again",
    )
    html = officer_client.get(detail(submission)).content.decode()
    assert "Failed" in html
    assert "Encryption failed: check the recipient keys, then build again" in html
    assert officer_client.get(download(submission)).status_code == 404
    assert officer_client.get(report(submission)).status_code == 404


@pytest.mark.django_db
def test_a_building_submission_shows_its_progress(
    officer_client: Client, authority: LocalAuthority
) -> None:
    submission = a_submission(
        authority, status=SubmissionStatus.BUILDING, rows_done=2000, rows_total=5123
    )
    html = officer_client.get(detail(submission)).content.decode()
    assert "2000 of 5123 individuals checked" in html
    assert "Refresh this page" in html
    listing = officer_client.get(reverse("nis_export:submissions")).content.decode()
    assert "2000 of 5123 checked" in listing


@pytest.mark.django_db
def test_an_expired_submission_keeps_its_manifest_but_offers_no_download(
    media: Path, key: RecipientKey, assessed: Family, officer: User, officer_client: Client
) -> None:
    submission = build(a_submission(assessed.local_authority, requested_by=officer))
    Submission.objects.filter(pk=submission.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert submissions_expire() == 1
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.EXPIRED

    html = officer_client.get(detail(submission)).content.decode()
    assert "Expired" in html
    assert submission.manifest["files"]["nis_individuals.csv"]["sha256"] in html
    assert submission.package_sha256 in html
    assert f'href="{download(submission)}"' not in html
    assert "Download the encrypted package" not in html
    assert officer_client.get(download(submission)).status_code == 404
    assert audited(AuditAction.NIS_DOWNLOADED) == []


@pytest.mark.django_db
def test_a_ready_submission_past_its_expiry_is_no_longer_downloadable(
    media: Path, key: RecipientKey, assessed: Family, officer: User, officer_client: Client
) -> None:
    submission = build(a_submission(assessed.local_authority, requested_by=officer))
    Submission.objects.filter(pk=submission.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    html = officer_client.get(detail(submission)).content.decode()
    assert "Download the encrypted package" not in html
    assert officer_client.get(download(submission)).status_code == 404


# Warnings and the validation report


def warnings_for(submission: Submission, family: Family, count: int) -> None:
    ValidationIssue.objects.bulk_create(
        ValidationIssue(
            submission=submission, severity=IssueSeverity.WARNING, code="postcode_missing",
            message="Postcode is missing", family=family, la_family_id=f"F{n:06d}",
            la_individual_id=f"I{n:06d}",
        )
        for n in range(count)
    )  # fmt: skip


@pytest.mark.django_db
def test_warnings_are_counted_and_the_first_hundred_listed(
    officer_client: Client, family: Family
) -> None:
    submission = a_submission(family.local_authority, status=SubmissionStatus.READY)
    warnings_for(submission, family, 150)
    html = officer_client.get(detail(submission)).content.decode()
    assert "150 warnings" in html
    assert "The first 100 are listed here" in html
    assert html.count("Postcode is missing") == 100
    assert "F000099" in html
    assert "F000100" not in html


@pytest.mark.django_db
def test_the_validation_report_has_every_issue_by_la_ids_made_safe_for_spreadsheets(
    officer_client: Client, officer: User, family: Family
) -> None:
    submission = a_submission(family.local_authority, status=SubmissionStatus.BLOCKED)
    warnings_for(submission, family, 150)
    ValidationIssue.objects.create(
        submission=submission, severity=IssueSeverity.ERROR, code="missing_forename",
        message="First name is missing", family=family, la_family_id="=HYPERLINK(1)",
        la_individual_id="@SUM(A1)",
    )  # fmt: skip
    response = officer_client.get(report(submission))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="validation_report.csv"'
    assert response["Cache-Control"] == "no-store"
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["severity", "code", "message", "la_family_id", "la_individual_id"]
    assert len(rows) == 1 + 151
    assert [
        "error",
        "missing_forename",
        "First name is missing",
        "'=HYPERLINK(1)",
        "'@SUM(A1)",
    ] in rows
    assert "\r\n" in text
    [event] = audited(AuditAction.NIS_REPORT_DOWNLOADED)
    assert event.actor == officer
    assert event.object_id == str(submission.public_id)


@pytest.mark.django_db
def test_there_is_no_report_before_the_records_are_checked(
    officer_client: Client, authority: LocalAuthority
) -> None:
    submission = a_submission(authority, status=SubmissionStatus.BUILDING)
    assert officer_client.get(report(submission)).status_code == 404
    assert (
        f'href="{report(submission)}"'
        not in officer_client.get(detail(submission)).content.decode()
    )


# The list


@pytest.mark.django_db
def test_the_list_shows_the_authoritys_submissions_newest_first(
    officer_client: Client, officer: User, authority: LocalAuthority, other_authority
) -> None:
    older = a_submission(authority, requested_by=officer, status=SubmissionStatus.EXPIRED)
    newer = a_submission(
        authority, requested_by=officer, status=SubmissionStatus.READY,
        snapshot_on=datetime.date(2025, 9, 30),
        manifest={"files": {"nis_individuals.csv": {"rows": 4321, "sha256": "0" * 64}}},
    )  # fmt: skip
    theirs = a_submission(other_authority)
    html = officer_client.get(reverse("nis_export:submissions")).content.decode()
    assert html.index(detail(newer)) < html.index(detail(older))
    assert detail(theirs) not in html
    assert "30 September 2025" in html
    assert "Dana Officer" in html
    assert "4321" in html
    assert "govuk-tag--green" in html
    assert "Ready to download" in html


@pytest.mark.django_db
def test_the_list_does_not_query_per_submission(
    officer_client: Client, officer: User, authority: LocalAuthority
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert officer_client.get(reverse("nis_export:submissions")).status_code == 200
        return len(captured)

    a_submission(authority, requested_by=officer, status=SubmissionStatus.READY)
    few = queries()
    for _ in range(5):
        a_submission(authority, requested_by=officer, status=SubmissionStatus.READY)
    assert queries() == few


@pytest.mark.django_db
def test_the_submission_page_does_not_query_per_issue(
    officer_client: Client, family: Family
) -> None:
    submission = a_submission(family.local_authority, status=SubmissionStatus.BLOCKED)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert officer_client.get(detail(submission)).status_code == 200
        return len(captured)

    warnings_for(submission, family, 2)
    few = queries()
    warnings_for(submission, family, 20)
    assert queries() == few
