"""Admins set the retention rule, hold families, preview the purge, run it, read its
certificate and look up a purged LA family ID through the pages: what each role may open,
what the admin sees and what is stored."""

import csv
import datetime
import io
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from changing_lives.accounts.models import User
from changing_lives.accounts.roles import Role
from changing_lives.audit.actions import AuditAction
from changing_lives.audit.models import AuditEvent
from changing_lives.authorities.models import LocalAuthority
from changing_lives.retention.models import (
    Hold,
    HoldKind,
    PurgedFamily,
    PurgeRun,
    PurgeStatus,
    RetentionSettings,
)
from changing_lives.retention.purge import purge_execute
from families.models import Family
from tests.factories import FamilyFactory, IndividualFactory
from tests.signing_in import force_login_verified

pytestmark = pytest.mark.django_db
D = datetime.date
OTHER_ROLES = [Role.CASEWORKER, Role.TEAM_MANAGER, Role.DATA_OFFICER]
PAGES_WITHOUT_ARGUMENTS = [
    "retention:home",
    "retention:settings",
    "retention:holds",
    "retention:preview",
    "retention:preview_csv",
    "retention:purge_confirm",
    "retention:runs",
    "retention:lookup",
]


def today() -> datetime.date:
    return timezone.localdate()


def due_family(authority: LocalAuthority, la_family_id: str, *, members: int = 1) -> Family:
    """A family past its retention date (yesterday), with `members` members."""
    family = FamilyFactory.create(
        local_authority=authority,
        la_family_id=la_family_id,
        retention_on=today() - datetime.timedelta(days=1),
    )
    IndividualFactory.create_batch(members, family=family, surname="Purgeable")
    return family


def summary_of(response) -> str:
    html = response.content.decode()
    start = html.index('class="govuk-error-summary"')
    return html[start : html.index("</ul>", start)]


def audited(action: AuditAction) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action.value))


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user(Role.ADMIN)


@pytest.fixture
def admin_client(admin: User) -> Client:
    client = Client()
    force_login_verified(client, admin)
    return client


@pytest.fixture
def admin_caseworker_client(make_user: Callable[..., User]) -> Client:
    """An admin who also holds the caseworker role, so may open the family pages."""
    client = Client()
    force_login_verified(client, make_user(Role.ADMIN, Role.CASEWORKER))
    return client


@pytest.fixture
def hold(family: Family, admin: User) -> Hold:
    return Hold.objects.create(
        family=family, kind=HoldKind.LEGAL_HOLD, reason="Claim 2024/17", placed_by=admin
    )


@pytest.fixture
def finished_run(authority: LocalAuthority, admin: User) -> PurgeRun:
    return PurgeRun.objects.create(
        local_authority=authority,
        started_by=admin,
        status=PurgeStatus.FINISHED,
        started_at=timezone.now(),
        finished_at=timezone.now(),
    )


def record_urls(family: Family, hold: Hold, run: PurgeRun) -> list[str]:
    return [
        reverse("retention:hold_place", args=[family.public_id]),
        reverse("retention:hold_lift", args=[family.public_id, hold.public_id]),
        reverse("retention:run", args=[run.public_id]),
        reverse("retention:certificate", args=[run.public_id]),
    ]


def purge_now(client: Client, capture) -> PurgeRun:
    """Confirm the purge through the page, then do the worker's part here, in process."""
    with capture(execute=False) as callbacks:
        response = client.post(reverse("retention:purge_confirm"), {"understood": "on"})
    run = PurgeRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("retention:run", args=[run.public_id])
    assert len(callbacks) == 1  # the task, queued on commit: not run in this test
    return purge_execute(run)


# --- who may open what -------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), [(Role.ADMIN, 200), *((r, 403) for r in OTHER_ROLES)])
def test_admins_open_every_retention_page_and_other_roles_are_refused(
    role, status, client_as, family, hold, finished_run
) -> None:
    client = client_as(role)
    urls = [reverse(name) for name in PAGES_WITHOUT_ARGUMENTS]
    for url in [*urls, *record_urls(family, hold, finished_run)]:
        assert client.get(url).status_code == status, url


