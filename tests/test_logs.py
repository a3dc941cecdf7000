"""Logs are JSON lines with a request id and the user's public id, and never hold personal data.

The main test drives the product's main journeys as each role, through the same handler,
formatter and filters as production, and then looks for every seeded member's name, date of
birth and identifiers, and every user's username and e-mail address, in what was logged.
"""

import contextlib
import datetime
import io
import json
import logging
import re
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client, RequestFactory
from django.urls import resolve, reverse

from changing_lives.accounts.models import User
from changing_lives.accounts.roles import Role
from changing_lives.authorities.models import LocalAuthority
from changing_lives.demo.families.load import demo_families_seed
from changing_lives.observability.context import (
    REQUEST_ID_HEADER,
    RequestContext,
    _current,
    path_with_ids_only,
)
from changing_lives.observability.filters import RequestRedactFilter
from changing_lives.observability.formatters import JsonFormatter
from families.models import Family, Individual
from progress.models import FamilyReturn
from tests.factories import PASSWORD
from tests.signing_in import totp_code, totp_device
from tests.urlwalk import walk

SEEDED_FAMILIES = 6
BAD_NHS_NUMBER = "9434765918"  # fails the check digit


class CapturedLogs:
    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    @property
    def lines(self) -> list[dict[str, object]]:
        return [json.loads(line) for line in self.text.splitlines() if line.strip()]


@contextlib.contextmanager
def capture_logs() -> Iterator[CapturedLogs]:
    """Everything logged inside the block, at every level, formatted and filtered exactly as
    the configured console handler does it (settings.LOGGING)."""
    root = logging.getLogger()
    console = next(handler for handler in root.handlers if handler.name == "console")
    stream = io.StringIO()
    capture = logging.StreamHandler(stream)
    capture.setFormatter(console.formatter)
    for log_filter in console.filters:
        capture.addFilter(log_filter)
    level = root.level
    root.addHandler(capture)
    root.setLevel(logging.DEBUG)
    try:
        yield CapturedLogs(stream)
    finally:
        root.removeHandler(capture)
        root.setLevel(level)


@pytest.fixture
def captured_logs() -> Iterator[CapturedLogs]:
    with capture_logs() as logs:
        yield logs


# The journeys


def sign_in(client: Client, user: User) -> None:
    """Through the real form: a wrong password first, then the right one, then the code."""
    url = reverse("accounts:login")
    wrong = client.post(url, {"username": user.username, "password": "wrong-password"})
    assert wrong.status_code == 200
    right = client.post(url, {"username": user.username, "password": PASSWORD})
    assert right.status_code == 302
    code = client.post(reverse("accounts:mfa_verify"), {"code": totp_code(totp_device(user))})
    assert code.status_code == 302


def member_form(member: Individual, **changes: str) -> dict[str, str]:
    born = member.date_of_birth
    data = {
        "forename": member.forename,
        "surname": member.surname,
        "date_of_birth_0": str(born.day) if born else "",
        "date_of_birth_1": str(born.month) if born else "",
        "date_of_birth_2": str(born.year) if born else "",
        "gender": member.gender,
        "relationship": member.relationship,
        "lives_in_household": str(member.lives_in_household),
        "nhs_number": member.nhs_number,
        "nino": member.nino,
        "upn": member.upn,
        "uln": member.uln,
    }
    return data | changes


