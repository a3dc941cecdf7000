"""bench_purge, the purge's benchmark: its baseline (a plain SQL delete) removes exactly the
rows the purge does, so the two figures compare like with like. No timing is asserted: the
figures are for docs/performance.md, not for a test."""

import datetime

import pytest
from django.db import transaction

from changing_lives.demo.families.load import demo_families_seed
from changing_lives.retention.management.commands.bench_purge import (
    families_make_due,
    plain_delete,
    purge_run,
)
from families.models import Family
from tests.factories import LocalAuthorityFactory

pytestmark = pytest.mark.django_db


class _Undo(Exception):
    """Rolls back what the plain delete did, so the purge then meets the same rows."""


def test_the_plain_delete_removes_the_rows_the_purge_does() -> None:
    authority = LocalAuthorityFactory.create()
    demo_families_seed(authority=authority, families=15, seed=11, today=datetime.date(2026, 6, 30))
    assert families_make_due(authority)["families_due"] == 15

    by_plain_delete: dict[str, int] = {}

    def plain_delete_undone() -> None:
        with transaction.atomic():
            by_plain_delete.update(plain_delete(authority))
            assert not Family.objects.filter(local_authority=authority).exists()
            raise _Undo

    with pytest.raises(_Undo):
        plain_delete_undone()
    assert Family.objects.filter(local_authority=authority).count() == 15

    by_purge = purge_run(authority)

    assert by_purge == by_plain_delete
    assert by_purge["families"] == 15
    assert by_purge["individuals"] > 15
    assert by_purge["progress_values"] > 0
    assert not Family.objects.filter(local_authority=authority).exists()