def test_an_admin_of_another_authority_gets_404_for_this_authoritys_holds_and_runs(
    make_user, other_authority, family, hold, finished_run
) -> None:
    outsider = Client()
    force_login_verified(outsider, make_user(Role.ADMIN, local_authority=other_authority))
    for url in record_urls(family, hold, finished_run):
        assert outsider.get(url).status_code == 404, url
        assert outsider.post(url).status_code == 404, url
    assert not Hold.objects.filter(lifted_at__isnull=False).exists()


def test_a_hold_is_reached_only_through_its_own_family(
    admin_client, authority, family, hold
) -> None:
    other_family = FamilyFactory.create(local_authority=authority)
    url = reverse("retention:hold_lift", args=[other_family.public_id, hold.public_id])
    assert admin_client.get(url).status_code == 404


def test_admins_are_offered_retention_and_purge_and_no_one_else(client_as) -> None:
    link = f'href="{reverse("retention:home")}"'
    assert link in client_as(Role.ADMIN).get(reverse("pages:home")).content.decode()
    for role in OTHER_ROLES:
        assert link not in client_as(role).get(reverse("pages:home")).content.decode()


def test_the_home_page_shows_the_rule_and_how_many_families_are_due(
    admin_client, authority
) -> None:
    due_family(authority, "F200001")
    due_family(authority, "F200002")
    html = admin_client.get(reverse("retention:home")).content.decode()
    assert "8 years after" in html
    assert "2 families" in html
    assert "None yet" in html


# --- the family list and the family page -------------------------------------------------


def test_the_family_list_shows_each_familys_retention_date(client_as, family) -> None:
    family.retention_on = D(2032, 4, 1)
    family.save()
    html = client_as(Role.CASEWORKER).get(reverse("families:list")).content.decode()
    assert '<th scope="col" class="govuk-table__header">Retention date</th>' in html
    assert "1 Apr 2032" in html


def test_the_due_for_purge_filter_lists_families_due_in_the_next_90_days_or_already_past(
    client_as, authority
) -> None:
    for la_family_id, days in [("F1", -400), ("F2", 0), ("F3", 90), ("F4", 91)]:
        FamilyFactory.create(
            local_authority=authority,
            la_family_id=la_family_id,
            retention_on=today() + datetime.timedelta(days=days),
        )
    FamilyFactory.create(local_authority=authority, la_family_id="F5", retention_on=None)
    client = client_as(Role.CASEWORKER)
    response = client.get(reverse("families:list"), {"due_for_purge": "on"})
    assert sorted(row["family"].la_family_id for row in response.context["rows"]) == [
        "F1",
        "F2",
        "F3",
    ]
    assert "Due for purge in the next 90 days" in response.content.decode()
    everyone = client.get(reverse("families:list")).context["rows"]
    assert len(everyone) == 5


def test_the_filtered_list_runs_the_same_number_of_queries_for_5_or_25_families(
    client_as, authority, django_assert_num_queries
) -> None:
    client = client_as(Role.CASEWORKER)

    def add_families(count: int) -> None:
        for _ in range(count):
            IndividualFactory.create_batch(
                2,
                family=FamilyFactory.create(
                    local_authority=authority, retention_on=today() + datetime.timedelta(days=30)
                ),
            )

    # The first request of a session writes the session: not the list's queries.
    client.get(reverse("pages:home"))
    add_families(5)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("families:list"), {"due_for_purge": "on"})
    add_families(20)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(reverse("families:list"), {"due_for_purge": "on"})
    assert len(response.context["rows"]) == 25


def test_the_family_page_shows_the_retention_date_and_that_it_has_passed(client_as, family) -> None:
    family.retention_on = today() - datetime.timedelta(days=3)
    family.save()
    html = client_as(Role.CASEWORKER).get(reverse("families:detail", args=[family.public_id]))
    page = html.content.decode()
    assert '<h2 class="govuk-heading-m" id="retention">Retention</h2>' in page
    assert date_format(family.retention_on, "j F Y") in page
    assert "Past: due for purge" in page
    # Caseworkers see the date, but holds are an admin's to place.
    assert reverse("retention:hold_place", args=[family.public_id]) not in page


