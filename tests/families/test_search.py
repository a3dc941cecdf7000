"""Family search gives the same answers on PostgreSQL (with its trigram index) and on SQLite
(the quick start's database), and finds by name, reference or any identifier."""

import datetime

import pytest

from changing_lives.authorities.models import LocalAuthority
from families.models import Family, Individual
from families.search import family_search

ALIASES = ["default", "sqlite"]

MEMBERS = [
    # (family, individual, forename, other names, surname, nino, nhs number, upn)
    ("F1", "I11", "Sarah", "", "Okafor", "AB123456C", "9434765919", ""),
    ("F1", "I12", "Tunde", "Ade", "Okafor", "", "", "H801200001001"),
    ("F2", "I21", "Zoë", "", "O'Brien-Smith", "", "", ""),
    ("F3", "I31", "Sara", "", "Oakley", "", "", ""),
    ("F3", "I32", "Jo", "", "Smith", "", "", ""),
    ("LA-F4", "I-41", "Li", "", "Ng", "", "", ""),
]


def load(alias: str) -> LocalAuthority:
    authority = LocalAuthority(name="Search Council", gss_code="E06000023", dfe_number="801")
    authority.save(using=alias)
    families: dict[str, Family] = {}
    for la_family_id, la_individual_id, forename, other, surname, nino, nhs, upn in MEMBERS:
        if la_family_id not in families:
            families[la_family_id] = Family(
                local_authority=authority, la_family_id=la_family_id,
                referred_on=datetime.date(2024, 4, 1),
            )  # fmt: skip
            families[la_family_id].save(using=alias)
        Individual(
            local_authority=authority, family=families[la_family_id],
            la_individual_id=la_individual_id, forename=forename, other_names=other,
            surname=surname, nino=nino, nhs_number=nhs, upn=upn,
            date_of_birth=datetime.date(1990, 1, 1), gender="female", relationship="main_carer",
        ).save(using=alias)  # fmt: skip
    return authority


QUERIES = {
    "okafor": ["F1"],
    "sara": ["F1", "F3"],  # a name inside another: Sara, Sarah
    "sarah okafor": ["F1"],
    "ade": ["F1"],  # other names count
    "zoë": ["F2"],
    "o'brien": ["F2"],
    "smith": ["F2", "F3"],
    "jo smith": ["F3"],
    "f2": ["F2"],
    "i32": ["F3"],
    "ab 12 34 56 c": ["F1"],
    "943-476-5919": ["F1"],
    "h801200001001": ["F1"],
    "nobody": [],
    "la-f4": ["LA-F4"],  # a reference with a hyphen, as typed
    "i-41": ["LA-F4"],
    "li": ["LA-F4"],  # short names match a whole forename or surname
    "ng": ["LA-F4"],
    "li ng": ["LA-F4"],
    "jo": ["F3"],
    "sa": [],  # not a whole name, and too short to look inside names
    "": ["F1", "F2", "F3", "LA-F4"],
}


@pytest.mark.django_db(databases=ALIASES)
def test_postgresql_and_sqlite_find_the_same_families() -> None:
    authorities = {alias: load(alias) for alias in ALIASES}
    for query, expected in QUERIES.items():
        found = {}
        for alias in ALIASES:
            families = Family.objects.using(alias).filter(local_authority=authorities[alias])
            results = family_search(families, query, authority=authorities[alias])
            found[alias] = sorted(results.values_list("la_family_id", flat=True))
        assert found["default"] == found["sqlite"] == expected, query


@pytest.mark.django_db
def test_postgresql_has_the_trigram_index_the_name_search_relies_on() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes "
            "WHERE indexname = 'families_individual_search_name_trgm'"
        )
        (definition,) = cursor.fetchone()
    assert "gin (search_name gin_trgm_ops)" in definition
