"""Recording Family Progress Data through the pages: part of a return or all of it, each value
checked against its measure with a message naming the member and the measure, marking a return
complete, corrections after completion; what each caseworker has due and overdue; the family
page's progress panel; who may do what, and how many queries each page runs."""

import datetime
import html
import re
from collections.abc import Mapping

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from changing_lives.accounts.models import User
from changing_lives.accounts.roles import Role
from changing_lives.audit.models import AuditEvent
from eligibility.models import Intervention, SupportIntensity
from families.models import Family, FamilyHistoryEntry, Individual
from progress.models import FamilyReturn, Measure, Period, ProgressValue, ReturnStatus
from tests.factories import FamilyFactory, IndividualFactory
from tests.signing_in import force_login_verified

pytestmark = pytest.mark.django_db

SUMMER_2024 = "2024-04-01"  # April to September 2024, due by 30 October 2024

# Who: None for the family, else a member's forename.
Answer = tuple[str, str | None]

# A whole return for the `family` fixture in the summer of 2024: Sarah is 39 at its end,
# Tunde 10 (so he is asked school attendance, children's social care and offences).
WHOLE_RETURN: dict[Answer, str] = {
    ("HOMELESS", None): "no",
    ("HOMELESSNESS_APPLICATIONS", None): "0",
    ("EVICTION_RISK", None): "unknown",
    ("RENT_ARREARS", None): "£1,250.50",
    ("DEBT_LEVEL", None): "0",
    ("DA_INCIDENTS", None): "2",
    ("WORKLESS_HOUSEHOLD", None): "yes",
    ("ASB_INCIDENTS", "Sarah"): "0",
    ("OFFENCES", "Sarah"): "1",
    ("ASB_INCIDENTS", "Tunde"): "0",
    ("OFFENCES", "Tunde"): "0",
    ("MISSING_EPISODES", "Tunde"): "unknown",
    ("CHILD_STATUS", "Tunde"): "CIN",
    ("SCHOOL_ATTENDANCE", "Tunde"): "92.5",
}


def support(family: Family, started: datetime.date, ended: datetime.date | None = None) -> None:
    Intervention.objects.create(
        family=family, started_on=started, ended_on=ended, intensity=SupportIntensity.STANDARD
    )


@pytest.fixture
def supported(family: Family) -> Family:
    """The Okafors, supported since January 2024 (so due for the summer of 2024)."""
    support(family, datetime.date(2024, 1, 15))
    return family


@pytest.fixture
def period() -> Period:
    return Period.objects.get(start_on=datetime.date.fromisoformat(SUMMER_2024))


def return_url(family: Family, start: str = SUMMER_2024) -> str:
    return reverse("progress:return", args=[start, family.public_id])


def member(family: Family, forename: str) -> Individual:
    return family.members.get(forename=forename)


def field_name(family: Family, code: str, forename: str | None) -> str:
    measure = Measure.objects.get(code=code)
    return f"v_{measure.pk}_{member(family, forename).pk if forename else 'family'}"


def form_data(
    family: Family, answers: Mapping[Answer, str], action: str = "save"
) -> dict[str, str]:
    """What the page posts: every question of the whole return, blank unless answered."""
    data = {field_name(family, code, who): "" for code, who in WHOLE_RETURN}
    data |= {field_name(family, code, who): typed for (code, who), typed in answers.items()}
    return data | {"action": action}


def post(client: Client, family: Family, answers: Mapping[Answer, str], action: str = "save"):
    return client.post(return_url(family), form_data(family, answers, action))


def stored(family: Family) -> dict[Answer, str]:
    return {
        (value.measure.code, value.individual.forename if value.individual else None): value.value
        for value in ProgressValue.objects.filter(family_return__family=family).select_related(
            "measure", "individual"
        )
    }


def error_summary(response) -> list[tuple[str, str]]:
    """The error summary's links: (the id each points at, its text)."""
    page = response.content.decode()
    assert 'class="govuk-error-summary"' in page
    body = page.split("govuk-error-summary__list", 1)[1].split("</ul>", 1)[0]
    return [
        (target, html.unescape(text.strip()))
        for target, text in re.findall(r'<a href="#([^"]+)">([^<]+)</a>', body)
    ]