def family_journeys(client: Client, family: Family, member: Individual) -> None:
    """Find a family by name and by NINO, open it, change a member wrongly, assess it."""
    families = reverse("families:list")
    assert client.get(families).status_code == 200
    for typed in (member.surname, f"{member.forename} {member.surname}", member.nino):
        if typed:
            assert client.get(families, {"q": typed}).status_code == 200
    assert client.get(reverse("families:detail", args=[family.public_id])).status_code == 200
    assert client.get(reverse("families:history", args=[family.public_id])).status_code == 200
    edit = reverse("families:member_edit", args=[family.public_id, member.public_id])
    assert client.get(edit).status_code == 200
    response = client.post(edit, member_form(member, nhs_number=BAD_NHS_NUMBER))
    assert response.status_code == 200
    assert "nhs_number" in response.context["form"].errors
    # People paste names and dates of birth into the address bar.
    assert client.get(f"/families/{member.surname}/").status_code == 404
    if member.date_of_birth:
        typed = f"/progress/periods/{member.date_of_birth.isoformat()}/"
        assert client.get(typed).status_code in {403, 404}
    create = reverse("eligibility:assessment_create", args=[family.public_id])
    assert client.get(create).status_code == 200
    screened = {"screened_on_0": "31", "screened_on_1": "2", "screened_on_2": "2025"}
    assert client.post(create, screened).status_code == 200  # 31 February: an error


def progress_journey(client: Client, family_return: FamilyReturn) -> None:
    """Open a return and save it with a bad value in every box: nothing is saved."""
    url = reverse(
        "progress:return",
        args=[family_return.period.start_on.isoformat(), family_return.family.public_id],
    )
    page = client.get(url)
    assert page.status_code == 200
    boxes = set(re.findall(r'name="(v_\d+_\w+)"', page.content.decode()))
    assert boxes
    response = client.post(url, dict.fromkeys(boxes, "not a value") | {"action": "save"})
    assert response.status_code == 200


def data_officer_journey(client: Client, authority: LocalAuthority) -> None:
    assert client.get(reverse("progress:periods")).status_code == 200
    assert client.get(reverse("nis_export:submissions")).status_code == 200
    period = FamilyReturn.objects.for_authority(authority).order_by("period__start_on").first()
    assert period is not None
    start = period.period.start_on.isoformat()
    assert client.get(reverse("progress:period_detail", args=[start])).status_code == 200
    gaps = client.get(reverse("progress:period_gaps", args=[start]))
    assert gaps.status_code == 200
    b"".join(gaps.streaming_content)  # type: ignore[attr-defined]


def admin_journey(client: Client) -> None:
    assert client.get(reverse("audit:list")).status_code == 200
    assert client.get(reverse("authorities:settings")).status_code == 200
    # The users pages: the list, an invitation (typed names, username and address), the
    # invited user's page, and their roles.
    assert client.get(reverse("users:list")).status_code == 200
    invitation = {
        "first_name": "Priya",
        "last_name": "Shah",
        "email": "priya.shah@example.gov.uk",
        "username": "pshah",
        "roles": ["caseworker"],
    }
    assert client.post(reverse("users:invite"), invitation | {"roles": []}).status_code == 200
    response = client.post(reverse("users:invite"), invitation)
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    invited = User.objects.get(username="pshah")
    roles = reverse("users:roles", args=[invited.public_id])
    assert client.post(roles, {"roles": ["team_manager"]}).status_code == 302
    # The retention pages, if this build has them: every one that names no record.
    for url in walk():
        if url.name.startswith("retention:") and not url.takes_arguments:
            response = client.get(url.path)
            if response.streaming:
                b"".join(response.streaming_content)  # type: ignore[attr-defined]
            assert response.status_code in {200, 302}, url.name


def nis_check(authority: LocalAuthority) -> None:
    """The NIS check reads every record the package would hold, as a build does."""
    out = io.StringIO()
    # Blocked by errors in the records, or not: what matters here is what it logged.
    with contextlib.suppress(CommandError, SystemExit):
        call_command("nis_submission", "check", "--la", authority.gss_code, stdout=out, stderr=out)


# What must never be logged


def personal_data(authority: LocalAuthority) -> set[str]:
    values: set[str] = set()
    for member in Individual.objects.filter(family__local_authority=authority):
        values |= {member.forename, member.surname, member.nhs_number, member.nino}
        values |= {member.upn, member.uln, member.other_names}
        if member.date_of_birth:
            values |= {member.date_of_birth.isoformat(), member.date_of_birth.strftime("%d/%m/%Y")}
    for user in User.objects.all():
        values |= {user.username, user.email}
    return {value for value in values if value and len(value) > 1}


