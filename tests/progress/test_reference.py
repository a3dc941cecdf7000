"""Periods and measures as reference data: an admin of any authority adds a period, moves its
due date, adds a measure, retires and restores one, each change validated (every message
naming its field and rule), saved whole or not at all, and audited; nobody else may."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from changing_lives.accounts.models import User
from changing_lives.accounts.roles import Role
from changing_lives.audit.actions import AuditAction
from changing_lives.audit.models import AuditEvent
from families.models import Family
from progress import reference
from progress.due import measures_asked, questions_for
from progress.models import FamilyReturn, Measure, Period, ProgressValue
from tests.signing_in import force_login_verified
from tests.test_other_authority import REFERENCE_DATA_URLS
from tests.urlwalk import walk

CHANGED = AuditAction.PROGRESS_REFERENCE_CHANGED.value
NOT_ADMINS = [Role.CASEWORKER, Role.TEAM_MANAGER, Role.DATA_OFFICER]


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def date_fields(name: str, text: str) -> dict[str, str]:
    value = day(text)
    return {
        f"{name}_0": str(value.day),
        f"{name}_1": str(value.month),
        f"{name}_2": str(value.year),
    }


def errors_of(call: Callable[[], object]) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as raised:
        call()
    error = raised.value
    return error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}


# The rules, over plain values (no database)

PERIOD_CASES = [
    # (start, end, due, problems)
    ("2040-04-01", "2040-09-30", "2040-10-30", {}),
    ("2040-04-01", "2040-09-30", "2040-09-30", {}),  # due on the last day is allowed
    ("2040-04-01", "2040-04-01", "2040-05-01", {"end_on": "End date must be after the start date"}),
    ("2040-04-01", "2040-03-01", "2040-05-01", {"end_on": "End date must be after the start date"}),
    ("2040-04-01", "2040-09-30", "2040-09-29",
     {"due_on": "Return due date must be the same as or after the end date"}),
    ("2040-04-01", "2040-03-01", "2040-02-01",
     {"end_on": "End date must be after the start date",
      "due_on": "Return due date must be the same as or after the end date"}),
]  # fmt: skip


@pytest.mark.parametrize(("start", "end", "due", "problems"), PERIOD_CASES)
def test_period_rules(start: str, end: str, due: str, problems: dict[str, str]) -> None:
    assert (
        reference.period_problems(start_on=day(start), end_on=day(end), due_on=day(due)) == problems
    )


GOOD_MEASURE: dict[str, Any] = {
    "code": "SCHOOL_EXCLUSIONS",
    "label": "School exclusions",
    "description": "In the period",
    "level": "individual",
    "kind": "count",
    "unit": "",
    "codes": [],
    "min_age": 5,
    "max_age": 16,
}
CODE_LIST = [("NONE", "None"), ("FIXED", "Fixed-term")]

MEASURE_CASES = [
    # (changes to a good measure, {field: message})
    ({}, {}),
    ({"code": ""}, {"code": "Enter a code"}),
    ({"code": "school exclusions"}, {"code": "Code must contain only capital letters A to Z, "
                                              "digits 0 to 9 and underscores, like "
                                              "SCHOOL_EXCLUSIONS"}),
    ({"code": "A" * 41}, {"code": "Code must be 40 characters or fewer"}),
    ({"label": ""}, {"label": "Enter a label"}),
    ({"label": "L" * 121}, {"label": "Label must be 120 characters or fewer"}),
    ({"description": "D" * 251}, {"description": "Description must be 250 characters or fewer"}),
    ({"level": "household"}, {"level": "Level must be family or individual"}),
    ({"kind": "text"}, {"kind": "Kind must be one of: yes_no_unknown, count, money, "
                                "percentage, code"}),
    ({"unit": "episodes"}, {}),
    ({"unit": "U" * 21}, {"unit": "Unit must be 20 characters or fewer"}),
    ({"kind": "money", "unit": "GBP"}, {}),
    ({"kind": "money", "unit": "EUR"}, {"unit": "Unit of a money measure must be GBP, or blank"}),
    ({"kind": "percentage", "unit": "pc"},
     {"unit": "Unit of a percentage measure must be %, or blank"}),
    ({"kind": "yes_no_unknown", "unit": "people"},
     {"unit": "Unit is only for a count, money or a percentage: leave it blank for this kind"}),
    ({"kind": "code", "codes": CODE_LIST}, {}),
    ({"kind": "code", "codes": []},
     {"codes": "Codes must list at least 2 codes for a code list, one a line, "
               "like CIN: Child in need"}),
    ({"kind": "code", "codes": [("NONE", "None")]},
     {"codes": "Codes must list at least 2 codes for a code list, one a line, "
               "like CIN: Child in need"}),
    ({"kind": "code", "codes": [*CODE_LIST, ("PERM", "")]},
     {"codes": "Codes must each have a label after a colon: write PERM: and its label"}),
    ({"kind": "code", "codes": [*CODE_LIST, ("", "Permanent")]},
     {"codes": "Codes must each start with a code before the colon: “Permanent” has none"}),
    ({"kind": "code", "codes": [*CODE_LIST, ("PERM-1", "Permanent")]},
     {"codes": "Codes must contain only capital letters A to Z, digits 0 to 9 and "
               "underscores: PERM-1 does not"}),
    ({"kind": "code", "codes": [*CODE_LIST, ("P" * 21, "Permanent")]},
     {"codes": f"Codes must be 20 characters or fewer: {'P' * 21} is longer"}),
    ({"kind": "code", "codes": [*CODE_LIST, ("NONE", "Again")]},
     {"codes": "Codes must be different from each other: NONE is listed twice"}),
    ({"kind": "code", "codes": [*CODE_LIST, ("UNKNOWN", "Not known")]},
     {"codes": "Codes must not include UNKNOWN: unknown is always offered for every measure"}),
    ({"codes": CODE_LIST},
     {"codes": "Codes are only for a code list: leave them blank for this kind of measure"}),
    ({"min_age": None, "max_age": None}, {}),
    ({"min_age": 0, "max_age": 120}, {}),
    ({"min_age": 16, "max_age": 16}, {}),
    ({"min_age": -1}, {"min_age": "Youngest age must be between 0 and 120"}),
    ({"max_age": 121}, {"max_age": "Oldest age must be between 0 and 120"}),
    ({"min_age": 17, "max_age": 16},
     {"max_age": "Oldest age must be the same as or more than the youngest age"}),
    ({"level": "family"},
     {"min_age": "Ages are only for a measure of each member: leave them blank for a family "
                 "measure"}),
    ({"level": "family", "min_age": None},
     {"max_age": "Ages are only for a measure of each member: leave them blank for a family "
                 "measure"}),
    ({"level": "family", "min_age": None, "max_age": None}, {}),
    # Every problem at once, so the admin can fix them all in one go.
    ({"code": "", "label": "", "kind": "code"},
     {"code": "Enter a code", "label": "Enter a label",
      "codes": "Codes must list at least 2 codes for a code list, one a line, "
               "like CIN: Child in need"}),
]  # fmt: skip


@pytest.mark.parametrize(("changes", "problems"), MEASURE_CASES)
def test_measure_rules(changes: dict[str, Any], problems: dict[str, str]) -> None:
    assert reference.measure_problems(**(GOOD_MEASURE | changes)) == problems


@pytest.mark.parametrize(
    ("typed", "pairs"),
    [
        ("", []),
        ("NONE: None\nCIN: Child in need", [("NONE", "None"), ("CIN", "Child in need")]),
        ("  cin :  Child in need  \r\n\n", [("cin", "Child in need")]),
        ("CIN", [("CIN", "")]),
        ("CIN: Child: in need", [("CIN", "Child: in need")]),
        (": Orphan label", [("", "Orphan label")]),
    ],
)
def test_a_code_list_is_typed_one_code_a_line(typed: str, pairs: list[tuple[str, str]]) -> None:
    assert reference.codes_parse(typed) == pairs


# The services


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user(Role.ADMIN)


def changes_recorded() -> list[tuple[str, str]]:
    return list(AuditEvent.objects.filter(action=CHANGED).values_list("object_type", "object_id"))


@pytest.mark.django_db
def test_adding_a_period_defaults_its_due_date_and_is_audited(admin: User) -> None:
    period = reference.period_add(actor=admin, start_on=day("2040-04-01"), end_on=day("2040-09-30"))
    assert (period.start_on, period.end_on, period.due_on) == (
        day("2040-04-01"), day("2040-09-30"), day("2040-10-30"),
    )  # fmt: skip
    event = AuditEvent.objects.get(action=CHANGED)
    assert (event.object_type, event.object_id) == ("progress.period", str(period.pk))
    assert event.actor == admin
    assert event.local_authority == admin.local_authority


@pytest.mark.django_db
def test_a_period_can_be_added_with_its_own_due_date(admin: User) -> None:
    period = reference.period_add(
        actor=admin, start_on=day("2014-10-01"), end_on=day("2015-03-31"), due_on=day("2015-06-01")
    )
    assert period.due_on == day("2015-06-01")


def retire_neet() -> None:
    Measure.objects.filter(code="NEET").update(retired_on=day("2025-04-01"))


def neet() -> Measure:
    return Measure.objects.get(code="NEET")


# Every refused change: (what, set-up, the call, the errors by field). Each says its field and
# rule, and saves and audits nothing.
REFUSALS: list[tuple[str, Callable[[], None] | None, Callable[[User], object], dict[str, Any]]] = [
    ("period overlapping April to September 2024", None,
     lambda actor: reference.period_add(
         actor=actor, start_on=day("2024-09-01"), end_on=day("2024-12-31")),
     {"start_on": ["Start and end dates must not overlap another period: April to September "
                   "2024 runs from 1 April 2024 to 30 September 2024"]}),
    ("period inside another", None,
     lambda actor: reference.period_add(
         actor=actor, start_on=day("2024-05-01"), end_on=day("2024-05-31")),
     {"start_on": ["Start and end dates must not overlap another period: April to September "
                   "2024 runs from 1 April 2024 to 30 September 2024"]}),
    ("period ending before it starts", None,
     lambda actor: reference.period_add(
         actor=actor, start_on=day("2040-04-01"), end_on=day("2040-01-01")),
     {"end_on": ["End date must be after the start date"]}),
    ("period due before it ends", None,
     lambda actor: reference.period_add(
         actor=actor, start_on=day("2040-04-01"), end_on=day("2040-09-30"),
         due_on=day("2040-09-01")),
     {"due_on": ["Return due date must be the same as or after the end date"]}),
    ("due date moved before the period ends", None,
     lambda actor: reference.period_change_due(
         actor=actor, period=Period.objects.get(start_on=day("2024-04-01")),
         due_on=day("2024-09-29")),
     {"due_on": ["Return due date must be the same as or after the end date"]}),
    ("measure with a code already used", None,
     lambda actor: reference.measure_add(actor=actor, **(GOOD_MEASURE | {"code": "neet"})),
     {"code": ["Code must be unique: NEET is already used by “Not in education, employment "
               "or training”"]}),
    ("code list with one code", None,
     lambda actor: reference.measure_add(
         actor=actor, **(GOOD_MEASURE | {"kind": "code", "codes": [("YES", "Excluded")]})),
     {"codes": ["Codes must list at least 2 codes for a code list, one a line, like CIN: "
                "Child in need"]}),
    ("family measure with ages and a bad code", None,
     lambda actor: reference.measure_add(
         actor=actor, **(GOOD_MEASURE | {"code": "FOOD BANK", "level": "family"})),
     {"code": ["Code must contain only capital letters A to Z, digits 0 to 9 and underscores, "
               "like SCHOOL_EXCLUSIONS"],
      "min_age": ["Ages are only for a measure of each member: leave them blank for a family "
                  "measure"]}),
    ("retiring a retired measure", retire_neet,
     lambda actor: reference.measure_retire(
         actor=actor, measure=neet(), retired_on=day("2026-04-01")),
     {"retired_on": ["NEET is already retired, from 1 April 2025: restore it first to "
                     "change the date"]}),
    ("restoring a measure in use", None,
     lambda actor: reference.measure_restore(actor=actor, measure=neet()),
     {"__all__": ["NEET is in use: only a retired measure can be restored"]}),
]  # fmt: skip


def reference_data() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    return (
        list(Period.objects.order_by("pk").values_list()),
        list(Measure.objects.order_by("pk").values_list()),
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("setup", "call", "errors"), [case[1:] for case in REFUSALS], ids=[case[0] for case in REFUSALS]
)
def test_a_refused_change_says_why_and_saves_nothing(
    admin: User,
    setup: Callable[[], None] | None,
    call: Callable[[User], object],
    errors: dict[str, list[str]],
) -> None:
    if setup:
        setup()
    before = reference_data()
    assert errors_of(lambda: call(admin)) == errors
    assert reference_data() == before
    assert changes_recorded() == []


@pytest.mark.django_db
def test_moving_a_due_date_is_saved_and_audited(admin: User) -> None:
    period = Period.objects.get(start_on=day("2024-04-01"))
    reference.period_change_due(actor=admin, period=period, due_on=day("2024-11-15"))
    period.refresh_from_db()
    assert period.due_on == day("2024-11-15")
    assert changes_recorded() == [("progress.period", str(period.pk))]


@pytest.mark.django_db
def test_adding_a_measure_normalises_it_puts_it_last_and_is_audited(admin: User) -> None:
    last = Measure.objects.order_by("-order").first()
    assert last is not None
    measure = reference.measure_add(
        actor=admin, code=" exclusion_type ", label=" Exclusion ", description="",
        level="individual", kind="code", unit="",
        codes=[("none", "None"), (" fixed", " Fixed-term ")], min_age=None, max_age=17,
    )  # fmt: skip
    measure.refresh_from_db()
    assert (measure.code, measure.label, measure.codes) == (
        "EXCLUSION_TYPE", "Exclusion", [["NONE", "None"], ["FIXED", "Fixed-term"]],
    )  # fmt: skip
    assert measure.order == last.order + 1
    assert measure.retired_on is None
    assert changes_recorded() == [("progress.measure", str(measure.pk))]


@pytest.mark.parametrize(("kind", "typed", "stored"), [
    ("money", "", "GBP"), ("money", "gbp", "GBP"), ("percentage", "", "%"),
    ("count", "episodes", "episodes"), ("count", "", ""), ("yes_no_unknown", "", ""),
])  # fmt: skip
@pytest.mark.django_db
def test_money_is_in_gbp_and_percentages_in_percent(
    admin: User, kind: str, typed: str, stored: str
) -> None:
    measure = reference.measure_add(
        actor=admin, **(GOOD_MEASURE | {"kind": kind, "unit": typed, "level": "family",
                                        "min_age": None, "max_age": None})
    )  # fmt: skip
    assert measure.unit == stored


@pytest.mark.django_db
def test_retiring_and_restoring_a_measure_is_audited(admin: User) -> None:
    neet = Measure.objects.get(code="NEET")
    reference.measure_retire(actor=admin, measure=neet, retired_on=day("2026-04-01"))
    assert Measure.objects.get(code="NEET").retired_on == day("2026-04-01")
    assert not Measure.objects.in_use().filter(code="NEET").exists()
    reference.measure_restore(actor=admin, measure=neet)
    assert Measure.objects.get(code="NEET").retired_on is None
    assert changes_recorded() == [("progress.measure", str(neet.pk))] * 2


# What returns ask for


def codes_asked(family: Family, period: Period) -> list[tuple[str | None, str]]:
    return [
        (q.individual.forename if q.individual else None, q.measure.code)
        for q in questions_for(family, period, measures_asked(period))
    ]


@pytest.mark.django_db
def test_a_new_measure_is_asked_in_the_next_return_of_the_members_it_applies_to(
    admin: User, family: Family
) -> None:
    # The period running now: Sarah (born 1985) is an adult, Tunde (born 2014) of school age.
    period = Period.objects.filter(end_on__gte=timezone.localdate()).order_by("start_on")[0]
    ended = Period.objects.get(start_on=day("2024-04-01"))
    reference.measure_add(actor=admin, **GOOD_MEASURE)
    reference.measure_add(
        actor=admin, **(GOOD_MEASURE | {"code": "FOOD_BANK", "label": "Used a food bank",
                                        "level": "family", "kind": "yes_no_unknown",
                                        "min_age": None, "max_age": None})
    )  # fmt: skip
    asked = codes_asked(family, period)
    assert (None, "FOOD_BANK") in asked
    assert ("Tunde", "SCHOOL_EXCLUSIONS") in asked
    assert ("Sarah", "SCHOOL_EXCLUSIONS") not in asked
    # New measures come after the shipped ones.
    assert asked.index((None, "FOOD_BANK")) > asked.index((None, "WORKLESS_HOUSEHOLD"))
    # A period that ended before the measure was added is left as it was.
    assert (None, "FOOD_BANK") not in codes_asked(family, ended)


@pytest.mark.django_db
def test_a_retired_measure_is_asked_for_earlier_periods_only_and_its_values_stay(
    admin: User, family: Family
) -> None:
    winter = Period.objects.get(start_on=day("2024-10-01"))  # ends 31 March 2025
    summer = Period.objects.get(start_on=day("2025-04-01"))  # ends 30 September 2025
    homeless = Measure.objects.get(code="HOMELESS")
    family_return = FamilyReturn.objects.create(family=family, period=winter)
    ProgressValue.objects.create(family_return=family_return, measure=homeless, value="yes")

    reference.measure_retire(actor=admin, measure=homeless, retired_on=day("2025-04-01"))

    assert (None, "HOMELESS") in codes_asked(family, winter)
    assert (None, "HOMELESS") not in codes_asked(family, summer)
    assert family_return.values.get(measure=homeless).value == "yes"

    reference.measure_restore(actor=admin, measure=homeless)
    assert (None, "HOMELESS") in codes_asked(family, summer)


@pytest.mark.django_db
def test_a_measure_retired_on_a_periods_last_day_is_not_asked_for_it(admin: User) -> None:
    winter = Period.objects.get(start_on=day("2024-10-01"))
    homeless = Measure.objects.get(code="HOMELESS")
    reference.measure_retire(actor=admin, measure=homeless, retired_on=winter.end_on)
    assert homeless not in measures_asked(winter)


# Who reaches the pages

REFERENCE_URLS = sorted(REFERENCE_DATA_URLS)


# A real period and measure for every parameter these URLs take (the walk of other
# authorities' records fills the same names in tests/test_other_authority.py).
REFERENCE_ARGUMENTS = {"period_start": "2024-04-01", "measure_code": "HOMELESS"}


def reference_path(name: str) -> str:
    url = next(url for url in walk() if url.name == name)
    return reverse(name, kwargs={key: REFERENCE_ARGUMENTS[key] for key in url.parameters})


def test_every_reference_data_page_is_listed_as_one() -> None:
    under_reference = {url.name for url in walk() if url.path.startswith("/progress/reference/")}
    assert under_reference == REFERENCE_DATA_URLS


@pytest.mark.django_db
@pytest.mark.parametrize("name", REFERENCE_URLS)
@pytest.mark.parametrize("whose", ["home", "other"])
def test_an_admin_of_any_authority_reaches_every_reference_data_page(
    name: str, whose: str, client_as, other_authority
) -> None:
    client = client_as(Role.ADMIN, local_authority=other_authority if whose == "other" else None)
    assert client.get(reference_path(name)).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("name", REFERENCE_URLS)
@pytest.mark.parametrize("role", NOT_ADMINS)
@pytest.mark.parametrize("whose", ["home", "other"])
def test_nobody_but_an_admin_may_open_or_post_to_a_reference_data_page(
    name: str, role: Role, whose: str, client_as, other_authority
) -> None:
    client = client_as(role, local_authority=other_authority if whose == "other" else None)
    path = reference_path(name)
    assert client.get(path).status_code == 403
    assert client.post(path).status_code == 403
    assert changes_recorded() == []


@pytest.mark.django_db
def test_admins_are_offered_the_page_on_their_home_page_and_others_are_not(client_as) -> None:
    link = f'href="{reverse("progress:reference")}"'
    assert link in client_as(Role.ADMIN).get(reverse("pages:home")).content.decode()
    for role in NOT_ADMINS:
        assert link not in client_as(role).get(reverse("pages:home")).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "argument"),
    [("progress:period_due", "2031-13-01"), ("progress:period_due", "2000-04-01"),
     ("progress:measure_retire", "NO_SUCH"), ("progress:measure_restore", "homeless")],
)  # fmt: skip
def test_an_unknown_period_or_measure_is_404(name: str, argument: str, client_as) -> None:
    assert client_as(Role.ADMIN).get(reverse(name, args=[argument])).status_code == 404


# The pages


@pytest.fixture
def admin_client(admin: User) -> Client:
    client = Client()
    force_login_verified(client, admin)
    return client


@pytest.mark.django_db
def test_the_list_shows_periods_newest_first_and_every_measure(admin_client: Client) -> None:
    Measure.objects.filter(code="NEET").update(retired_on=day("2025-04-01"))
    later = datetime.date.today() + datetime.timedelta(days=400)
    Measure.objects.filter(code="DEBT_LEVEL").update(retired_on=later)
    response = admin_client.get(reverse("progress:reference"))
    html = response.content.decode()
    periods = list(response.context["periods"])
    assert periods == sorted(periods, key=lambda period: period.start_on, reverse=True)
    assert "shared by every local authority" in html
    assert "April to September 2024" in html
    assert "30 October 2024" in html
    rows = {row.measure.code: row for row in response.context["measure_rows"]}
    assert (rows["NEET"].ages, rows["NEET"].status) == ("16 to 24", "Retired")
    assert rows["NEET"].retired_from == "1 April 2025"
    assert "Retired</strong> from 1 April 2025" in html
    assert (rows["OFFENCES"].ages, rows["MISSING_EPISODES"].ages) == ("10 and over", "17 and under")
    assert (rows["ASB_INCIDENTS"].ages, rows["HOMELESS"].ages) == ("All ages", "Not applicable")
    assert rows["HOMELESS"].status == "In use"
    assert rows["DEBT_LEVEL"].status == "Retiring"
    assert reverse("progress:measure_restore", args=["NEET"]) in html
    assert reverse("progress:measure_retire", args=["HOMELESS"]) in html
    assert reverse("progress:period_due", args=["2024-04-01"]) in html


@pytest.mark.django_db
def test_the_list_takes_the_same_queries_however_long_it_is(
    admin: User, admin_client: Client, django_assert_num_queries
) -> None:
    with CaptureQueriesContext(connection) as before:
        admin_client.get(reverse("progress:reference"))
    for year in (2041, 2042):
        reference.period_add(
            actor=admin, start_on=day(f"{year}-04-01"), end_on=day(f"{year}-09-30")
        )
        reference.measure_add(actor=admin, **(GOOD_MEASURE | {"code": f"EXTRA_{year}"}))
    with django_assert_num_queries(len(before.captured_queries)):
        admin_client.get(reverse("progress:reference"))


@pytest.mark.django_db
def test_an_admin_adds_a_period_through_the_page(admin_client: Client) -> None:
    data = date_fields("start_on", "2040-04-01") | date_fields("end_on", "2040-09-30")
    response = admin_client.post(reverse("progress:period_add"), data, follow=True)
    assert "April to September 2040 added: returns due by 30 October 2040" in (
        response.content.decode()
    )
    assert Period.objects.filter(start_on=day("2040-04-01"), due_on=day("2040-10-30")).exists()


@pytest.mark.django_db
def test_an_overlapping_period_is_refused_on_its_start_date(admin_client: Client) -> None:
    data = date_fields("start_on", "2024-09-01") | date_fields("end_on", "2024-12-31")
    response = admin_client.post(reverse("progress:period_add"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: Add a period" in html
    assert "govuk-error-summary" in html
    assert 'href="#id_start_on_0"' in html or 'href="#id_start_on"' in html
    assert response.context["form"].errors["start_on"] == [
        "Start and end dates must not overlap another period: April to September 2024 runs "
        "from 1 April 2024 to 30 September 2024"
    ]
    assert not Period.objects.filter(start_on=day("2024-09-01")).exists()


@pytest.mark.django_db
def test_an_admin_moves_a_due_date_through_the_page(admin_client: Client) -> None:
    path = reverse("progress:period_due", args=["2024-04-01"])
    form = admin_client.get(path).context["form"]
    assert form.initial["due_on"] == day("2024-10-30")
    too_early = admin_client.post(path, date_fields("due_on", "2024-09-01"))
    assert too_early.context["form"].errors["due_on"] == [
        "Return due date must be the same as or after the end date"
    ]
    response = admin_client.post(path, date_fields("due_on", "2024-11-29"), follow=True)
    assert "April to September 2024: returns now due by 29 November 2024" in (
        response.content.decode()
    )
    assert Period.objects.get(start_on=day("2024-04-01")).due_on == day("2024-11-29")


MEASURE_FORM = {
    "code": "exclusion_type",
    "label": "School exclusion",
    "description": "At the end of the period",
    "level": "individual",
    "kind": "code",
    "codes": "NONE: None\nFIXED: Fixed-term",
    "unit": "",
    "min_age": "5",
    "max_age": "",
}


@pytest.mark.django_db
def test_an_admin_adds_a_measure_through_the_page(admin_client: Client) -> None:
    response = admin_client.post(reverse("progress:measure_add"), MEASURE_FORM, follow=True)
    assert "Measure EXCLUSION_TYPE added" in response.content.decode()
    measure = Measure.objects.get(code="EXCLUSION_TYPE")
    assert (measure.codes, measure.min_age, measure.max_age) == (
        [["NONE", "None"], ["FIXED", "Fixed-term"]], 5, None,
    )  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"codes": "NONE: None"}, "codes",
         "Codes must list at least 2 codes for a code list, one a line, like CIN: Child in need"),
        ({"code": "HOMELESS"}, "code",
         "Code must be unique: HOMELESS is already used by “Homeless or in temporary "
         "accommodation”"),
        ({"min_age": "five"}, "min_age", "Youngest age must be a whole number, like 16"),
        ({"kind": ""}, "kind", "Select what kind of value the measure is"),
        ({"label": ""}, "label", "Enter a label"),
    ],
)  # fmt: skip
def test_a_measure_with_a_mistake_is_shown_again_with_the_error(
    admin_client: Client, changes: dict[str, str], field: str, message: str
) -> None:
    count = Measure.objects.count()
    response = admin_client.post(reverse("progress:measure_add"), MEASURE_FORM | changes)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert "govuk-error-summary" in response.content.decode()
    assert Measure.objects.count() == count
    assert changes_recorded() == []


@pytest.mark.django_db
def test_an_admin_retires_then_restores_a_measure_through_the_pages(admin_client: Client) -> None:
    retire = reverse("progress:measure_retire", args=["NEET"])
    page = admin_client.get(retire)
    assert page.context["form"].initial["retired_on"] == datetime.date.today()
    assert "values already recorded are kept" in page.content.decode()
    response = admin_client.post(retire, date_fields("retired_on", "2026-04-01"), follow=True)
    assert "Measure NEET retired from 1 April 2026" in response.content.decode()
    assert Measure.objects.get(code="NEET").retired_on == day("2026-04-01")

    # Retiring it again is not offered: the page says it is retired already.
    assert "NEET is already retired" in admin_client.get(retire).content.decode()

    restore = reverse("progress:measure_restore", args=["NEET"])
    response = admin_client.post(restore, follow=True)
    assert "Measure NEET restored" in response.content.decode()
    assert Measure.objects.get(code="NEET").retired_on is None
    assert "NEET is in use" in admin_client.get(restore).content.decode()
    assert len(changes_recorded()) == 2
