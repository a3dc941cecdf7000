"""Every list page runs the same number of queries whatever the number of rows it shows: no
query per row, in the view or in its template (the Scale issue).

Each test loads a page at a small size, then at a larger one (a full page where the list
is paginated), and asserts the same number of queries, captured by Django. The first
request of a session is made before measuring: it may write the session (the timeout
middleware's timestamps), which is not the list's work.

Lists tested beside their own pages: the family list's default order and the purge filter
(tests/families/test_family_pages.py, tests/retention/test_pages.py), returns due and a
return (tests/progress/test_returns.py), completeness periods, a period's families and its
gaps CSV (tests/progress/test_completeness.py), the progress reference data
(tests/progress/test_reference.py), NIS submissions and a submission's issues
(tests/nis_export/test_pages.py).
"""

import datetime
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from changing_lives.accounts.models import User
from changing_lives.accounts.roles import Role
from changing_lives.audit.actions import AuditAction
from changing_lives.audit.services import audit_record
from changing_lives.authorities.models import LocalAuthority
from changing_lives.retention.models import Hold, HoldKind, PurgeRun, PurgeStatus
from eligibility.models import Assessment, CriterionMet, Headline
from families.history import history_record
from families.models import Family, FamilyHistoryEntry, FamilyStatus
from nis_export.models import RecipientKey
from tests.factories import FamilyFactory, IndividualFactory
from tests.signing_in import force_login_verified

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client()
    force_login_verified(client, user)
    client.get(reverse("pages:home"))  # the session's first write is not the list's
    return client


def queries_of(client: Client, path: str, params: dict[str, str] | None = None) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, params or {})
    assert response.status_code == 200, path
    return len(captured.captured_queries)


def assert_constant(
    client: Client,
    path: str,
    grow: Callable[[], object],
    django_assert_num_queries,
    params: dict[str, str] | None = None,
):
    client.get(path, params or {})  # shows and clears any message waiting in the session
    small = queries_of(client, path, params)
    grow()
    with django_assert_num_queries(small):
        response = client.get(path, params or {})
    return response


def yesterday() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=1)


# --- Families ----------------------------------------------------------------------------


def families_with_members(
    authority: LocalAuthority, count: int, *, surname: str = "Okafor", lead: User | None = None
) -> list[Family]:
    made = []
    for _ in range(count):
        family = FamilyFactory.create(local_authority=authority, lead_professional=lead)
        IndividualFactory.create(family=family, surname=surname)
        IndividualFactory.create(family=family, surname="Ng")  # a whole short surname
        made.append(family)
    return made


@pytest.mark.parametrize(
    ("params", "mine"),
    [
        ({"q": "Okafor"}, True),
        ({"q": "ng"}, True),
        ({"mine": "on"}, True),
        ({"status": FamilyStatus.REFERRED}, True),
        ({"sort": "la_family_id"}, True),
        # Caseload first: page 2 is the end of my caseload and the start of the rest, read
        # by a query each, at both sizes.
        ({"page": "2"}, False),
    ],
    ids=["name search", "short name", "my caseload", "status", "sorted", "second page"],
)
def test_the_family_list_runs_the_same_queries_for_a_few_families_or_a_full_page(
    params, mine, authority, make_user, django_assert_num_queries
) -> None:
    me = make_user(Role.CASEWORKER)
    client = signed_in(me)
    families_with_members(authority, 27, lead=me)  # page 2 has 2 of them, then 3 others
    families_with_members(authority, 3, lead=None)
    response = assert_constant(
        client,
        reverse("families:list"),
        lambda: families_with_members(authority, 25, lead=me if mine else None),
        django_assert_num_queries,
        params,
    )
    assert len(response.context["rows"]) == 25


