"""After a purge, a real `pg_dump` of the test database and every file under the media folder
hold none of the purged families' names, dates of birth or identifiers, and all of those of
the families that were not due (so the search is shown to find what is there).

Realistic demo families, under the default rule (eight years after the last activity), so
the ones due are the ones the product itself finds due; one of them is held. Members move
between a due and a kept family first, so copies of their names sit in other families'
history. A real NIS package is built (and opened, to show it holds purged people) before the
purge.
"""

import datetime
import os
import re
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.db.models import Count, QuerySet
from django.utils import timezone

from changing_lives.accounts.models import User
from changing_lives.accounts.roles import Role
from changing_lives.authorities.models import LocalAuthority
from changing_lives.retention.models import HoldKind, PurgeStatus
from changing_lives.retention.purge import purge_candidates, purge_create, purge_execute
from changing_lives.retention.services import hold_place
from families.models import Family, Individual
from families.services import member_move
from nis_export import build
from nis_export.models import SubmissionStatus
from tests.nis_export.keys import KeyPair, make_key, remove
from tests.nis_export.test_build import INDIVIDUALS, demo_seed, package_open, recipient_key_add

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

IDENTIFIERS = ("la_individual_id", "nhs_number", "nino", "upn", "uln", "pnc_number")
TEXT_TYPES = {"text", "character varying", "jsonb", "json"}


@dataclass(frozen=True)
class Person:
    family_id: str
    forename: str
    surname: str
    search_name: str
    date_of_birth: datetime.date
    identifiers: tuple[str, ...]

    @property
    def full_name(self) -> str:
        return f"{self.forename} {self.surname}"


def people_of(families: list[Family]) -> list[Person]:
    return [
        Person(
            family_id=member.family.la_family_id,
            forename=member.forename,
            surname=member.surname,
            search_name=member.search_name,
            date_of_birth=member.date_of_birth,
            identifiers=tuple(value for name in IDENTIFIERS if (value := getattr(member, name))),
        )
        for member in Individual.objects.filter(family__in=families).select_related("family")
    ]


def token(value: str) -> re.Pattern[str]:
    """The value as a whole token: DEMO-I000001-1 is not found inside DEMO-I000001-12."""
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(value)}(?![A-Za-z0-9])", re.IGNORECASE)


@dataclass(frozen=True)
class Dump:
    text: str
    # (table, {column: value}) for every row of every table.
    rows: list[tuple[str, dict[str, str]]]
    types: dict[tuple[str, str], str]

    def has(self, identifier: str) -> bool:
        return token(identifier).search(self.text) is not None

    def values_in(self, kinds: set[str]) -> Iterator[str]:
        for table, row in self.rows:
            for column, value in row.items():
                if self.types.get((table, column)) in kinds:
                    yield value


def pg_dump() -> Dump:
    """`pg_dump --data-only` of the test database, as text, read back into rows."""
    db = connection.settings_dict
    result = subprocess.run(
        [
            "pg_dump", "--data-only", "--no-owner", "--no-privileges",
            "--host", db["HOST"] or "127.0.0.1", "--port", str(db["PORT"] or 5432),
            "--username", db["USER"], db["NAME"],
        ],
        capture_output=True, check=True, text=True,
        env={**os.environ, "PGPASSWORD": db["PASSWORD"] or ""},
    )  # fmt: skip
    rows: list[tuple[str, dict[str, str]]] = []
    table, columns = "", []
    for line in result.stdout.splitlines():
        if match := re.fullmatch(r"COPY public\.(\w+) \((.*)\) FROM stdin;", line):
            table, columns = match[1], [c.strip().strip('"') for c in match[2].split(",")]
        elif line == "\\.":
            table = ""
        elif table:
            rows.append((table, dict(zip(columns, line.split("\t"), strict=True))))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'public'"
        )
        types = {(table, column): kind for table, column, kind in cursor.fetchall()}
    assert any(table == "families_individual" for table, _row in rows)
    return Dump(result.stdout, rows, types)


def with_others(families: list[Family]) -> QuerySet[Individual]:
    """Members of these families who are not their family's only member (who may move)."""
    return (
        Individual.objects.filter(family__in=families)
        .annotate(household=Count("family__members"))
        .filter(household__gt=1)
        .order_by("pk")
    )


