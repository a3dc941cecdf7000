"""The one way a view reaches a submission (within the user's authority, or 404) or a
recipient key (platform-wide, by fingerprint).

Another authority's submission answers exactly as one that does not exist, so its id gives
nothing away.
"""

import uuid

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from changing_lives.accounts.access import authority_of
from nis_export.models import RecipientKey, Submission


def submission_for(request: HttpRequest, public_id: uuid.UUID) -> Submission:
    submissions = Submission.objects.for_authority(authority_of(request)).select_related(
        "local_authority", "requested_by"
    )
    return get_object_or_404(submissions, public_id=public_id)


def recipient_key_for(fingerprint: str) -> RecipientKey:
    # Keys are shared by every authority (the recipients are national): no authority scope.
    return get_object_or_404(RecipientKey, fingerprint=fingerprint.upper())