def test_the_caseload_first_list_runs_the_same_queries_when_a_page_spans_both_parts(
    authority, make_user, django_assert_num_queries
) -> None:
    me = make_user(Role.CASEWORKER)
    client = signed_in(me)
    families_with_members(authority, 2, lead=me)
    families_with_members(authority, 2, lead=None)
    response = assert_constant(
        client,
        reverse("families:list"),
        lambda: (
            families_with_members(authority, 10, lead=me),
            families_with_members(authority, 20, lead=None),
        ),
        django_assert_num_queries,
    )
    rows = response.context["rows"]
    assert [row["family"].lead_professional_id for row in rows] == [me.pk] * 12 + [None] * 13


def test_a_familys_page_runs_the_same_queries_for_two_or_eight_members(
    authority, make_user, django_assert_num_queries
) -> None:
    client = signed_in(make_user(Role.CASEWORKER))
    family = FamilyFactory.create(local_authority=authority)
    IndividualFactory.create_batch(2, family=family)
    actors = [make_user(Role.CASEWORKER) for _ in range(3)]

    def grow() -> None:
        IndividualFactory.create_batch(6, family=family)
        for number in range(12):
            history_record(
                family=family,
                actor=actors[number % 3],
                action=FamilyHistoryEntry.Action.UPDATED,
                note=f"change {number}",
            )

    response = assert_constant(
        client,
        reverse("families:detail", args=[family.public_id]),
        grow,
        django_assert_num_queries,
    )
    assert len(response.context["members"]) == 8


def test_a_familys_history_runs_the_same_queries_for_a_few_entries_or_a_full_page(
    authority, make_user, django_assert_num_queries
) -> None:
    client = signed_in(make_user(Role.CASEWORKER))
    family = FamilyFactory.create(local_authority=authority)
    actors = [make_user(Role.CASEWORKER) for _ in range(5)]

    def add(count: int) -> None:
        for number in range(count):
            history_record(
                family=family,
                actor=actors[number % len(actors)],
                action=FamilyHistoryEntry.Action.UPDATED,
                changes=[{"field": "town", "label": "Town", "old": "A", "new": "B"}],
            )

    add(3)
    response = assert_constant(
        client,
        reverse("families:history", args=[family.public_id]),
        lambda: add(60),
        django_assert_num_queries,
    )
    assert len(response.context["page"].object_list) == 50


def test_an_assessments_page_runs_the_same_queries_for_two_criteria_or_sixteen(
    authority, make_user, django_assert_num_queries
) -> None:
    from tests.eligibility.test_assessment_pages import assess, criterion

    client = signed_in(make_user(Role.CASEWORKER))
    family = FamilyFactory.create(local_authority=authority)
    members = IndividualFactory.create_batch(4, family=family)
    headlines = list(Headline.objects.filter(framework__code="2015-2020").order_by("pk")[:4])
    assess(client, family, criterion(0, headlines[0].code), criterion(1, headlines[1].code))
    assessment = Assessment.objects.get(family=family)
    stored = set(assessment.criteria.values_list("individual_id", "headline_id"))
    first = assessment.criteria.first()
    assert first is not None

    def grow() -> None:
        # The same evidence for every member under every headline: 16 criteria in all.
        CriterionMet.objects.bulk_create(
            CriterionMet(
                assessment=assessment,
                individual=member,
                headline=headline,
                indicator=headline.indicators.all()[0],
                evidence_on=first.evidence_on,
                evidence_source=first.evidence_source,
            )
            for member in members
            for headline in headlines
            if (member.pk, headline.pk) not in stored
        )

    response = assert_constant(
        client,
        reverse("eligibility:assessment_detail", args=[family.public_id, assessment.public_id]),
        grow,
        django_assert_num_queries,
    )
    assert len(response.context["criteria"]) == 16


# --- The audit trail and users -----------------------------------------------------------


def test_the_audit_trail_runs_the_same_queries_for_a_few_events_or_a_full_page(
    authority, make_user, django_assert_num_queries
) -> None:
    client = signed_in(make_user(Role.ADMIN))
    actors = [make_user(Role.CASEWORKER) for _ in range(5)]

    def add(count: int) -> None:
        for number in range(count):
            audit_record(action=AuditAction.LOGIN, actor=actors[number % len(actors)])

    add(3)
    response = assert_constant(
        client, reverse("audit:list"), lambda: add(60), django_assert_num_queries
    )
    assert len(response.context["page"].object_list) == 50


