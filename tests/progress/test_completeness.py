"""How complete each period's Family Progress Data is: who may see it, the figures by family,
measure and member, the gaps download, the programme overview's figures, and that none of it
reaches another authority or costs a query per family."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from changing_lives.accounts.models import User
from changing_lives.accounts.roles import Role
from changing_lives.audit.actions import AuditAction
from changing_lives.audit.models import AuditEvent
from changing_lives.authorities.models import LocalAuthority
from changing_lives.csv_safety import spreadsheet_safe
from eligibility import overview
from eligibility.models import Intervention, SupportIntensity
from families.models import Family, FamilyStatus
from progress import completeness
from progress.models import Measure, MeasureKind, Period
from progress.services import Key, family_return_save, key_of, return_state
from tests.factories import FamilyFactory, IndividualFactory
from tests.signing_in import force_login_verified

pytestmark = pytest.mark.django_db

# A half-year in the past whatever today is; the figures below are worked out for it.
PERIOD_START = datetime.date(2024, 4, 1)
# A value of the right kind for every measure, so that a whole return can be saved.
ANSWER_BY_KIND = {
    MeasureKind.YES_NO_UNKNOWN: "no",
    MeasureKind.COUNT: "0",
    MeasureKind.MONEY: "0",
    MeasureKind.PERCENTAGE: "95",
    MeasureKind.CODE: "NONE",
}


@pytest.fixture
def period() -> Period:
    return Period.objects.get(start_on=PERIOD_START)


def url(name: str, period: Period) -> str:
    return reverse(name, args=[period.start_on.isoformat()])


def support(family: Family, started_on: datetime.date, ended_on: datetime.date | None = None):
    return Intervention.objects.create(
        family=family, started_on=started_on, ended_on=ended_on,
        intensity=SupportIntensity.STANDARD,
    )  # fmt: skip


def family_with_one_adult(authority: LocalAuthority, la_family_id: str, **member) -> Family:
    family = FamilyFactory.create(local_authority=authority, la_family_id=la_family_id)
    IndividualFactory.create(family=family, **member)
    return family


def answers(family: Family, period: Period, codes: set[str] | None = None) -> dict[Key, str]:
    """A valid value for every question of the return (or only those of the given measures),
    HOMELESS answered "unknown"."""
    typed = {}
    for question in return_state(family, period).questions:
        measure = question.measure
        if codes is not None and measure.code not in codes:
            continue
        typed[key_of(question)] = (
            "unknown" if measure.code == "HOMELESS" else ANSWER_BY_KIND[MeasureKind(measure.kind)]
        )
    return typed


def save(user: User, family: Family, period: Period, typed: dict[Key, str], complete=False):
    family_return_save(actor=user, family=family, period=period, typed=typed, complete=complete)


@pytest.fixture
def recorded_period(period, family, authority, other_authority, make_user) -> Period:
    """Three families due in the period: one complete, one in part, one not started; and
    three not due (comparison group, support ended before it, another authority's)."""
    caseworker = make_user(Role.CASEWORKER)
    # 14 questions: 7 family measures; Sarah (an adult) 2; Tunde (10 at the period's end) 5.
    support(family, datetime.date(2024, 1, 1))
    save(caseworker, family, period, answers(family, period), complete=True)

    # 9 questions each: 7 family measures and the adult member's 2.
    partial = family_with_one_adult(authority, "F200001", la_individual_id="I200001")
    support(partial, datetime.date(2024, 5, 1), datetime.date(2024, 6, 30))
    save(caseworker, partial, period, answers(partial, period, {"HOMELESS", "WORKLESS_HOUSEHOLD"}))
    not_started = family_with_one_adult(authority, "F300001", la_individual_id="I300001")
    support(not_started, datetime.date(2023, 1, 1), datetime.date(2024, 4, 1))

    comparison = family_with_one_adult(authority, "F400001", la_individual_id="I400001")
    comparison.status = FamilyStatus.COMPARISON
    comparison.save()
    ended_before = family_with_one_adult(authority, "F500001", la_individual_id="I500001")
    support(ended_before, datetime.date(2023, 1, 1), datetime.date(2024, 3, 31))

    outsider = family_with_one_adult(
        other_authority, "F900001", la_individual_id="I900001", forename="Outsider"
    )
    support(outsider, datetime.date(2024, 1, 1))
    save(
        make_user(Role.CASEWORKER, local_authority=other_authority),
        outsider, period, answers(outsider, period, {"HOMELESS"}),
    )  # fmt: skip
    return period


def gaps_csv(client: Client, period: Period) -> tuple[StreamingHttpResponse, list[list[str]]]:
    response = client.get(url("progress:period_gaps", period))
    assert isinstance(response, StreamingHttpResponse)
    body = b"".join(response.streaming_content).decode()
    return response, list(csv.reader(io.StringIO(body)))


# --- Who may see it ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.DATA_OFFICER, 200), (Role.TEAM_MANAGER, 200), (Role.CASEWORKER, 403), (Role.ADMIN, 403)],
)
@pytest.mark.parametrize(
    "name", ["progress:periods", "progress:period_detail", "progress:period_gaps"]
)
def test_data_officers_and_team_managers_see_completeness_and_no_one_else(
    name, role, status, client_as, period
) -> None:
    path = reverse(name) if name == "progress:periods" else url(name, period)
    assert client_as(role).get(path).status_code == status