def media_files(root: Path) -> dict[Path, bytes]:
    return {path: path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


@pytest.fixture
def ons() -> Iterator[KeyPair]:
    pair = make_key("ONS erasure test <nis@ons.example>")
    yield pair
    remove(pair)


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def test_after_a_purge_a_database_dump_and_the_media_folder_hold_nothing_of_the_purged(
    authority: LocalAuthority,
    make_user: Callable[..., User],
    ons: KeyPair,
    media: Path,
) -> None:
    today = timezone.localdate()
    admin = make_user(Role.ADMIN, Role.DATA_OFFICER)
    demo_seed(authority, 60, seed=7, today=today)
    due = list(purge_candidates(authority))
    kept = list(Family.objects.for_authority(authority).exclude(pk__in=[f.pk for f in due]))
    # Under the default eight years, the demo's families from before about 2018 are due.
    assert 5 <= len(due) <= 50, len(due)
    # Hold one that is due: it stays, with all of its people.
    held = due.pop()
    hold_place(actor=admin, family=held, kind=HoldKind.LEGAL_HOLD, reason="Court proceedings")
    kept.append(held)
    # A kept family's member moves into a family that is due (their name is now in the kept
    # family's history, and goes), and a due family's member moves out to a kept one (lives on).
    into_due = with_others(kept[:-1]).first()
    out_of_due = with_others(due).first()
    assert into_due is not None
    assert out_of_due is not None
    to_due = next(family for family in due if family.pk != out_of_due.family_id)
    member_move(actor=admin, member=into_due, to_family=to_due)
    member_move(actor=admin, member=out_of_due, to_family=into_due.family)

    recipient_key_add(ons)
    submission = build.submission_create(actor=admin, authority=authority, snapshot_on=today)
    build.submission_run(submission.pk)
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.READY, submission.failure_reason
    package_rows = package_open(submission, ons).rows(INDIVIDUALS)
    purged, survivors = people_of(due), people_of(kept)
    in_package = {(row["forename"], row["surname"]) for row in package_rows}
    assert {(p.forename, p.surname) for p in purged} & in_package  # the package held them
    manifest = submission.manifest

    run = purge_execute(purge_create(actor=admin, authority=authority))
    assert run.status == PurgeStatus.FINISHED, run.failure_reason
    assert run.families_purged == len(due)
    assert run.counts["individuals"] == len(purged)

    dump = pg_dump()
    text_values = list(dump.values_in(TEXT_TYPES))
    individuals = [row for table, row in dump.rows if table == "families_individual"]
    kept_names = {p.full_name.casefold() for p in survivors}
    row_values = [set(row.values()) for _table, row in dump.rows]
    kept_births = {p.date_of_birth.isoformat() for p in survivors}

    # Identifiers, anywhere in the dump: not one.
    found = [family.la_family_id for family in due if dump.has(family.la_family_id)]
    found += [value for person in purged for value in person.identifiers if dump.has(value)]
    assert found == []

    # Names: neither "Forename Surname", nor the search name, nor a row holding the forename
    # and the surname side by side. A name a kept person shares is theirs, and stays.
    shared = 0
    lowered = dump.text.casefold()
    for person in purged:
        if person.full_name.casefold() in kept_names:
            shared += 1
            continue
        assert person.full_name.casefold() not in lowered, person.family_id
        assert person.search_name.casefold() not in lowered, person.family_id
        for values in row_values:
            assert not {person.forename, person.surname} <= values, person.family_id
    assert shared <= len(purged) // 10, shared

    # Dates of birth: in no text (a history entry, a note, a manifest) in either form, and
    # with no person's record in the individuals table unless a kept person shares the date.
    for person in purged:
        born = person.date_of_birth
        for form in (born.isoformat(), f"{born.day} {born:%B %Y}"):
            assert not [value for value in text_values if form in value], person.family_id
        if born.isoformat() not in kept_births:
            assert all(row["date_of_birth"] != born.isoformat() for row in individuals)
        for values in row_values:
            assert not {born.isoformat(), person.surname} <= values, person.family_id

    # Everything of the families that were not due is there (the search finds what exists).
    missing = [family.la_family_id for family in kept if not dump.has(family.la_family_id)]
    missing += [
        value for person in survivors for value in person.identifiers if not dump.has(value)
    ]
    missing += [p.family_id for p in survivors if p.search_name.casefold() not in lowered]
    births = {row["date_of_birth"] for row in individuals}
    missing += [p.family_id for p in survivors if p.date_of_birth.isoformat() not in births]
    assert missing == []

    # The media folder: the package that held them is gone; its manifest stays, without
    # personal data; no file left holds a purged name or identifier.
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.EXPIRED
    assert submission.manifest == manifest
    assert not build.package_folder(submission).exists()
    files = media_files(media)
    assert not [path for path in files if str(submission.public_id) in str(path)]
    for path, content in files.items():
        for person in purged:
            for needle in (person.full_name, *person.identifiers):
                assert needle.encode() not in content, (path, person.family_id)
