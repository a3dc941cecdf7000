"""values_insert_new (changing_lives/db.py) stores the same rows on PostgreSQL, by one INSERT
of an array, as on SQLite (the quick start's database), by bulk_create: one per new value,
the fixed fields alike in each, a value already held (or given twice) skipped."""

import pytest

from changing_lives.authorities.models import LocalAuthority
from changing_lives.db import values_insert_new
from families.models import RetiredReference

ALIASES = ["default", "sqlite"]


def rows_after_two_inserts(alias: str) -> set[tuple[str, str, str]]:
    authority = LocalAuthority.objects.using(alias).create(
        name="Seam Borough", gss_code="E06000077", dfe_number=977
    )
    for values in (["aaa", "bbb", "aaa"], ["bbb", "ccc"], []):
        values_insert_new(
            RetiredReference,
            same={"local_authority": authority, "kind": "family"},
            column="digest",
            values=values,
            using=alias,
        )
    return {
        (reference.local_authority.gss_code, reference.kind, reference.digest)
        for reference in RetiredReference.objects.using(alias).select_related("local_authority")
    }


@pytest.mark.django_db(databases=ALIASES)
def test_postgresql_and_sqlite_insert_alike() -> None:
    expected = {("E06000077", "family", digest) for digest in ("aaa", "bbb", "ccc")}
    assert rows_after_two_inserts("default") == expected
    assert rows_after_two_inserts("sqlite") == expected
