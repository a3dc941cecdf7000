"""Storing demo families' progress returns and their values in bulk, as the progress
services would have stored them one by one (no recorder or completer named: demo data)."""

import uuid
from collections.abc import Iterable, Mapping, Sequence

from django.db import connection
from django.utils import timezone

from changing_lives.db import rows_copy_in
from changing_lives.demo.families.records import DemoFamily, ProgressRows
from families.models import Family, Individual
from progress.models import FamilyReturn, ProgressValue

# A large authority's load holds about a million values. PostgreSQL's COPY stores them
# about five times faster than bulk_create's INSERTs (docs/performance.md); elsewhere
# (SQLite, the quick start) bulk_create is quick enough for the families loaded there.
COPY_VENDORS = frozenset({"postgresql"})
# The columns a value row holds, in order; the model's defaults fill the rest.
VALUE_FIELDS = ("family_return", "measure", "individual", "value", "correction_pending")

# family_return id, measure id, individual id (None for the family), value, correction.
ValueRow = tuple[int, int, int | None, str, bool]


def progress_rows_create(
    families: Sequence[tuple[Family, DemoFamily]], *, members: Mapping[uuid.UUID, Individual]
) -> ProgressRows:
    """Store the returns of each (stored family, generated family): `members` are the
    stored members by public_id. Two bulk inserts: returns, then their values."""
    made = [(row, demo_return) for row, demo in families for demo_return in demo.progress]
    returns = FamilyReturn.objects.bulk_create(
        FamilyReturn(
            family=row,
            period_id=demo_return.period_id,
            status=demo_return.status,
            completed_at=demo_return.completed_at,
        )
        for row, demo_return in made
    )
    # bulk_create has given each return its primary key (PostgreSQL and SQLite both return
    # it), so the values can point at them.
    member_ids = {public_id: member.pk for public_id, member in members.items()}
    rows = (
        (
            stored.pk,
            value.measure_id,
            member_ids[value.member] if value.member else None,
            value.value,
            value.correction_pending,
        )
        for stored, (_, demo_return) in zip(returns, made, strict=True)
        for value in demo_return.values
    )
    store = _values_copy if connection.vendor in COPY_VENDORS else _values_bulk_create
    return ProgressRows(returns=len(returns), values=store(rows))


def _values_copy(rows: Iterable[ValueRow]) -> int:
    recorded_at = timezone.now()  # as auto_now would set it, once for the batch
    return rows_copy_in(
        ProgressValue, (*VALUE_FIELDS, "recorded_at"), ((*row, recorded_at) for row in rows)
    )


def _values_bulk_create(rows: Iterable[ValueRow]) -> int:
    values = ProgressValue.objects.bulk_create(
        ProgressValue(
            family_return_id=return_id,
            measure_id=measure_id,
            individual_id=individual_id,
            value=value,
            correction_pending=correction_pending,
        )
        for return_id, measure_id, individual_id, value, correction_pending in rows
    )
    return len(values)