def test_the_users_list_runs_the_same_queries_for_a_few_users_or_many(
    authority, make_user, django_assert_num_queries
) -> None:
    client = signed_in(make_user(Role.ADMIN))
    make_user(Role.CASEWORKER)
    response = assert_constant(
        client,
        reverse("users:list"),
        lambda: (
            [make_user(Role.CASEWORKER, Role.TEAM_MANAGER) for _ in range(12)]
            + [make_user(Role.DATA_OFFICER, totp=False) for _ in range(3)]
        ),
        django_assert_num_queries,
    )
    assert len(response.context["rows"]) == 17


# --- NIS ---------------------------------------------------------------------------------


def test_the_recipient_keys_list_runs_the_same_queries_for_one_key_or_many(
    make_user, django_assert_num_queries
) -> None:
    admin = make_user(Role.ADMIN)
    client = signed_in(admin)
    adders = [make_user(Role.ADMIN) for _ in range(3)]

    def add(count: int, start: int) -> None:
        for number in range(start, start + count):
            RecipientKey.objects.create(
                fingerprint=f"{number:040X}",
                user_ids=[f"NIS recipient {number} <nis{number}@example.org>"],
                armored="-----BEGIN PGP PUBLIC KEY BLOCK-----",
                created_at=timezone.now(),
                added_by=adders[number % len(adders)],
            )

    add(1, 0)
    response = assert_constant(
        client, reverse("nis_export:keys"), lambda: add(8, 1), django_assert_num_queries
    )
    assert len(response.context["rows"]) == 9


# --- Retention ---------------------------------------------------------------------------


def test_the_holds_list_runs_the_same_queries_for_a_few_holds_or_many(
    authority, make_user, django_assert_num_queries
) -> None:
    client = signed_in(make_user(Role.ADMIN))
    placers = [make_user(Role.ADMIN) for _ in range(3)]

    def add(count: int) -> None:
        for number, family in enumerate(families_with_members(authority, count)):
            Hold.objects.create(
                family=family,
                kind=HoldKind.LEGAL_HOLD,
                reason=f"Claim {number}",
                placed_by=placers[number % len(placers)],
            )

    add(2)
    response = assert_constant(
        client, reverse("retention:holds"), lambda: add(15), django_assert_num_queries
    )
    assert len(response.context["page"].object_list) == 17


def test_the_purge_preview_runs_the_same_queries_for_a_few_families_due_or_many(
    authority, make_user, django_assert_num_queries
) -> None:
    admin = make_user(Role.ADMIN)
    client = signed_in(admin)

    def add(count: int, held: int) -> None:
        families = families_with_members(authority, count + held)
        Family.objects.filter(pk__in=[f.pk for f in families]).update(retention_on=yesterday())
        for family in families[:held]:
            Hold.objects.create(
                family=family, kind=HoldKind.LEGAL_HOLD, reason="Tribunal", placed_by=admin
            )

    add(2, 1)
    response = assert_constant(
        client, reverse("retention:preview"), lambda: add(20, 5), django_assert_num_queries
    )
    assert len(response.context["page"].object_list) == 22


def test_the_purge_runs_list_runs_the_same_queries_for_one_run_or_many(
    authority, make_user, django_assert_num_queries
) -> None:
    client = signed_in(make_user(Role.ADMIN))
    starters = [make_user(Role.ADMIN) for _ in range(3)]

    def add(count: int) -> None:
        for number in range(count):
            PurgeRun.objects.create(
                local_authority=authority,
                started_by=starters[number % len(starters)] if number % 4 else None,
                scheduled=not number % 4,
                status=PurgeStatus.FINISHED,
                started_at=timezone.now(),
                finished_at=timezone.now(),
            )

    add(1)
    response = assert_constant(
        client, reverse("retention:runs"), lambda: add(12), django_assert_num_queries
    )
    assert len(response.context["page"].object_list) == 13
