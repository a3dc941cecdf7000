"""The one way a view reaches a family or a member: within the user's authority, or 404.

A record of another authority answers exactly as a record that does not exist, so ids of
other authorities' records give nothing away.
"""

import uuid

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from changing_lives.accounts.access import authority_of
from families.models import Family, Individual


def family_for(request: HttpRequest, public_id: uuid.UUID) -> Family:
    families = Family.objects.for_authority(authority_of(request)).select_related(
        "local_authority", "lead_professional"
    )
    return get_object_or_404(families, public_id=public_id)


def member_for(request: HttpRequest, family: Family, public_id: uuid.UUID) -> Individual:
    members = Individual.objects.for_authority(authority_of(request)).select_related(
        "family", "local_authority"
    )
    return get_object_or_404(members, family=family, public_id=public_id)