def test_a_period_that_does_not_exist_is_not_found(client_as) -> None:
    client = client_as(Role.DATA_OFFICER)
    assert client.get(reverse("progress:period_detail", args=["2024-04-02"])).status_code == 404
    assert client.get(reverse("progress:period_gaps", args=["not-a-date"])).status_code == 404


def test_data_officers_are_offered_completeness_and_caseworkers_are_not(client_as) -> None:
    link = f'href="{reverse("progress:periods")}"'
    assert link in client_as(Role.DATA_OFFICER).get(reverse("pages:home")).content.decode()
    assert link not in client_as(Role.CASEWORKER).get(reverse("pages:home")).content.decode()


# --- The figures -------------------------------------------------------------------------


def test_the_period_is_counted_by_return_state_and_values_recorded(
    recorded_period, authority
) -> None:
    figures = completeness.period_completeness(authority, recorded_period)
    assert [row.family.la_family_id for row in figures.families] == [
        "F100001", "F200001", "F300001",
    ]  # fmt: skip
    assert [(row.status, row.recorded, row.asked) for row in figures.families] == [
        ("complete", 14, 14),
        ("in_progress", 2, 9),
        ("not_started", 0, 9),
    ]
    assert (figures.families_due, figures.returns_complete) == (3, 1)
    assert (figures.returns_in_progress, figures.returns_not_started) == (1, 1)
    assert (figures.recorded, figures.asked, figures.percent_recorded) == (16, 32, 50)


def test_each_measure_counts_asked_recorded_and_unknown(recorded_period, authority) -> None:
    by_measure = {
        row.measure.code: row
        for row in completeness.period_completeness(authority, recorded_period).by_measure()
    }
    assert len(by_measure) == Measure.objects.count()
    homeless = by_measure["HOMELESS"]
    assert (homeless.asked, homeless.recorded, homeless.unknown) == (3, 2, 2)
    assert homeless.percent_recorded == 66  # rounded down: a gap is never shown as 100%
    asb = by_measure["ASB_INCIDENTS"]  # every member: Sarah, Tunde and the two adults
    assert (asb.asked, asb.recorded, asb.unknown) == (4, 2, 0)
    school = by_measure["SCHOOL_ATTENDANCE"]  # Tunde only
    assert (school.asked, school.recorded, school.percent_recorded) == (1, 1, 100)
    neet = by_measure["NEET"]  # no one is 16 to 24
    assert (neet.asked, neet.percent_recorded) == (0, None)


def test_the_gaps_are_grouped_by_the_family_and_each_member(recorded_period, authority) -> None:
    figures = completeness.period_completeness(authority, recorded_period)
    rows = completeness.gaps_by_whom(figures.families)
    assert [
        (row.family.la_family_id, row.individual and row.individual.la_individual_id)
        for row in rows
    ] == [
        ("F200001", None),
        ("F200001", "I200001"),
        ("F300001", None),
        ("F300001", "I300001"),
    ]
    assert [m.code for m in rows[0].measures] == [
        "HOMELESSNESS_APPLICATIONS", "EVICTION_RISK", "RENT_ARREARS", "DEBT_LEVEL",
        "DA_INCIDENTS",
    ]  # fmt: skip
    assert [m.code for m in rows[1].measures] == ["ASB_INCIDENTS", "OFFENCES"]


def test_the_period_page_shows_the_figures_by_measure_family_and_member(
    recorded_period, client_as, family
) -> None:
    response = client_as(Role.DATA_OFFICER).get(url("progress:period_detail", recorded_period))
    html = response.content.decode()
    assert "1 complete, 1 in progress, 1 not started" in html
    assert "16 of 32 (50%)" in html
    return_url = reverse("progress:return", args=["2024-04-01", family.public_id])
    assert f'href="{return_url}"' in html
    assert "2 of 9" in html
    assert "I200001, " in html  # a member with gaps, by LA ID and name
    assert "F900001" not in html
    assert "Outsider" not in html
    assert f'href="{url("progress:period_gaps", recorded_period)}"' in html


