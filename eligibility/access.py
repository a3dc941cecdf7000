"""The one way a view reaches an assessment: of a family the user may see, or 404."""

import uuid

from django.shortcuts import get_object_or_404

from eligibility.models import Assessment
from families.models import Family


def assessment_for(family: Family, public_id: uuid.UUID) -> Assessment:
    # The family was found within the user's authority (families.access.family_for).
    return get_object_or_404(
        Assessment.objects.select_related("framework", "assessed_by", "overridden_by"),
        family=family,
        public_id=public_id,
    )
