"""Caseworkers find, create and change families through the pages; what they see and what
is stored, for each role."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from changing_lives.accounts.models import User
from changing_lives.accounts.roles import Role
from changing_lives.audit.models import AuditEvent
from changing_lives.authorities.models import LocalAuthority
from families.models import Family, FamilyHistoryEntry, FamilyStatus, Individual
from tests.factories import FamilyFactory, IndividualFactory
from tests.signing_in import force_login_verified

pytestmark = pytest.mark.django_db


def create_data(**overrides: str) -> dict[str, str]:
    data = {
        "la_family_id": "",
        "lead_professional": "",
        "referred_on_0": "3",
        "referred_on_1": "9",
        "referred_on_2": "2025",
        "address_line_1": "12 Harbour Road",
        "town": "Bristol",
        "postcode": "bs1 4dj",
        "la_individual_id": "",
        "forename": "Sarah",
        "surname": "O'Neill-Smith",
        "date_of_birth_0": "14",
        "date_of_birth_1": "2",
        "date_of_birth_2": "1988",
        "gender": "female",
        "relationship": "main_carer",
        "lives_in_household": "True",
        "nhs_number": "943 476 5919",
        "nino": "ab 12 34 56 c",
    }
    return data | overrides


def error_summary(response) -> str:
    html = response.content.decode()
    start = html.index('class="govuk-error-summary"')
    return html[start : html.index("</ul>", start)]


# --- who may do what -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "list_status", "create_status", "edit_status"),
    [
        (Role.CASEWORKER, 200, 200, 200),
        (Role.TEAM_MANAGER, 200, 200, 200),
        (Role.DATA_OFFICER, 200, 403, 200),
        (Role.ADMIN, 403, 403, 403),
    ],
)
def test_each_role_reaches_the_family_pages_its_permissions_allow(
    role, list_status, create_status, edit_status, client_as, family
) -> None:
    client = client_as(role)
    assert client.get(reverse("families:list")).status_code == list_status
    assert client.get(reverse("families:create")).status_code == create_status
    assert client.get(reverse("families:edit", args=[family.public_id])).status_code == edit_status


# --- the list --------------------------------------------------------------------------


def test_the_list_shows_each_family_with_its_main_contact(client_as, family) -> None:
    response = client_as(Role.CASEWORKER).get(reverse("families:list"))
    html = response.content.decode()
    assert "F100001" in html
    assert "Sarah Okafor" in html
    assert response.context["rows"][0]["contact"].forename == "Sarah"


def test_the_list_runs_the_same_number_of_queries_for_5_or_25_families(
    client_as, authority, django_assert_num_queries
) -> None:
    client = client_as(Role.CASEWORKER)

    def add_families(count: int) -> None:
        for _ in range(count):
            IndividualFactory.create_batch(
                3, family=FamilyFactory.create(local_authority=authority)
            )

    add_families(5)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("families:list"))
    add_families(20)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(reverse("families:list"))
    assert len(response.context["rows"]) == 25


@pytest.mark.parametrize(
    "query",
    [
        "okafor",
        "Sarah Okafor",
        "tunde",
        "F100001",
        "f100001",
        "I100002",
        "AB 12 34 56 C",
        "943-476-5919",
        "H801200001001",
    ],
)
def test_search_finds_the_family_by_name_reference_or_identifier(
    query, client_as, family, authority
) -> None:
    FamilyFactory.create(local_authority=authority, la_family_id="F999999")
    response = client_as(Role.CASEWORKER).get(reverse("families:list"), {"q": query})
    assert [row["family"].la_family_id for row in response.context["rows"]] == ["F100001"]


def test_a_search_that_matches_nothing_says_so(client_as, family) -> None:
    response = client_as(Role.CASEWORKER).get(reverse("families:list"), {"q": "Nobody"})
    assert response.context["rows"] == []
    assert "No families found" in response.content.decode()


def test_filters_by_status_and_my_caseload(client_as, make_user, authority) -> None:
    me = make_user(Role.CASEWORKER)
    mine = FamilyFactory.create(local_authority=authority, lead_professional=me)
    other = FamilyFactory.create(local_authority=authority, status=FamilyStatus.INTERVENTION)
    client = Client()
    force_login_verified(client, me)
    url = reverse("families:list")
    first = client.get(url).context["rows"][0]["family"]
    assert first == mine  # the user's own caseload comes first
    assert [r["family"] for r in client.get(url, {"mine": "on"}).context["rows"]] == [mine]
    assert [r["family"] for r in client.get(url, {"status": "intervention"}).context["rows"]] == [
        other
    ]


def _thirty_families_a_quarter_led_by(me: User, authority: LocalAuthority) -> list[Family]:
    return [
        FamilyFactory.create(
            local_authority=authority, lead_professional=me if n % 4 == 0 else None
        )
        for n in range(30)
    ]


def _caseload_first(families: list[Family], me: User) -> list[Family]:
    """The list's default order: the user's caseload, then the rest, each latest first."""
    return sorted(
        families, key=lambda f: (f.lead_professional != me, -f.updated_at.timestamp(), -f.pk)
    )


def test_the_default_list_pages_through_my_caseload_first_then_the_rest(
    client_as, make_user, authority
) -> None:
    me = make_user(Role.CASEWORKER)
    families = _thirty_families_a_quarter_led_by(me, authority)
    expected = _caseload_first(families, me)
    client = Client()
    force_login_verified(client, me)
    url = reverse("families:list")
    first = client.get(url).context
    second = client.get(url, {"page": "2"}).context
    shown = [row["family"] for row in first["rows"] + second["rows"]]
    assert shown == expected
    assert first["page"].paginator.count == 30


def test_a_search_pages_through_its_matches_my_caseload_first_or_as_sorted(
    client_as, make_user, authority
) -> None:
    # A search's ids are read once, in order, and each page's families by id (Found).
    me = make_user(Role.CASEWORKER)
    families = _thirty_families_a_quarter_led_by(me, authority)
    for family in families:
        IndividualFactory.create(family=family, surname="Okafor")
    IndividualFactory.create(family=FamilyFactory.create(local_authority=authority))
    client = Client()
    force_login_verified(client, me)
    url = reverse("families:list")

    def shown(**params: str) -> tuple[list[Family], int]:
        first = client.get(url, {"q": "okafor", **params}).context
        second = client.get(url, {"q": "okafor", "page": "2", **params}).context
        rows = [row["family"] for row in first["rows"] + second["rows"]]
        return rows, first["page"].paginator.count

    assert shown() == (_caseload_first(families, me), 30)
    assert shown(sort="la_family_id") == (sorted(families, key=lambda f: f.la_family_id), 30)


def test_a_search_with_too_many_matches_lists_none_and_asks_for_more_detail(
    make_user, authority, monkeypatch: pytest.MonkeyPatch
) -> None:
    from families.views import lists

    monkeypatch.setattr(lists, "SEARCH_MOST", 4)  # as if 4 were 1,000
    me = make_user(Role.CASEWORKER)
    smiths = [FamilyFactory.create(local_authority=authority) for _ in range(5)]
    for family in smiths[:4]:
        IndividualFactory.create(family=family, forename="Ann", surname="Smith")
    IndividualFactory.create(family=smiths[4], forename="Bob", surname="Smith")
    client = Client()
    force_login_verified(client, me)
    url = reverse("families:list")

    response = client.get(url, {"q": "smith"})
    page = response.content.decode()
    assert response.context["rows"] == []
    assert response.context["page"].paginator.count == 0
    assert "More than 4 families match" in page
    assert "No families found" not in page
    assert "Smith" not in page.replace('value="smith"', "")

    # Exactly the limit: every match is listed.
    narrower = client.get(url, {"q": "ann smith"})
    assert {row["family"] for row in narrower.context["rows"]} == set(smiths[:4])
    assert narrower.context["page"].paginator.count == 4
    assert "More than" not in narrower.content.decode()
    # A filter counts before the limit does.
    mine = client.get(url, {"q": "smith", "status": FamilyStatus.INTERVENTION})
    assert mine.context["too_many"] is False
    assert "No families found" in mine.content.decode()


def _families_of_smiths(authority: LocalAuthority, sizes: list[int]) -> list[Family]:
    families = []
    for size in sizes:
        family = FamilyFactory.create(local_authority=authority)
        for _ in range(size):
            IndividualFactory.create(family=family, surname="Smith")
        families.append(family)
    return families


@pytest.mark.parametrize(
    ("sizes", "params", "listed"),
    [
        # 24 matching people, 6 families: the first 20 people read hold 5 families (the
        # limit), so "too many" without reading the rest.
        ([4] * 6, {}, None),
        # The same under a filter: each filtered family is checked instead.
        ([4] * 6, {"status": FamilyStatus.INTERVENTION}, [0, 1]),
        # 24 people in 2 families: 20 people read, 2 families: both listed.
        ([12, 12], {}, [0, 1]),
    ],
)
def test_a_search_reads_only_as_many_matches_as_it_needs_and_answers_exactly(
    sizes, params, listed, make_user, authority, monkeypatch: pytest.MonkeyPatch
) -> None:
    from families import search
    from families.views import lists

    monkeypatch.setattr(lists, "SEARCH_MOST", 4)  # people read: (4 + 1) x 4 = 20
    assert search.MEMBERS_PER_FAMILY_READ == 4
    me = make_user(Role.CASEWORKER)
    families = _families_of_smiths(authority, sizes)
    for family in families[:2]:
        Family.objects.filter(pk=family.pk).update(status=FamilyStatus.INTERVENTION)
    client = Client()
    force_login_verified(client, me)

    response = client.get(reverse("families:list"), {"q": "smith", **params})
    if listed is None:
        assert response.context["too_many"] is True
        assert response.context["rows"] == []
    else:
        assert response.context["too_many"] is False
        assert {row["family"] for row in response.context["rows"]} == {families[i] for i in listed}


def test_a_large_authoritys_total_is_kept_a_minute_and_a_filtered_list_counted_each_time(
    make_user, authority, monkeypatch: pytest.MonkeyPatch
) -> None:
    from families.views import lists

    monkeypatch.setattr(lists, "LARGE_COUNT", 5)  # as if 5 were a large authority's total
    cache.clear()
    me = make_user(Role.CASEWORKER)
    for _ in range(5):
        FamilyFactory.create(local_authority=authority, lead_professional=me)
    client = Client()
    force_login_verified(client, me)
    url = reverse("families:list")
    assert client.get(url).context["page"].paginator.count == 5
    FamilyFactory.create(local_authority=authority)

    # The total is a minute old at most.
    assert client.get(url).context["page"].paginator.count == 5
    # Filtered, the list is counted each time.
    assert client.get(url, {"status": "referred"}).context["page"].paginator.count == 6
    cache.clear()
    assert client.get(url).context["page"].paginator.count == 6


def test_an_unknown_filter_value_shows_an_error_summary(client_as, family) -> None:
    response = client_as(Role.CASEWORKER).get(reverse("families:list"), {"status": "bogus"})
    assert "Select a valid choice" in error_summary(response)
    assert response.context["rows"] == []


# --- creating a family -----------------------------------------------------------------


def test_creating_a_family_stores_normalised_values_history_and_audit(client_as, authority) -> None:
    response = client_as(Role.CASEWORKER).post(reverse("families:create"), create_data())
    family = Family.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("families:detail", args=[family.public_id])
    assert family.la_family_id == "F000001"
    assert family.postcode == "BS1 4DJ"
    assert family.referred_on == datetime.date(2025, 9, 3)
    member = family.members.get()
    assert (member.la_individual_id, member.nhs_number, member.nino) == (
        "I000001",
        "9434765919",
        "AB123456C",
    )
    assert member.search_name == "SARAH O'NEILL-SMITH"
    assert list(family.history.values_list("action", flat=True)) == ["member_added", "created"]
    events = AuditEvent.objects.filter(action__in=["family_created", "member_added"])
    assert {e.object_id for e in events} == {str(family.public_id), str(member.public_id)}
    assert "Sarah" not in str(list(AuditEvent.objects.values()))


def test_a_wrong_nhs_check_digit_is_refused_and_nothing_is_saved(client_as) -> None:
    response = client_as(Role.CASEWORKER).post(
        reverse("families:create"), create_data(nhs_number="943 476 5918")
    )
    assert response.status_code == 200
    summary = error_summary(response)
    assert 'href="#id_nhs_number"' in summary
    assert "check digit" in summary
    assert "<title>Error: Add a family" in response.content.decode()
    assert not Family.objects.exists()
    assert not Individual.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("forename", "=HYPERLINK(1)", "must not start with =, +, - or @"),
        ("surname", "Smith2", "must only include letters"),
        ("date_of_birth_2", "2999", "must be today or in the past"),
        ("date_of_birth_2", "1900", "within the last 110 years"),
        ("date_of_birth_1", "13", "must be a real date"),
        ("date_of_birth_1", "", "must include a month"),
        ("postcode", "Q1 1AA", "postcode cannot be Q, V or X"),
        ("nino", "QQ123456C", "National Insurance number"),
        ("referred_on_0", "", "must include a day"),
        ("gender", "", "Select the gender"),
    ],
)
def test_bad_input_names_the_field_and_the_rule(field, value, message, client_as) -> None:
    response = client_as(Role.CASEWORKER).post(
        reverse("families:create"), create_data(**{field: value})
    )
    assert response.status_code == 200
    assert message in error_summary(response)
    assert not Family.objects.exists()


def test_an_identifier_another_member_holds_is_refused_with_a_link_to_them(
    client_as, family
) -> None:
    response = client_as(Role.CASEWORKER).post(
        reverse("families:create"), create_data(nino="AB123456C")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "already recorded for a member of family F100001" in error_summary(response)
    sarah = family.members.get(forename="Sarah")
    assert (
        f'href="{reverse("families:detail", args=[family.public_id])}#member-{sarah.public_id}"'
        in html
    )
    assert Family.objects.count() == 1


def test_a_typed_la_family_id_is_kept_and_a_used_one_refused(client_as, family) -> None:
    client = client_as(Role.CASEWORKER)
    fresh = {"nino": "", "nhs_number": ""}  # the fixture's members hold the defaults
    response = client.post(reverse("families:create"), create_data(la_family_id="f100001", **fresh))
    assert "LA family ID is already used, or was used before" in error_summary(response)
    client.post(reverse("families:create"), create_data(la_family_id="LA-7", **fresh))
    assert Family.objects.filter(la_family_id="LA-7").exists()


# --- the family page -------------------------------------------------------------------


def test_the_family_page_shows_members_and_is_audited_without_personal_data(
    client_as, family
) -> None:
    response = client_as(Role.CASEWORKER).get(reverse("families:detail", args=[family.public_id]))
    html = response.content.decode()
    assert "Sarah Okafor" in html
    assert "943 476 5919" in html
    assert "AB 12 34 56 C" in html
    event = AuditEvent.objects.get(action="family_viewed")
    assert event.object_id == str(family.public_id)


def test_editing_the_family_records_old_and_new_values(client_as, family) -> None:
    client = client_as(Role.CASEWORKER)
    response = client.post(
        reverse("families:edit", args=[family.public_id]),
        {
            "referred_on_0": "1", "referred_on_1": "4", "referred_on_2": "2024",
            "address_line_1": "1 New Street", "town": "Bristol", "postcode": "BS1 4DJ",
        },
    )  # fmt: skip
    assert response.status_code == 302
    entry = family.history.get(action=FamilyHistoryEntry.Action.UPDATED)
    assert {
        "field": "address_line_1",
        "label": "Address line 1",
        "old": "0 Test Street",
        "new": "1 New Street",
    } in entry.changes or any(change["new"] == "1 New Street" for change in entry.changes)
    history = client.get(reverse("families:history", args=[family.public_id])).content.decode()
    assert "1 New Street" in history
    assert AuditEvent.objects.filter(action="family_updated").count() == 1


def test_closing_before_opening_is_refused(client_as, family) -> None:
    response = client_as(Role.CASEWORKER).post(
        reverse("families:edit", args=[family.public_id]),
        {
            "referred_on_0": "1", "referred_on_1": "4", "referred_on_2": "2024",
            "case_opened_on_0": "1", "case_opened_on_1": "5", "case_opened_on_2": "2024",
            "case_closed_on_0": "1", "case_closed_on_1": "4", "case_closed_on_2": "2024",
        },
    )  # fmt: skip
    assert "Date case closed must be the same as or after the date opened" in error_summary(
        response
    )