def test_the_family_table_is_paginated(period, authority, client_as, monkeypatch) -> None:
    monkeypatch.setattr("progress.views.completeness.FAMILIES_PER_PAGE", 2)
    for _ in range(3):
        support(FamilyFactory.create(local_authority=authority), datetime.date(2024, 1, 1))
    client = client_as(Role.DATA_OFFICER)
    first = client.get(url("progress:period_detail", period))
    assert len(first.context["page"].object_list) == 2
    assert 'rel="next"' in first.content.decode()
    second = client.get(url("progress:period_detail", period), {"page": 2})
    assert len(second.context["page"].object_list) == 1
    assert len(second.context["gaps"]) == 1  # the family measures of the one family shown


def test_the_periods_page_lists_ended_periods_newest_first_with_their_figures(
    client_as, authority
) -> None:
    today = timezone.localdate()
    latest = Period.objects.filter(end_on__lt=today).order_by("-start_on").first()
    assert latest is not None
    support(family_with_one_adult(authority, "F600001"), latest.start_on)

    response = client_as(Role.TEAM_MANAGER).get(reverse("progress:periods"))
    rows = response.context["rows"]
    periods = [row["completeness"].period for row in rows]
    assert periods[0] == latest
    assert periods == sorted(periods, key=lambda p: p.start_on, reverse=True)
    assert all(period.end_on < today for period in periods)
    assert rows[0]["completeness"].families_due == 1
    assert rows[0]["overdue"] is (latest.due_on < today)
    html = response.content.decode()
    assert f'href="{url("progress:period_detail", latest)}"' in html
    assert "0%" in html


def test_a_past_due_period_with_returns_missing_is_tagged_overdue(
    recorded_period, authority
) -> None:
    figures = completeness.period_completeness(authority, recorded_period)
    assert figures.is_overdue(recorded_period.due_on + datetime.timedelta(days=1))
    assert not figures.is_overdue(recorded_period.due_on)


# --- The gaps download -------------------------------------------------------------------


def test_the_gaps_download_lists_every_gap_by_la_ids(recorded_period, client_as) -> None:
    response, rows = gaps_csv(client_as(Role.DATA_OFFICER), recorded_period)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="fpd-gaps-2024-04-01.csv"'
    assert response["Cache-Control"] == "no-store"
    assert rows[0] == [
        "la_family_id", "la_individual_id", "measure_code", "measure_label", "return_status",
    ]  # fmt: skip
    assert len(rows) == 1 + 7 + 9
    assert rows[1] == [
        "F200001", "", "HOMELESSNESS_APPLICATIONS", "Homelessness applications", "in_progress",
    ]  # fmt: skip
    assert ["F200001", "I200001", "OFFENCES", "Proven offences", "in_progress"] in rows
    assert ["F300001", "I300001", "ASB_INCIDENTS", "Anti-social behaviour incidents",
            "not_started"] in rows  # fmt: skip
    assert not any(row[0] in {"F100001", "F900001"} for row in rows)


def test_the_gaps_download_carries_no_names_dates_of_birth_or_identifiers(
    period, authority, client_as
) -> None:
    family = family_with_one_adult(
        authority, "F700001", la_individual_id="I700001", forename="Zebedee",
        surname="Quartermaine", date_of_birth=datetime.date(1979, 11, 23), nino="QQ123456C",
        nhs_number="9434765870",
    )  # fmt: skip
    support(family, datetime.date(2024, 1, 1))
    _, rows = gaps_csv(client_as(Role.DATA_OFFICER), period)
    text = "\n".join(",".join(row) for row in rows)
    assert "I700001" in text
    for personal in ("Zebedee", "Quartermaine", "1979", "23/11", "QQ123456C", "9434765870"):
        assert personal not in text


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_neutralised(
    period, authority, client_as
) -> None:
    family = family_with_one_adult(authority, "=1+1", la_individual_id="@SUM(A1)")
    support(family, datetime.date(2024, 1, 1))
    _, rows = gaps_csv(client_as(Role.DATA_OFFICER), period)
    assert {row[0] for row in rows[1:]} == {"'=1+1"}
    assert "'@SUM(A1)" in {row[1] for row in rows[1:]}


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+44", "'+44"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("F100001", "F100001"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_spreadsheet_safe_quotes_only_what_a_spreadsheet_would_run(value, safe) -> None:
    assert spreadsheet_safe(value) == safe


def test_the_gaps_download_is_audited_without_personal_data(
    recorded_period, make_user, authority
) -> None:
    officer = make_user(Role.DATA_OFFICER)
    client = Client()
    force_login_verified(client, officer)
    gaps_csv(client, recorded_period)
    event = AuditEvent.objects.get(action=AuditAction.PROGRESS_GAPS_DOWNLOADED)
    assert event.actor == officer
    assert event.local_authority == authority
    assert (event.object_type, event.object_id) == ("progress.period", str(recorded_period.pk))