def found_in(text: str, values: set[str]) -> list[str]:
    return sorted(
        value for value in values if re.search(rf"(?<![\w]){re.escape(value)}(?![\w])", text)
    )


@pytest.mark.django_db
@pytest.mark.slow
def test_the_main_journeys_log_no_personal_data(authority: LocalAuthority, make_user) -> None:
    users = {role: make_user(role) for role in Role}
    demo_families_seed(
        authority=authority, families=SEEDED_FAMILIES, seed=11, today=datetime.date(2026, 11, 1)
    )
    returns = FamilyReturn.objects.for_authority(authority).select_related("family", "period")
    family_return = returns.first()
    assert family_return is not None
    families = list(Family.objects.for_authority(authority).order_by("la_family_id"))
    assert len(families) == SEEDED_FAMILIES

    members = [family.members.order_by("pk").first() for family in families[:3]]

    with capture_logs() as captured_logs:
        clients = {role: Client() for role in Role}
        for role, client in clients.items():
            sign_in(client, users[role])
        for role in (Role.CASEWORKER, Role.TEAM_MANAGER):
            for family, member in zip(families, members, strict=False):
                assert member is not None
                family_journeys(clients[role], family, member)
            progress_journey(clients[role], family_return)
            # Refused: an admin's page (403 is logged, with the path).
            assert clients[role].get(reverse("audit:list")).status_code == 403
        data_officer_journey(clients[Role.DATA_OFFICER], authority)
        admin_journey(clients[Role.ADMIN])
        nis_check(authority)
        for client in clients.values():
            client.post(reverse("accounts:logout"))

    lines = captured_logs.lines
    assert len(lines) > 50  # the journeys were logged: one line a request at least
    # The names typed into the invitation, as well as every stored value.
    leaked = found_in(captured_logs.text, personal_data(authority) | {"Priya", "Shah"})
    where = [line for line in captured_logs.text.splitlines() if found_in(line, set(leaked))]
    assert not leaked, f"personal data in the logs: {leaked}, in:\n" + "\n".join(where[:20])
    # Query strings never reach the logs, and neither does a path someone typed.
    assert "?" not in captured_logs.text.replace('"?"', "")
    assert "q=" not in captured_logs.text
    # Each request's lines name the user by public id, and the request by its id.
    requests = [line for line in lines if line["logger"] == "changing_lives.request"]
    signed_in = {str(user.public_id) for user in users.values()}
    assert {line["user_id"] for line in requests} >= signed_in
    assert all(uuid.UUID(str(line["request_id"])) for line in requests)
    # Refused access (403) and records not found (404) are logged, by request and user.
    refused = [line for line in lines if line["logger"] == "django.request"]
    assert {line["status_code"] for line in refused} == {403, 404}
    assert all(line["request_id"] for line in refused)
    assert all(line["user_id"] in signed_in for line in refused)


# The parts


def test_production_logs_are_json_and_development_logs_plain_text() -> None:
    assert settings.LOG_FORMAT == "json"  # DEBUG is off in the suite, as in production
    console = next(h for h in logging.getLogger().handlers if h.name == "console")
    assert isinstance(console.formatter, JsonFormatter)
    assert any(isinstance(f, RequestRedactFilter) for f in console.filters)
    # Django's own e-mail and console handlers (which bypass the filter) are gone.
    assert logging.getLogger("django").handlers == []
    assert logging.getLogger("django.db.backends").getEffectiveLevel() >= logging.INFO


def test_an_exception_is_logged_by_type_and_stack_without_its_message() -> None:
    logger = logging.getLogger("tests.logs")
    try:
        raise ValueError(f"Key (nhs_number)=({BAD_NHS_NUMBER}) already exists")
    except ValueError:
        record = logger.makeRecord(
            logger.name, logging.ERROR, __file__, 1, "Saving failed", (), sys.exc_info()
        )
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "Saving failed"
    assert line["exception"]["type"] == "builtins.ValueError"
    assert any("test_logs.py" in frame for frame in line["exception"]["stack"])
    assert BAD_NHS_NUMBER not in json.dumps(line)


