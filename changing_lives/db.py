"""Database features that PostgreSQL does better, each behind one small function with a
portable fallback for the quick start's SQLite (docs/adr/0005-two-databases.md).

values_insert_new: many rows that differ in one column, inserted at once, skipping any that a
unique constraint already holds. On PostgreSQL one INSERT of an array, with no model
instances (the purge retires tens of thousands of IDs a run, and building a model for each
cost more than the database's work); elsewhere bulk_create.

advisory_lock: a named lock that only one holder has at a time. On PostgreSQL it is a
session-level advisory lock, so it holds across every process and worker on the database,
and the server lets it go if the holder dies (a killed worker leaves no lock behind). On any
other database it is a lock of this process only: enough for the quick start, which runs its
tasks in the web process.
"""

import hashlib
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import Any, cast

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper

_guard = threading.Lock()
_process_locks: dict[tuple[str, str], threading.Lock] = {}


def advisory_lock_key(name: str) -> int:
    """The lock's PostgreSQL key: a signed 64-bit number from the name, the same in every
    process (Python's own hash() is salted per process, so it would not do)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def _process_lock(database: str, name: str) -> threading.Lock:
    with _guard:
        return _process_locks.setdefault((database, name), threading.Lock())


def _unlock(connection: BaseDatabaseWrapper, key: int) -> None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
    except DatabaseError:
        # The connection broke (its session, and the lock, went with it) or sits in a failed
        # transaction: closing it ends the session, which is the one sure way to let go.
        with suppress(DatabaseError):
            connection.close()


@contextmanager
def advisory_lock(name: str, *, using: str = DEFAULT_DB_ALIAS) -> Iterator[bool]:
    """Try to take the lock `name` without waiting; yield whether it was taken, and release
    it on exit.

    The same on every database: while one holder has it, a second attempt is refused, from
    this process or (on PostgreSQL) from any other; once released, it can be taken again.
    PostgreSQL's own advisory locks are re-entrant within one connection, so the process
    lock is taken first on every database: a second attempt in this process is refused too.
    """
    connection = connections[using]
    local = _process_lock(str(connection.settings_dict["NAME"]), name)
    if not local.acquire(blocking=False):
        yield False
        return
    try:
        if connection.vendor != "postgresql":
            yield True
            return
        key = advisory_lock_key(name)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
            row = cursor.fetchone()
        taken = bool(row and row[0])
        try:
            yield taken
        finally:
            if taken:
                _unlock(connection, key)
    finally:
        local.release()


def values_insert_new(
    model: type[models.Model],
    *,
    same: dict[str, Any],
    column: str,
    values: list[Any],
    using: str = DEFAULT_DB_ALIAS,
) -> None:
    """Insert a row of `model` for each of `values` in field `column`, with the fields in
    `same` alike in every row; a row that a unique constraint already holds is skipped."""
    if not values:
        return
    connection = connections[using]
    if connection.vendor != "postgresql":
        model._default_manager.using(using).bulk_create(
            [model(**same, **{column: value}) for value in values], ignore_conflicts=True
        )
        return
    fields: list[models.Field[Any, Any]] = [
        cast("models.Field[Any, Any]", model._meta.get_field(name)) for name in [*same, column]
    ]
    quote = connection.ops.quote_name
    varying = fields[-1]
    alike = [
        # A related record stands for its key (the column holds the key).
        field.get_db_prep_save(value.pk if isinstance(value, models.Model) else value, connection)
        for field, value in zip(fields[:-1], same.values(), strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(model._meta.db_table)} "
            f"({', '.join(quote(str(field.column)) for field in fields)}) "
            f"SELECT {', '.join(['%s'] * len(alike))}, unnest(%s::{varying.db_type(connection)}[]) "
            "ON CONFLICT DO NOTHING",
            [*alike, [varying.get_db_prep_save(value, connection) for value in values]],
        )


def rows_copy_in(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    using: str = DEFAULT_DB_ALIAS,
) -> int:
    """Store `rows` (values of `fields`, in that order; a related record by its key) as new
    rows of `model`'s table by PostgreSQL's `COPY FROM STDIN`, many times as fast as
    inserting model instances; the rows stored. No signals, no validation, no defaults:
    for rows the code made itself, whole."""
    connection = connections[using]
    quote = connection.ops.quote_name
    columns = ", ".join(
        quote(str(cast("models.Field[Any, Any]", model._meta.get_field(name)).column))
        for name in fields
    )
    count = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
            count += 1
    return count
