"""The advisory lock seam (changing_lives/db.py) behaves the same on PostgreSQL and on SQLite
(the quick start's database): taken once, refused to a second taker while held, free again
once released. On PostgreSQL it also holds against another database session, as a second
worker would be."""

from collections.abc import Iterator

import psycopg
import pytest
from django.db import connections

from changing_lives.db import advisory_lock, advisory_lock_key

ALIASES = ["default", "sqlite"]


def attempts(alias: str, name: str) -> list[bool]:
    """Take the lock, try again while it is held, then once it is released."""
    seen = []
    with advisory_lock(name, using=alias) as first:
        seen.append(first)
        with advisory_lock(name, using=alias) as second:
            seen.append(second)
        with advisory_lock(f"{name}:another", using=alias) as other_name:
            seen.append(other_name)
    with advisory_lock(name, using=alias) as after:
        seen.append(after)
    return seen


@pytest.mark.django_db(databases=ALIASES)
def test_postgresql_and_sqlite_lock_alike() -> None:
    assert connections["default"].vendor == "postgresql"
    assert connections["sqlite"].vendor == "sqlite"
    results = {alias: attempts(alias, "test.lock.alike") for alias in ALIASES}
    assert results["default"] == results["sqlite"] == [True, False, True, True]


@pytest.mark.django_db(databases=ALIASES)
def test_a_lock_refused_is_not_released_by_its_refused_taker() -> None:
    for alias in ALIASES:
        with advisory_lock("test.lock.refused", using=alias) as held:
            assert held
            with advisory_lock("test.lock.refused", using=alias) as refused:
                assert not refused
            # The refused attempt has ended; the first holder still has it.
            with advisory_lock("test.lock.refused", using=alias) as again:
                assert not again, alias


@pytest.fixture
def other_session() -> Iterator[psycopg.Connection]:
    """A second PostgreSQL session on the test database, as another worker's would be."""
    settings = connections["default"].settings_dict
    with psycopg.connect(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        autocommit=True,
    ) as session:
        yield session


def try_lock(session: psycopg.Connection, key: int) -> bool:
    row = session.execute("SELECT pg_try_advisory_lock(%s)", [key]).fetchone()
    assert row is not None
    return bool(row[0])


@pytest.mark.django_db
def test_on_postgresql_another_session_is_refused_while_held(
    other_session: psycopg.Connection,
) -> None:
    key = advisory_lock_key("test.lock.sessions")
    with advisory_lock("test.lock.sessions") as held:
        assert held
        assert not try_lock(other_session, key)
    assert try_lock(other_session, key)
    # Now the other session holds it: this one is refused, until it lets go.
    with advisory_lock("test.lock.sessions") as refused:
        assert not refused
    other_session.execute("SELECT pg_advisory_unlock(%s)", [key])
    with advisory_lock("test.lock.sessions") as free:
        assert free


def test_the_key_is_a_stable_signed_64_bit_number() -> None:
    key = advisory_lock_key("retention.purge:E06000023")
    assert key == advisory_lock_key("retention.purge:E06000023")
    assert key != advisory_lock_key("retention.purge:E09000033")
    assert -(2**63) <= key < 2**63
