"""The one way a view reaches a purge run or a hold: within the user's authority, or 404.

Another authority's run or hold answers exactly as one that does not exist, so its id gives
nothing away.
"""

import uuid

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from changing_lives.accounts.access import authority_of
from changing_lives.retention.models import Hold, PurgeRun
from families.models import Family


def run_for(request: HttpRequest, public_id: uuid.UUID) -> PurgeRun:
    runs = PurgeRun.objects.for_authority(authority_of(request)).select_related(
        "local_authority", "started_by"
    )
    return get_object_or_404(runs, public_id=public_id)


def hold_for(request: HttpRequest, family: Family, public_id: uuid.UUID) -> Hold:
    # The family was reached through families.access.family_for; the authority is checked
    # again here so that this helper is safe on its own.
    holds = Hold.objects.filter(
        family=family, family__local_authority=authority_of(request)
    ).select_related("family", "placed_by", "lifted_by")
    return get_object_or_404(holds, public_id=public_id)