def test_the_gaps_download_reads_families_a_chunk_at_a_time(
    period, authority, client_as, monkeypatch
) -> None:
    monkeypatch.setattr("progress.completeness.CHUNK_SIZE", 2)
    for number in range(5):
        family = family_with_one_adult(authority, f"F8{number:05d}")
        support(family, datetime.date(2024, 1, 1))
    _, rows = gaps_csv(client_as(Role.DATA_OFFICER), period)
    family_ids = [row[0] for row in rows[1:]]
    assert sorted(set(family_ids)) == [f"F8{number:05d}" for number in range(5)]
    assert family_ids == sorted(family_ids)  # in LA family ID order, each family once
    assert len(rows) == 1 + 5 * 9


# --- Other authorities -------------------------------------------------------------------


def test_another_authoritys_officer_sees_none_of_this_authoritys_families(
    recorded_period, client_as, other_authority
) -> None:
    client = client_as(Role.DATA_OFFICER, local_authority=other_authority)
    detail = client.get(url("progress:period_detail", recorded_period))
    assert detail.context["completeness"].families_due == 1
    html = detail.content.decode()
    assert "F900001" in html
    for home in ("F100001", "F200001", "F300001", "I200001"):
        assert home not in html
    _, rows = gaps_csv(client, recorded_period)
    assert {row[0] for row in rows[1:]} == {"F900001"}
    periods = client.get(reverse("progress:periods")).context["rows"]
    assert all(row["completeness"].families_due <= 1 for row in periods)


# --- Queries -----------------------------------------------------------------------------


def add_due_families(authority: LocalAuthority, period: Period, user: User, count: int) -> None:
    """Families with two members each and a return in part, due in the period."""
    for _ in range(count):
        family = FamilyFactory.create(local_authority=authority)
        IndividualFactory.create_batch(2, family=family)
        support(family, period.start_on)
        save(user, family, period, answers(family, period, {"HOMELESS", "ASB_INCIDENTS"}))


@pytest.mark.parametrize("name", ["progress:periods", "progress:period_detail"])
def test_pages_run_the_same_number_of_queries_for_3_or_12_families(
    name, period, authority, make_user, django_assert_num_queries
) -> None:
    officer = make_user(Role.DATA_OFFICER)
    client = Client()
    force_login_verified(client, officer)
    path = reverse(name) if name == "progress:periods" else url(name, period)
    add_due_families(authority, period, officer, 3)
    with CaptureQueriesContext(connection) as small:
        client.get(path)
    add_due_families(authority, period, officer, 9)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(path)


def test_the_download_runs_the_same_number_of_queries_for_3_or_12_families(
    period, authority, make_user, django_assert_num_queries
) -> None:
    officer = make_user(Role.DATA_OFFICER)
    client = Client()
    force_login_verified(client, officer)
    add_due_families(authority, period, officer, 3)
    with CaptureQueriesContext(connection) as small:
        gaps_csv(client, period)
    add_due_families(authority, period, officer, 9)
    with django_assert_num_queries(len(small.captured_queries)):
        gaps_csv(client, period)


# --- The programme overview --------------------------------------------------------------


def test_the_overview_gives_due_and_complete_for_the_last_four_ended_periods(
    recorded_period, authority
) -> None:
    bars = overview.progress_by_period(authority, datetime.date(2025, 5, 1))
    assert [(bar.label, bar.due, bar.complete) for bar in bars] == [
        # Two families were supported from January 2023; a third from January 2024.
        ("April to September 2023", 2, 0),
        ("October 2023 to March 2024", 3, 0),
        ("April to September 2024", 3, 1),
        ("October 2024 to March 2025", 1, 0),
    ]
    assert (bars[2].complete_percent, bars[2].not_complete_percent) == (33, 67)


def test_the_overview_page_shows_the_latest_periods_returns(client_as, authority) -> None:
    today = timezone.localdate()
    latest = Period.objects.filter(end_on__lt=today).order_by("-start_on").first()
    assert latest is not None
    support(family_with_one_adult(authority, "F600001"), latest.start_on)

    response = client_as(Role.DATA_OFFICER).get(reverse("eligibility:overview"))
    bars = response.context["by_period"]
    assert len(bars) == 4
    assert (bars[-1].label, bars[-1].due, bars[-1].complete) == (latest.label, 1, 0)
    html = response.content.decode()
    assert "Returns by period" in html
    assert f"{latest.label}: 0 of 1 complete" in html
    assert f'href="{reverse("progress:periods")}"' in html