def test_the_family_page_shows_open_holds_and_offers_admins_place_and_lift(
    admin_caseworker_client, family, hold
) -> None:
    family.retention_on = today() - datetime.timedelta(days=3)
    family.save()
    page = admin_caseworker_client.get(
        reverse("families:detail", args=[family.public_id])
    ).content.decode()
    assert "Past: held" in page
    assert "Legal hold" in page
    assert "Claim 2024/17" in page
    assert reverse("retention:hold_place", args=[family.public_id]) in page
    assert reverse("retention:hold_lift", args=[family.public_id, hold.public_id]) in page


# --- holds ---------------------------------------------------------------------------------


def test_placing_a_hold_needs_a_kind_and_a_reason(admin_client, family) -> None:
    url = reverse("retention:hold_place", args=[family.public_id])
    response = admin_client.post(url, {"reason": "   "})
    summary = summary_of(response)
    assert "Select the kind of hold" in summary
    assert "Enter the reason for the hold" in summary
    assert 'href="#id_kind' in summary
    assert not Hold.objects.exists()


def test_an_admin_places_a_hold_from_the_family_page_and_it_is_audited(
    admin_caseworker_client, family
) -> None:
    url = reverse("retention:hold_place", args=[family.public_id])
    response = admin_caseworker_client.post(
        url, {"kind": HoldKind.SUBJECT_ACCESS, "reason": "Request received 3 March"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("families:detail", args=[family.public_id])
    hold = Hold.objects.get()
    assert (hold.family, hold.kind, hold.reason) == (
        family,
        HoldKind.SUBJECT_ACCESS,
        "Request received 3 March",
    )
    assert [event.object_id for event in audited(AuditAction.HOLD_PLACED)] == [
        str(family.public_id)
    ]
    page = admin_caseworker_client.get(response["Location"]).content.decode()
    assert "Open subject access request placed on the family" in page
    assert "Request received 3 March" in page


def test_an_admin_who_cannot_open_families_goes_back_to_the_list_of_holds(
    admin_client, family
) -> None:
    response = admin_client.post(
        reverse("retention:hold_place", args=[family.public_id]),
        {"kind": HoldKind.LEGAL_HOLD, "reason": "Litigation"},
    )
    assert response["Location"] == reverse("retention:holds")
    page = admin_client.get(response["Location"]).content.decode()
    assert "F100001" in page
    assert "Litigation" in page


def test_lifting_a_hold_needs_a_reason_then_is_stored_and_audited(
    admin_client, admin, family, hold
) -> None:
    url = reverse("retention:hold_lift", args=[family.public_id, hold.public_id])
    response = admin_client.post(url, {"reason": ""})
    assert "Enter the reason for lifting the hold" in summary_of(response)
    hold.refresh_from_db()
    assert hold.lifted_at is None

    response = admin_client.post(url, {"reason": "Claim settled"})
    assert response.status_code == 302
    hold.refresh_from_db()
    assert hold.lifted_at is not None
    assert (hold.lifted_by, hold.lift_reason) == (admin, "Claim settled")
    assert len(audited(AuditAction.HOLD_LIFTED)) == 1

    again = admin_client.get(url)
    assert "This hold has already been lifted" in again.content.decode()
    assert admin_client.post(url, {"reason": "Twice"}).status_code == 200
    assert len(audited(AuditAction.HOLD_LIFTED)) == 1


def test_the_holds_list_finds_a_family_to_hold_by_its_la_family_id(admin_client, family) -> None:
    response = admin_client.get(reverse("retention:holds"), {"la_family_id": "F100001"})
    assert response["Location"] == reverse("retention:hold_place", args=[family.public_id])

    response = admin_client.get(reverse("retention:holds"), {"la_family_id": "F404404"})
    assert "No family has that LA family ID" in summary_of(response)


def test_the_holds_list_never_finds_another_authoritys_family(
    admin_client, other_authority
) -> None:
    FamilyFactory.create(local_authority=other_authority, la_family_id="F777777")
    response = admin_client.get(reverse("retention:holds"), {"la_family_id": "F777777"})
    assert response.status_code == 200
    assert "No family has that LA family ID" in summary_of(response)


# --- settings ------------------------------------------------------------------------------


def test_the_settings_page_starts_from_the_current_rule(admin_client, authority) -> None:
    RetentionSettings.objects.create(
        local_authority=authority, retention_years=6, destroy_by=D(2030, 12, 31)
    )
    form = admin_client.get(reverse("retention:settings")).context["form"]
    assert form["retention_years"].value() == 6
    assert form["destroy_by"].value() == D(2030, 12, 31)
    assert form["nightly_purge"].value() is False


@pytest.mark.parametrize(
    ("years", "message"),
    [
        ("", "Enter the number of years to keep a family&#x27;s records"),
        ("0", "Years to keep must be between 1 and 100"),
        ("101", "Years to keep must be between 1 and 100"),
        ("eight", "Years to keep must be a whole number, like 8"),
    ],
)
def test_the_years_to_keep_must_be_a_whole_number_from_1_to_100(
    years, message, admin_client, authority
) -> None:
    response = admin_client.post(reverse("retention:settings"), {"retention_years": years})
    assert message in summary_of(response)
    assert not AuditEvent.objects.filter(action=AuditAction.RETENTION_SETTINGS_CHANGED).exists()


def test_changing_the_settings_recomputes_every_familys_date_and_is_audited(
    admin_client, authority, family
) -> None:
    # Referred 1 April 2024, never screened: the years count from the referral.
    response = admin_client.post(
        reverse("retention:settings"), {"retention_years": "3", "nightly_purge": "on"}
    )
    assert response["Location"] == reverse("retention:home")
    family.refresh_from_db()
    assert family.retention_on == D(2027, 4, 1)
    policy = RetentionSettings.objects.get(local_authority=authority)
    assert (policy.retention_years, policy.destroy_by, policy.nightly_purge) == (3, None, True)
    assert len(audited(AuditAction.RETENTION_SETTINGS_CHANGED)) == 1

    admin_client.post(
        reverse("retention:settings"),
        {
            "retention_years": "3",
            "destroy_by_0": "31",
            "destroy_by_1": "12",
            "destroy_by_2": "2026",
        },
    )
    family.refresh_from_db()
    assert family.retention_on == D(2026, 12, 31)  # the earlier of the two
    policy.refresh_from_db()
    assert policy.nightly_purge is False


def test_a_destroy_by_date_that_is_not_a_date_is_refused(admin_client) -> None:
    response = admin_client.post(
        reverse("retention:settings"),
        {"retention_years": "8", "destroy_by_0": "31", "destroy_by_1": "2", "destroy_by_2": "2030"},
    )
    assert "Destroy by date must be a real date" in summary_of(response)


# --- the preview ---------------------------------------------------------------------------


@pytest.fixture
def due(authority: LocalAuthority, family: Family, admin: User) -> dict[str, Family]:
    """Two families due (three members between them), one due but held, and one (the
    conftest family, F100001) not due."""
    family.retention_on = today() + datetime.timedelta(days=10)
    family.save()
    held = due_family(authority, "F300001")
    Hold.objects.create(family=held, kind=HoldKind.LEGAL_HOLD, reason="Tribunal", placed_by=admin)
    return {
        "first": due_family(authority, "F200001", members=2),
        "second": due_family(authority, "F200002"),
        "held": held,
    }


def test_the_preview_counts_what_would_go_and_lists_the_families_due_and_those_held(
    admin_client, due
) -> None:
    response = admin_client.get(reverse("retention:preview"))
    counts = {row.kind: row.count for row in response.context["counts"]}
    assert counts["families"] == 2
    assert counts["individuals"] == 3
    assert [row.label for row in response.context["counts"]][:2] == ["Families", "Individuals"]
    assert [family.la_family_id for family in response.context["page"].object_list] == [
        "F200001",
        "F200002",
    ]
    html = response.content.decode()
    assert "2 families due for purge" in html
    assert "1 family due but held" in html
    assert "Legal hold" in html
    assert "Tribunal" in html
    assert "F100001" not in html
    assert reverse("retention:purge_confirm") in html
    assert not audited(AuditAction.PURGE_PREVIEWED)  # the page names no one outside it


def test_a_long_preview_is_paginated(admin_client, authority) -> None:
    for number in range(101):
        FamilyFactory.create(
            local_authority=authority,
            la_family_id=f"F{number:06d}",
            retention_on=today() - datetime.timedelta(days=1),
        )
    first = admin_client.get(reverse("retention:preview"))
    assert len(first.context["page"].object_list) == 100
    assert "101 families due for purge" in first.content.decode()
    second = admin_client.get(reverse("retention:preview"), {"page": 2})
    assert [f.la_family_id for f in second.context["page"].object_list] == ["F000100"]


def test_the_preview_csv_is_an_audited_no_store_attachment_safe_for_spreadsheets(
    admin_client, authority, due
) -> None:
    due_family(authority, "=SUM(1)")
    response = admin_client.get(reverse("retention:preview_csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="purge_preview_')
    assert response["Cache-Control"] == "no-store"
    rows = csv_rows(response)
    assert rows[0] == ["row", "name", "value"]
    assert ["count", "families", "3"] in rows
    assert ["count", "individuals", "4"] in rows
    assert [row[1] for row in rows if row[0] == "due"] == ["'=SUM(1)", "F200001", "F200002"]
    assert [row for row in rows if row[0] == "held"] == [["held", "F300001", "Legal hold"]]
    assert "Purgeable" not in response.content.decode()  # no names
    [event] = audited(AuditAction.PURGE_PREVIEWED)
    assert event.object_id == str(authority.pk)


def test_the_preview_csv_is_only_downloaded(admin_client) -> None:
    assert admin_client.post(reverse("retention:preview_csv")).status_code == 405


# --- running the purge ---------------------------------------------------------------------


def test_the_confirmation_warns_how_much_the_purge_destroys(admin_client, due) -> None:
    html = admin_client.get(reverse("retention:purge_confirm")).content.decode()
    assert "This permanently destroys 2 families and 3 individuals" in html
    assert "It cannot be undone" in html
    assert "I understand this cannot be undone" in html


def test_the_purge_does_not_start_until_the_box_is_ticked(
    admin_client, due, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = admin_client.post(reverse("retention:purge_confirm"), {})
    assert response.status_code == 200
    assert "Confirm that you understand the purge cannot be undone" in summary_of(response)
    assert 'href="#id_understood"' in summary_of(response)
    assert callbacks == []
    assert not PurgeRun.objects.exists()


def test_with_nothing_due_there_is_nothing_to_confirm(admin_client, family) -> None:
    response = admin_client.post(reverse("retention:purge_confirm"), {"understood": "on"})
    assert "No families are due for purge" in response.content.decode()
    assert not PurgeRun.objects.exists()


def test_confirming_queues_one_run_on_commit_which_purges_every_family_due_but_the_held(
    admin_client, admin, due, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = admin_client.post(reverse("retention:purge_confirm"), {"understood": "on"})
    run = PurgeRun.objects.get()
    assert response["Location"] == reverse("retention:run", args=[run.public_id])
    assert len(callbacks) == 1
    assert (run.status, run.started_by) == (PurgeStatus.QUEUED, admin)
    queued = admin_client.get(response["Location"]).content.decode()
    assert "Queued" in queued
    assert "Stop the purge" in queued
    assert "Purge certificate" not in queued

    run = purge_execute(run)
    assert run.status == PurgeStatus.FINISHED
    assert set(Family.objects.values_list("la_family_id", flat=True)) == {"F100001", "F300001"}
    page = admin_client.get(response["Location"])
    html = page.content.decode()
    assert "Purge certificate" in html
    assert '<dd class="govuk-summary-list__value" id="families-purged">2</dd>' in html
    assert '<dd class="govuk-summary-list__value" id="progress">2 of 2</dd>' in html
    counts = {row.kind: row.count for row in page.context["counts"]}
    assert (counts["families"], counts["individuals"]) == (2, 3)
    assert "Stop the purge" not in html


def test_a_second_run_while_one_is_queued_is_refused_in_the_error_summary(
    admin_client, due, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        admin_client.post(reverse("retention:purge_confirm"), {"understood": "on"})
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = admin_client.post(reverse("retention:purge_confirm"), {"understood": "on"})
    assert "A purge is already queued or running" in summary_of(response)
    assert callbacks == []
    assert PurgeRun.objects.count() == 1
    preview = admin_client.get(reverse("retention:preview")).content.decode()
    assert 'id="active-run"' in preview


def test_stopping_a_queued_run_stops_it_and_is_audited(
    admin_client, due, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=False):
        admin_client.post(reverse("retention:purge_confirm"), {"understood": "on"})
    run = PurgeRun.objects.get()
    url = reverse("retention:run", args=[run.public_id])
    response = admin_client.post(url)
    assert response["Location"] == url
    run.refresh_from_db()
    assert (run.status, run.stop_requested) == (PurgeStatus.STOPPED, True)
    assert len(audited(AuditAction.PURGE_STOP_REQUESTED)) == 1
    html = admin_client.get(url).content.decode()
    assert "Stop requested" in html
    assert "The purge was stopped" in html
    assert "Stop the purge" not in html
    assert Family.objects.filter(la_family_id="F200001").exists()


def test_a_run_that_has_ended_cannot_be_stopped(admin_client, finished_run) -> None:
    url = reverse("retention:run", args=[finished_run.public_id])
    response = admin_client.post(url)
    assert response["Location"] == url
    finished_run.refresh_from_db()
    assert finished_run.status == PurgeStatus.FINISHED
    assert not audited(AuditAction.PURGE_STOP_REQUESTED)


def test_the_runs_list_shows_each_run_with_who_started_it(
    admin_client, admin, authority, finished_run
) -> None:
    PurgeRun.objects.create(local_authority=authority, scheduled=True, status=PurgeStatus.STOPPED)
    html = admin_client.get(reverse("retention:runs")).content.decode()
    assert "Nightly schedule" in html
    assert admin.get_full_name() in html
    assert reverse("retention:run", args=[finished_run.public_id]) in html


# --- the certificate -----------------------------------------------------------------------


def test_the_certificate_is_an_audited_no_store_attachment_without_personal_data(
    admin_client, due, django_capture_on_commit_callbacks
) -> None:
    run = purge_now(admin_client, django_capture_on_commit_callbacks)
    response = admin_client.get(reverse("retention:certificate", args=[run.public_id]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="purge_certificate_{run.public_id}.csv"'
    )
    assert response["Cache-Control"] == "no-store"
    text = response.content.decode()
    digests = set(PurgedFamily.objects.values_list("digest", flat=True))
    assert len(digests) == 2
    assert digests <= {row[0] for row in csv_rows(response)}
    for personal in ("F200001", "F200002", "Purgeable"):
        assert personal not in text
    [event] = audited(AuditAction.PURGE_CERTIFICATE_DOWNLOADED)
    assert event.object_id == str(run.public_id)


def test_a_run_that_has_not_ended_has_no_certificate_to_download(admin_client, authority) -> None:
    run = PurgeRun.objects.create(local_authority=authority)
    assert (
        admin_client.get(reverse("retention:certificate", args=[run.public_id])).status_code == 404
    )
    assert not audited(AuditAction.PURGE_CERTIFICATE_DOWNLOADED)


# --- was family X purged? ------------------------------------------------------------------


def test_the_lookup_finds_a_purged_la_family_id_and_says_when(
    admin_client, due, django_capture_on_commit_callbacks
) -> None:
    run = purge_now(admin_client, django_capture_on_commit_callbacks)
    purged = PurgedFamily.objects.filter(run=run).first()
    assert purged is not None
    response = admin_client.post(reverse("retention:lookup"), {"la_family_id": " f200001 "})
    html = response.content.decode()
    purged_on = date_format(timezone.localtime(purged.purged_at), "j F Y")
    run_on = date_format(timezone.localtime(run.requested_at), "j F Y")
    assert f"Purged on {purged_on} by the" in html
    assert f"run of {run_on}</a>" in html
    assert reverse("retention:run", args=[run.public_id]) in html
    assert len(audited(AuditAction.PURGE_LOOKUP)) == 1


def test_the_lookup_does_not_say_whether_an_unpurged_family_exists(admin_client, family) -> None:
    answers = []
    for la_family_id in ("F100001", "F999999"):
        response = admin_client.post(reverse("retention:lookup"), {"la_family_id": la_family_id})
        html = response.content.decode()
        assert "No record of a purge of that LA family ID" in html
        start = html.index('id="lookup-result"')
        answers.append(html[start : html.index("</div>", start)].replace(la_family_id, "X"))
    assert answers[0] == answers[1]


def test_the_lookup_needs_an_id(admin_client) -> None:
    response = admin_client.post(reverse("retention:lookup"), {"la_family_id": ""})
    assert "Enter the LA family ID" in summary_of(response)
    assert not audited(AuditAction.PURGE_LOOKUP)