def text(response) -> str:
    return html.unescape(response.content.decode())


def test_a_caseworker_saves_part_of_a_return_and_sees_it_back(client_as, supported) -> None:
    client = client_as(Role.CASEWORKER)
    response = post(
        client,
        supported,
        {
            ("HOMELESS", None): "yes",
            ("RENT_ARREARS", None): "£1,250.50",
            ("SCHOOL_ATTENDANCE", "Tunde"): "92.5%",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == return_url(supported)
    assert stored(supported) == {
        ("HOMELESS", None): "yes",
        ("RENT_ARREARS", None): "125050",
        ("SCHOOL_ATTENDANCE", "Tunde"): "92.5",
    }
    family_return = FamilyReturn.objects.get(family=supported)
    assert family_return.status == ReturnStatus.IN_PROGRESS
    assert not ProgressValue.objects.filter(correction_pending=True).exists()

    entry = supported.history.get()
    assert entry.action == FamilyHistoryEntry.Action.PROGRESS_RECORDED
    assert entry.note == "April to September 2024"
    assert {change["label"] for change in entry.changes} == {
        "Homeless or in temporary accommodation (the family)",
        "Rent arrears (the family)",
        "School attendance (Tunde Okafor)",
    }
    assert AuditEvent.objects.filter(action="progress_saved").count() == 1

    page = client.get(response["Location"])
    assert "Return saved" in text(page)
    assert "3 of 14 values recorded. Due by 30 October 2024." in text(page)
    form = page.context["form"]
    assert form[field_name(supported, "RENT_ARREARS", None)].value() == "1250.50"
    assert form[field_name(supported, "SCHOOL_ATTENDANCE", "Tunde")].value() == "92.5"
    assert form[field_name(supported, "HOMELESS", None)].value() == "yes"
    assert form[field_name(supported, "DEBT_LEVEL", None)].value() == ""


def test_the_return_page_asks_family_measures_then_a_grid_of_members(client_as, supported) -> None:
    page = client_as(Role.CASEWORKER).get(return_url(supported))
    assert page.status_code == 200
    form = page.context["form"]
    assert [field.label for field in form.family_fields()] == [
        "Homeless or in temporary accommodation", "Homelessness applications",
        "Notice seeking possession or eviction", "Rent arrears", "Problem or unsecured debt",
        "Domestic abuse incidents", "No adult in work",
    ]  # fmt: skip
    assert [measure.code for measure in form.individual_measures()] == [
        "ASB_INCIDENTS", "OFFENCES", "MISSING_EPISODES", "CHILD_STATUS", "SCHOOL_ATTENDANCE",
    ]  # fmt: skip
    rows = {who.forename: [cell is not None for cell in cells] for who, cells in form.member_rows()}
    # Sarah, at 39, is not asked the children's measures: her cells say so.
    assert rows == {"Sarah": [True, True, False, False, False], "Tunde": [True] * 5}
    page_text = text(page)
    assert page_text.count("Not asked") == 3
    assert "<title>Progress for family F100001, April to September 2024" in page_text
    # Yes/no and code lists are choices with "Not recorded" and "Unknown" of their own.
    assert list(form.fields[field_name(supported, "HOMELESS", None)].choices) == [
        ("", "Not recorded"), ("yes", "Yes"), ("no", "No"), ("unknown", "Unknown"),
    ]  # fmt: skip
    child_status = form.fields[field_name(supported, "CHILD_STATUS", "Tunde")]
    assert [code for code, _ in child_status.choices] == [
        "", "NONE", "CIN", "CPP", "LAC", "unknown",
    ]  # fmt: skip


def test_one_bad_value_saves_nothing_and_the_summary_names_the_member_and_measure(
    client_as, supported
) -> None:
    answers = dict(WHOLE_RETURN) | {("SCHOOL_ATTENDANCE", "Tunde"): "120"}
    response = post(client_as(Role.CASEWORKER), supported, answers)
    assert response.status_code == 200
    target = "id_" + field_name(supported, "SCHOOL_ATTENDANCE", "Tunde")
    assert error_summary(response) == [
        (target, "School attendance for Tunde Okafor must be between 0 and 100")
    ]
    page = text(response)
    assert "<title>Error: Progress for family F100001" in page
    # The summary's link leads to the cell, which carries its own message.
    assert f'id="{target}"' in page
    assert f'aria-describedby="{target}_1_error"' in page
    # What was typed is kept to correct, and nothing at all was saved.
    assert response.context["form"][target.removeprefix("id_")].value() == "120"
    assert not FamilyReturn.objects.exists()
    assert not ProgressValue.objects.exists()
    assert not supported.history.exists()


def test_every_bad_value_is_named_with_its_member_and_measure(client_as, supported) -> None:
    answers = {
        ("HOMELESSNESS_APPLICATIONS", None): "two",
        ("RENT_ARREARS", None): "12.345",
        ("DEBT_LEVEL", None): "-50",
        ("OFFENCES", "Sarah"): "1.5",
        ("SCHOOL_ATTENDANCE", "Tunde"): "92.55",
    }
    response = post(client_as(Role.CASEWORKER), supported, answers)
    assert error_summary(response) == [
        ("id_" + field_name(supported, "HOMELESSNESS_APPLICATIONS", None),
         "Homelessness applications for the family must be a whole number, 0 or more, or unknown"),
        ("id_" + field_name(supported, "RENT_ARREARS", None),
         "Rent arrears for the family must have no more than 2 decimal places"),
        ("id_" + field_name(supported, "DEBT_LEVEL", None),
         "Problem or unsecured debt for the family must be £0 or more"),
        ("id_" + field_name(supported, "OFFENCES", "Sarah"),
         "Proven offences for Sarah Okafor must be a whole number, 0 or more, or unknown"),
        ("id_" + field_name(supported, "SCHOOL_ATTENDANCE", "Tunde"),
         "School attendance for Tunde Okafor must have no more than 1 decimal place"),
    ]  # fmt: skip
    assert not ProgressValue.objects.exists()


@pytest.mark.parametrize(("code", "who"), [("HOMELESS", None), ("CHILD_STATUS", "Tunde")])
def test_a_choice_the_page_did_not_offer_is_refused(client_as, supported, code, who) -> None:
    answers = dict(WHOLE_RETURN) | {(code, who): "maybe"}
    response = post(client_as(Role.CASEWORKER), supported, answers)
    assert [target for target, _ in error_summary(response)] == [
        "id_" + field_name(supported, code, who)
    ]
    assert not ProgressValue.objects.exists()


def test_unknown_is_saved_as_a_value_of_its_own(client_as, supported) -> None:
    post(
        client_as(Role.CASEWORKER),
        supported,
        {
            ("HOMELESS", None): "unknown",
            ("DEBT_LEVEL", None): "Unknown",
            ("DA_INCIDENTS", None): "0",
            ("CHILD_STATUS", "Tunde"): "unknown",
            ("SCHOOL_ATTENDANCE", "Tunde"): "UNKNOWN",
        },
    )
    assert stored(supported) == {
        ("HOMELESS", None): "unknown",
        ("DEBT_LEVEL", None): "unknown",
        ("DA_INCIDENTS", None): "0",
        ("CHILD_STATUS", "Tunde"): "unknown",
        ("SCHOOL_ATTENDANCE", "Tunde"): "unknown",
    }


def test_a_blank_stays_not_recorded_and_blanking_an_unfinished_value_removes_it(
    client_as, supported
) -> None:
    client = client_as(Role.CASEWORKER)
    post(client, supported, {("DEBT_LEVEL", None): "100", ("OFFENCES", "Sarah"): "0"})
    assert stored(supported) == {("DEBT_LEVEL", None): "10000", ("OFFENCES", "Sarah"): "0"}
    # Saving again with the debt left blank: it is "not recorded" again, never 0.
    response = post(client, supported, {("OFFENCES", "Sarah"): "0"})
    assert response.status_code == 302
    assert stored(supported) == {("OFFENCES", "Sarah"): "0"}
    assert "1 of 14 values recorded" in text(client.get(return_url(supported)))
    change = supported.history.first().changes
    assert change == [
        {"field": "DEBT_LEVEL", "label": "Problem or unsecured debt (the family)",
         "old": "100.00", "new": ""},
    ]  # fmt: skip


def test_saving_an_empty_return_does_not_start_it(client_as, supported) -> None:
    response = post(client_as(Role.CASEWORKER), supported, {})
    assert response.status_code == 302
    assert not FamilyReturn.objects.exists()
    assert not supported.history.exists()


def test_saving_nothing_changed_writes_no_history(client_as, supported) -> None:
    client = client_as(Role.CASEWORKER)
    post(client, supported, {("HOMELESS", None): "no"})
    post(client, supported, {("HOMELESS", None): "no"})
    assert supported.history.count() == 1
    assert AuditEvent.objects.filter(action="progress_saved").count() == 1


def test_marking_complete_with_gaps_lists_each_gap_and_completes_nothing(
    client_as, supported
) -> None:
    client = client_as(Role.CASEWORKER)
    post(client, supported, {("HOMELESS", None): "no"})
    answers = dict(WHOLE_RETURN)
    del answers[("SCHOOL_ATTENDANCE", "Tunde")]
    del answers[("CHILD_STATUS", "Tunde")]
    del answers[("RENT_ARREARS", None)]
    response = post(client, supported, answers, action="complete")
    assert response.status_code == 200
    assert error_summary(response) == [
        ("id_" + field_name(supported, "RENT_ARREARS", None),
         "Enter rent arrears for the family, or unknown, before marking the return complete"),
        ("id_" + field_name(supported, "CHILD_STATUS", "Tunde"),
         "Enter children's social care status for Tunde Okafor, or unknown, before marking "
         "the return complete"),
        ("id_" + field_name(supported, "SCHOOL_ATTENDANCE", "Tunde"),
         "Enter school attendance for Tunde Okafor, or unknown, before marking the return "
         "complete"),
    ]  # fmt: skip
    family_return = FamilyReturn.objects.get(family=supported)
    assert family_return.status == ReturnStatus.IN_PROGRESS
    assert family_return.completed_at is None
    # All or nothing: the values typed alongside the gaps wait on the page to be saved.
    assert stored(supported) == {("HOMELESS", None): "no"}
    assert not AuditEvent.objects.filter(action="progress_completed").exists()


def test_a_return_with_every_value_is_marked_complete(client_as, make_user, supported) -> None:
    caseworker = make_user(Role.CASEWORKER)
    client = Client()
    force_login_verified(client, caseworker)
    response = post(client, supported, WHOLE_RETURN, action="complete")
    assert response.status_code == 302
    family_return = FamilyReturn.objects.get(family=supported)
    assert family_return.status == ReturnStatus.COMPLETE
    assert family_return.completed_by == caseworker
    assert family_return.completed_at is not None
    assert len(stored(supported)) == 14
    assert not ProgressValue.objects.filter(correction_pending=True).exists()
    assert AuditEvent.objects.filter(action="progress_completed").count() == 1
    page = text(client.get(response["Location"]))
    assert "Return saved and marked complete" in page
    assert '<strong class="govuk-tag govuk-tag--green">Complete</strong>' in page
    assert "Save and mark complete" not in page


def test_a_change_after_completion_is_a_correction_kept_in_the_familys_history(
    client_as, supported, period
) -> None:
    client = client_as(Role.CASEWORKER)
    post(client, supported, WHOLE_RETURN, action="complete")
    corrected = dict(WHOLE_RETURN) | {
        ("RENT_ARREARS", None): "900",
        ("SCHOOL_ATTENDANCE", "Tunde"): "unknown",
    }
    response = post(client, supported, corrected)
    assert response.status_code == 302
    assert FamilyReturn.objects.get(family=supported).status == ReturnStatus.COMPLETE
    flagged = {
        (value.measure.code, value.value)
        for value in ProgressValue.objects.filter(correction_pending=True).select_related("measure")
    }
    assert flagged == {("RENT_ARREARS", "90000"), ("SCHOOL_ATTENDANCE", "unknown")}
    entry = supported.history.get(action=FamilyHistoryEntry.Action.PROGRESS_CORRECTED)
    assert entry.note == period.label
    assert sorted(entry.changes, key=lambda change: change["field"]) == [
        {"field": "RENT_ARREARS", "label": "Rent arrears (the family)",
         "old": "1250.50", "new": "900.00"},
        {"field": "SCHOOL_ATTENDANCE", "label": "School attendance (Tunde Okafor)",
         "old": "92.5", "new": "unknown"},
    ]  # fmt: skip
    # A second correction keeps the flag and adds to the history.
    post(client, supported, corrected | {("RENT_ARREARS", None): "950"})
    assert ProgressValue.objects.get(measure__code="RENT_ARREARS").correction_pending
    assert supported.history.filter(action="progress_corrected").count() == 2


def test_a_value_of_a_complete_return_cannot_be_blanked(client_as, supported) -> None:
    client = client_as(Role.CASEWORKER)
    post(client, supported, WHOLE_RETURN, action="complete")
    answers = dict(WHOLE_RETURN)
    del answers[("DEBT_LEVEL", None)]
    response = post(client, supported, answers)
    assert response.status_code == 200
    assert [message for _, message in error_summary(response)] == [
        "A complete return cannot lose a value: enter unknown instead of leaving it blank"
    ]
    assert stored(supported)[("DEBT_LEVEL", None)] == "0"
    assert not supported.history.filter(action="progress_corrected").exists()


def test_a_family_not_supported_in_the_period_has_no_return_due(client_as, family) -> None:
    support(family, datetime.date(2024, 10, 1))  # after the summer of 2024
    client = client_as(Role.CASEWORKER)
    for response in (
        client.get(return_url(family)),
        client.post(return_url(family), form_data(family, WHOLE_RETURN)),
    ):
        assert response.status_code == 200
        assert "No return is due" in text(response)
        assert "was not receiving support at any time from 1 April 2024 to 30 September 2024" in (
            text(response)
        )
    assert not FamilyReturn.objects.exists()
    # The comparison group (never supported) likewise.
    other = FamilyFactory.create(local_authority=family.local_authority)
    assert "No return is due" in text(client.get(return_url(other)))


@pytest.mark.parametrize("role", [Role.DATA_OFFICER, Role.TEAM_MANAGER])
def test_a_data_officer_or_team_manager_can_record_progress(client_as, supported, role) -> None:
    response = post(client_as(role), supported, {("HOMELESS", None): "no"})
    assert response.status_code == 302
    assert stored(supported) == {("HOMELESS", None): "no"}


def test_an_admin_cannot_see_or_record_progress(client_as, supported) -> None:
    client = client_as(Role.ADMIN)
    assert client.get(return_url(supported)).status_code == 403
    assert post(client, supported, {("HOMELESS", None): "no"}).status_code == 403
    assert client.get(reverse("progress:due")).status_code == 403
    assert not ProgressValue.objects.exists()


def test_another_authoritys_user_gets_404_on_the_return_page(
    client_as, other_authority, supported
) -> None:
    client = client_as(Role.CASEWORKER, local_authority=other_authority)
    assert client.get(return_url(supported)).status_code == 404
    assert post(client, supported, {("HOMELESS", None): "no"}).status_code == 404
    assert not ProgressValue.objects.exists()


@pytest.mark.parametrize("start", ["2024-04-02", "1999-04-01", "not-a-date"])
def test_a_period_that_does_not_exist_is_404(client_as, supported, start) -> None:
    assert client_as(Role.CASEWORKER).get(return_url(supported, start)).status_code == 404


# What each caseworker has due. Dates are relative to today: the most recently ended period
# has its due date moved to next week (as an admin may), so its returns are being collected.


@pytest.fixture
def collecting() -> tuple[Period, Period]:
    today = timezone.localdate()
    latest, previous = Period.objects.filter(end_on__lt=today).order_by("-end_on")[:2]
    latest.due_on = today + datetime.timedelta(days=7)
    latest.save()
    assert previous.due_on < today
    return latest, previous


def supported_family(
    authority, lead: User | None, period: Period, la_family_id: str, *, members: int = 2
) -> Family:
    """A family supported during `period` only, with `lead` as its lead professional."""
    family = FamilyFactory.create(
        local_authority=authority, lead_professional=lead, la_family_id=la_family_id
    )
    IndividualFactory.create_batch(members, family=family)
    support(family, period.start_on, period.end_on)
    return family


def test_returns_due_shows_my_families_due_now_and_overdue_with_counts(
    authority, other_authority, make_user, collecting
) -> None:
    latest, previous = collecting
    me = make_user(Role.CASEWORKER)
    colleague = make_user(Role.CASEWORKER)
    supported_family(authority, me, latest, "F200001")
    supported_family(authority, me, previous, "F200002")  # overdue, not started
    started = supported_family(authority, me, previous, "F200003")  # overdue, in progress
    done = supported_family(authority, me, previous, "F200004")  # complete: not overdue
    supported_family(authority, colleague, latest, "F200005")
    supported_family(authority, colleague, previous, "F200006")
    supported_family(other_authority, None, latest, "F200007")
    in_progress = FamilyReturn.objects.create(family=started, period=previous)
    ProgressValue.objects.bulk_create(
        ProgressValue(family_return=in_progress, measure=measure, value="0")
        for measure in Measure.objects.filter(
            code__in=["DA_INCIDENTS", "HOMELESSNESS_APPLICATIONS"]
        )
    )
    FamilyReturn.objects.create(family=done, period=previous, status=ReturnStatus.COMPLETE)
    # Values of another period's return are not counted in this one's.
    older = FamilyReturn.objects.create(
        family=started, period=Period.objects.get(start_on=datetime.date(2015, 4, 1))
    )
    ProgressValue.objects.bulk_create(
        ProgressValue(family_return=older, measure=measure, value="unknown")
        for measure in Measure.objects.filter(level="family")
    )

    client = Client()
    force_login_verified(client, me)
    response = client.get(reverse("progress:due"))
    assert response.status_code == 200
    assert response.context["current"] == latest
    assert [row["family"].la_family_id for row in response.context["current_rows"]] == ["F200001"]
    assert [row["family"].la_family_id for row in response.context["page"]] == [
        "F200002", "F200003",
    ]  # fmt: skip
    page = text(response)
    assert f"{latest.label}: returns due by" in page
    assert "0 of 1 complete." in page
    assert "2 returns past their due date and not complete." in page
    assert "In progress</strong> (2 values)" in page
    for not_listed in ["F200004", "F200005", "F200006", "F200007"]:
        assert not_listed not in page
    started_url = return_url(started, previous.start_on.isoformat())
    assert f'href="{started_url}"' in page

    everyone = client.get(reverse("progress:due"), {"all": "1"})
    assert [row["family"].la_family_id for row in everyone.context["current_rows"]] == [
        "F200001", "F200005",
    ]  # fmt: skip
    assert [row["family"].la_family_id for row in everyone.context["page"]] == [
        "F200002", "F200003", "F200006",
    ]  # fmt: skip
    page = text(everyone)
    assert "0 of 2 complete." in page
    assert "3 returns past their due date and not complete." in page
    assert "F200007" not in page


def test_returns_due_counts_a_complete_current_return(authority, make_user, collecting) -> None:
    latest, _ = collecting
    me = make_user(Role.CASEWORKER)
    mine = supported_family(authority, me, latest, "F300001")
    supported_family(authority, me, latest, "F300002")
    FamilyReturn.objects.create(family=mine, period=latest, status=ReturnStatus.COMPLETE)
    client = Client()
    force_login_verified(client, me)
    page = text(client.get(reverse("progress:due")))
    assert "1 of 2 complete." in page
    assert "Nothing is overdue." in page


def test_the_latest_period_past_its_due_date_is_shown_overdue(authority, make_user) -> None:
    today = timezone.localdate()
    latest = Period.objects.filter(end_on__lt=today).order_by("-end_on")[0]
    latest.due_on = max(latest.end_on, today - datetime.timedelta(days=1))
    latest.save()
    me = make_user(Role.CASEWORKER)
    supported_family(authority, me, latest, "F000001")
    client = Client()
    force_login_verified(client, me)
    page = text(client.get(reverse("progress:due")))
    assert f"{latest.label}: returns" in page
    assert "Overdue</strong> since" in page
    assert "F000001" in page
    assert "Nothing is overdue." in page  # no earlier period owes anything


def test_returns_due_queries_do_not_grow_with_the_number_of_families(
    authority, make_user, collecting, django_assert_num_queries
) -> None:
    latest, previous = collecting
    me = make_user(Role.CASEWORKER)
    client = Client()
    force_login_verified(client, me)

    def add(count: int, start: int) -> None:
        for n in range(start, start + count):
            supported_family(authority, me, latest, f"F4{n:05d}", members=3)
            supported_family(authority, me, previous, f"F5{n:05d}", members=3)

    add(1, 0)
    client.get(reverse("progress:due"))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("progress:due"))
    add(6, 1)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(reverse("progress:due"))
    assert len(response.context["current_rows"]) == 7
    assert response.context["overdue_count"] == 7


def test_the_return_page_queries_do_not_grow_with_the_size_of_the_family(
    client_as, supported, django_assert_num_queries
) -> None:
    client = client_as(Role.CASEWORKER)
    post(client, supported, WHOLE_RETURN)
    client.get(return_url(supported))
    with CaptureQueriesContext(connection) as small:
        client.get(return_url(supported))
    for born in ["2010-05-01", "2008-01-01", "2003-03-03", "2018-07-07", "1960-01-01"]:
        IndividualFactory.create(family=supported, date_of_birth=datetime.date.fromisoformat(born))
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(return_url(supported))
    assert len(list(response.context["form"].member_rows())) == 7


def test_the_family_page_shows_the_progress_panel_for_each_ended_period_supported(
    client_as, supported
) -> None:
    client = client_as(Role.CASEWORKER)
    post(client, supported, WHOLE_RETURN, action="complete")
    page = text(client.get(reverse("families:detail", args=[supported.public_id])))
    assert "Family Progress Data" in page
    assert f'href="{return_url(supported)}">April to September 2024</a>' in page
    # Support began in January 2024: the winter before is due too, the summer of 2023 is not.
    assert return_url(supported, "2023-10-01") in page
    assert return_url(supported, "2023-04-01") not in page
    assert '<strong class="govuk-tag govuk-tag--green">Complete</strong>' in page
    # A period still running (or yet to come) is not due.
    today = timezone.localdate()
    for unfinished in Period.objects.filter(end_on__gte=today):
        assert return_url(supported, unfinished.start_on.isoformat()) not in page


def test_the_family_page_says_when_no_return_is_due(client_as, family) -> None:
    page = text(client_as(Role.CASEWORKER).get(reverse("families:detail", args=[family.public_id])))
    assert "Family Progress Data" in page
    assert "No return is due" in page
    assert not re.search(r"/progress/\d{4}-\d\d-\d\d/families/", page)


def test_a_period_still_running_has_no_return_yet(client_as, authority) -> None:
    today = timezone.localdate()
    running = Period.objects.get(start_on__lte=today, end_on__gte=today)
    family = FamilyFactory.create(local_authority=authority)
    IndividualFactory.create(family=family)
    support(family, running.start_on, running.end_on)
    response = client_as(Role.CASEWORKER).get(return_url(family, running.start_on.isoformat()))
    assert "This period has not ended" in text(response)
    assert "form" not in response.context