def test_the_development_server_logs_request_lines_without_query_strings() -> None:
    record = logging.LogRecord(
        "django.server", logging.INFO, __file__, 1, '"%s" %s %s',
        ("GET /families/?q=Okafor+AB123456C HTTP/1.1", "200", "5120"), None,
    )  # fmt: skip
    RequestRedactFilter().filter(record)
    assert record.getMessage() == '"GET /families/ HTTP/1.1" 200 5120'


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        (
            "/families/6f9619ff-8b86-d011-b42d-00c04fc964ff/",
            "/families/6f9619ff-8b86-d011-b42d-00c04fc964ff/",
        ),
        ("/progress/periods/Okafor/", "/progress/periods/<period_start>/"),
        ("/privacy/E06000023/", "/privacy/<gss_code>/"),
        ("/families/", "/families/"),
    ],
)
def test_paths_are_logged_with_uuids_only(path: str, logged: str) -> None:
    request = RequestFactory().get(path + "?q=Okafor")
    request.resolver_match = resolve(path)
    assert path_with_ids_only(request) == logged


def test_a_path_that_matches_no_url_is_not_logged_at_all() -> None:
    request = RequestFactory().get("/families/Okafor/")
    assert path_with_ids_only(request) is None
    token = _current.set(RequestContext(request_id="r" * 8, request=request))
    try:
        record = logging.LogRecord(
            "django.request",
            logging.WARNING,
            __file__,
            1,
            "%s: %s",
            ("Not Found", request.path),
            None,
        )
        RequestRedactFilter().filter(record)
    finally:
        _current.reset(token)
    assert record.getMessage() == "Not Found: -"


@pytest.mark.django_db
def test_every_response_carries_a_request_id(client) -> None:
    response = client.get(reverse("accounts:login"))
    assert uuid.UUID(response[REQUEST_ID_HEADER])
    assert response[REQUEST_ID_HEADER] != client.get(reverse("accounts:login"))[REQUEST_ID_HEADER]


@pytest.mark.django_db
def test_the_proxys_request_id_is_kept_when_it_is_sane(client, captured_logs) -> None:
    offered = "lb-7f3a9c21e4b84d0f"
    response = client.get(reverse("accounts:login"), headers={REQUEST_ID_HEADER: offered})
    assert response[REQUEST_ID_HEADER] == offered
    assert any(line["request_id"] == offered for line in captured_logs.lines)


@pytest.mark.django_db
@pytest.mark.parametrize("offered", ["short", "x" * 101, "has spaces in it", 'quote"d-value', ""])
def test_an_odd_request_id_is_replaced_by_a_new_one(client, offered: str) -> None:
    response = client.get(reverse("accounts:login"), headers={REQUEST_ID_HEADER: offered})
    assert uuid.UUID(response[REQUEST_ID_HEADER])


@pytest.mark.django_db
def test_a_signed_in_users_lines_carry_their_public_id_not_their_name(client_as) -> None:
    client = client_as(Role.CASEWORKER)
    with capture_logs() as captured_logs:
        client.get(reverse("pages:home"))
    user = User.objects.get()
    (line,) = [line for line in captured_logs.lines if line["logger"] == "changing_lives.request"]
    assert line["user_id"] == str(user.public_id)
    assert line["path"] == "/"
    assert user.username not in captured_logs.text


def test_gunicorn_in_production_writes_no_access_log() -> None:
    # Its request line carries the query string (a searched name) and the Referer; the
    # product's own request line, without either, replaces it (docs/security.md).
    root = Path(settings.BASE_DIR)
    for name in ("Dockerfile", "docker-compose.yml"):
        text = (root / name).read_text()
        commands = [line for line in text.splitlines() if '"gunicorn"' in line]
        assert commands, f"{name} no longer starts gunicorn: check this test"
        for line in commands + [line for line in text.splitlines() if "GUNICORN" in line]:
            assert "access-log" not in line, f"{name}: {line.strip()}"
