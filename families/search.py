"""Finding families by a member's name, an LA family or individual ID, or any identifier.

The query is the same on PostgreSQL and SQLite (LIKE on an upper-cased name, equality on
normalised identifiers); on PostgreSQL a trigram index (migration 0003) makes the name
search fast at a large authority's size. That index is the only difference between the two.
"""

from django.db.models import Q

from changing_lives.authorities.models import LocalAuthority
from families.models import FamilyQuerySet, Individual

IDENTIFIER_FIELDS = ("nhs_number", "nino", "upn", "uln", "pnc_number", "la_individual_id")


def family_search(
    families: FamilyQuerySet, query: str, *, authority: LocalAuthority
) -> FamilyQuerySet:
    query = " ".join(query.split())
    if not query:
        return families
    compact = query.upper().replace(" ", "").replace("-", "")

    by_identifier = Q()
    for field in IDENTIFIER_FIELDS:
        by_identifier |= Q(**{field: compact})
    by_name = Q()
    for term in query.upper().split(" "):
        by_name &= Q(search_name__contains=term)

    # Members are matched once each (uncorrelated subqueries the planner hashes), within
    # the authority so that the per-authority identifier indexes serve the lookup.
    matching = (
        Individual.objects.for_authority(authority)
        .filter(by_identifier | by_name)
        .values("family_id")
    )
    return families.filter(Q(la_family_id=compact) | Q(pk__in=matching))
