"""Finding families by a member's name, an LA family or individual ID, or any identifier.

The query is the same on PostgreSQL and SQLite: LIKE on an upper-cased name, equality on
normalised identifiers and references. On PostgreSQL a trigram index (migration 0003) makes a
name term of 3 letters or more fast; shorter terms (Li, Ng, Jo) match a whole forename or
surname, through expression indexes. Matches are gathered as one list of family ids (a
UNION), so the families table is searched by primary key, not scanned.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Upper

from changing_lives.authorities.models import LocalAuthority
from families.models import Family, FamilyQuerySet, Individual

IDENTIFIER_FIELDS = ("nhs_number", "nino", "upn", "uln", "pnc_number")
SHORTEST_PARTIAL_NAME = 3


# How many matching members `first_matches` reads before it stops: enough for the families
# it is asked for (a family matches once per member: the Smiths of a family are all Smiths),
# and a bound on its cost however large the authority.
MEMBERS_PER_FAMILY_READ = 4


@dataclass(frozen=True)
class Matches:
    """What a search matched: a family id for each matching member (a family once per
    member), and the ids of families whose LA family ID it is."""

    members: QuerySet[Any, Any]
    references: QuerySet[Any, Any]

    def family_ids(self) -> QuerySet[Any, Any]:
        """As one list (a UNION): a family searched by primary key, the table not scanned."""
        return self.members.union(self.references, all=True).order_by()

    def within(self, families: FamilyQuerySet) -> FamilyQuerySet:
        """Those of `families` that matched, each family's members checked in turn: for a
        list already narrowed by a filter, cheaper than reading every match of a common
        name (Smith in one caseload: 3 ms, not 29, at 250,000 families)."""
        members = self.members.filter(family_id=OuterRef("pk"))
        return families.filter(Exists(members) | Q(pk__in=self.references))


def family_search(
    families: FamilyQuerySet, query: str, *, authority: LocalAuthority
) -> FamilyQuerySet:
    """The `families` that `query` finds (all of them for an empty query)."""
    matches = search_matches(query, authority=authority)
    if matches is None:
        return families
    return families.filter(pk__in=matches.family_ids())


def search_matches(query: str, *, authority: LocalAuthority) -> Matches | None:
    """What `query` matches in `authority`; None for an empty query (it matches everyone)."""
    upper = " ".join(query.upper().split())
    if not upper:
        return None
    compact = upper.replace(" ", "").replace("-", "")
    # An LA reference may itself hold hyphens or spaces: try it as typed and compacted.
    references = sorted({upper, compact})

    by_member = Q(la_individual_id__in=references)
    for field in IDENTIFIER_FIELDS:
        by_member |= Q(**{field: compact})
    by_name = _name_match(upper.split(" "))
    if by_name is not None and not any(character.isdigit() for character in compact):
        by_member |= by_name

    members = (
        Individual.objects.for_authority(authority)
        .annotate(forename_upper=Upper("forename"), surname_upper=Upper("surname"))
        .filter(by_member)
        .order_by()  # no sort: a search reads only as far as it needs (first_matches)
        .values("family_id")
    )
    by_reference = Family.objects.for_authority(authority).filter(la_family_id__in=references)
    return Matches(members=members, references=by_reference.order_by().values("pk"))


def first_matches(
    families: FamilyQuerySet,
    matches: Matches,
    *,
    order: Sequence[Any],
    most: int,
    filtered: bool,
) -> list[int]:
    """The ids of the `families` that `matches` found, in `order`; or, when more than `most`
    are found, `most` + 1 of them in no order ("too many": the caller lists none).

    Matching every member of a common name grew with the table (Smith: 30,720 people at
    250,000 families, 33 ms, even to find just "more than 1,000"; docs/performance.md). So
    the matching members are read up to a bound: if they all fit, the families are sorted
    from their ids; if not, and nothing but the search narrows the list (`filtered` False),
    enough distinct families among them prove "too many". Otherwise (the bound reached
    under a filter, or families that large) the filtered families are each checked
    (`Matches.within`). Each way the answer is exact.
    """
    limit = most + 1
    read = limit * MEMBERS_PER_FAMILY_READ
    found = list(matches.family_ids().values_list("family_id", flat=True)[:read])
    if len(found) < read:  # every match read
        candidates = families.filter(pk__in=set(found))
    elif not filtered and len(distinct := set(found)) >= limit:
        return list(distinct)[:limit]
    else:
        candidates = matches.within(families)
    return list(candidates.order_by(*order).values_list("pk", flat=True)[:limit])


def _name_match(terms: list[str]) -> Q | None:
    if any(len(term) >= SHORTEST_PARTIAL_NAME for term in terms):
        # Every term somewhere in the member's names ("jo smith", "smi").
        match = Q()
        for term in terms:
            match &= Q(search_name__contains=term)
        return match
    # Only short terms: each must be a whole forename or surname ("Li", "Jo Ng").
    match = Q()
    for term in terms:
        match &= Q(forename_upper=term) | Q(surname_upper=term)
    return match
