"""Finding families by a member's name, an LA family or individual ID, or any identifier.

The query is the same on PostgreSQL and SQLite: LIKE on an upper-cased name, equality on
normalised identifiers and references. On PostgreSQL a trigram index (migration 0003) makes a
name term of 3 letters or more fast; shorter terms (Li, Ng, Jo) match a whole forename or
surname, through expression indexes. Matches are gathered as one list of family ids (a
UNION), so the families table is searched by primary key, not scanned.
"""

from django.db.models import Q
from django.db.models.functions import Upper

from changing_lives.authorities.models import LocalAuthority
from families.models import Family, FamilyQuerySet, Individual

IDENTIFIER_FIELDS = ("nhs_number", "nino", "upn", "uln", "pnc_number")
SHORTEST_PARTIAL_NAME = 3


def family_search(
    families: FamilyQuerySet, query: str, *, authority: LocalAuthority
) -> FamilyQuerySet:
    upper = " ".join(query.upper().split())
    if not upper:
        return families
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
        .values("family_id")
    )
    by_reference = Family.objects.for_authority(authority).filter(la_family_id__in=references)
    return families.filter(pk__in=members.union(by_reference.values("pk"), all=True))


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
