"""What the purge would destroy now: the families due, those held, and the rows by kind."""

import datetime
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, Min, OuterRef, Q, QuerySet
from django.utils import timezone

from changing_lives.authorities.models import LocalAuthority
from changing_lives.retention.models import (
    Hold,
    PurgeStatus,
)
from eligibility.models import Assessment, CriterionMet, Intervention, StatusChange
from families.models import (
    Family,
    FamilyHistoryEntry,
    FamilyQuerySet,
    Individual,
)
from nis_export.models import Submission, SubmissionStatus, ValidationIssue
from progress.models import FamilyReturn, ProgressValue

# The kinds of row a purge deletes, in the order a certificate lists them.
KINDS = (
    "families",
    "individuals",
    "assessments",
    "criteria",
    "interventions",
    "status_changes",
    "progress_returns",
    "progress_values",
    "history_entries",
    "holds",
    "validation_issues",
    "nis_packages",
)
# What Django's delete() of a family reports, by model label, as those kinds. A model added
# later that hangs from a family is deleted with it all the same, and counted under its label.
KIND_OF_MODEL = {
    "families.Family": "families",
    "families.Individual": "individuals",
    "eligibility.Assessment": "assessments",
    "eligibility.CriterionMet": "criteria",
    "eligibility.Intervention": "interventions",
    "eligibility.StatusChange": "status_changes",
    "progress.FamilyReturn": "progress_returns",
    "progress.ProgressValue": "progress_values",
    "families.FamilyHistoryEntry": "history_entries",
    "retention.Hold": "holds",
    "nis_export.ValidationIssue": "validation_issues",
}
ACTIVE = (PurgeStatus.QUEUED, PurgeStatus.RUNNING)
BATCH = 100
# A queued run that no worker has taken after this long is taken as lost (its task was).
NEVER_STARTED_SECONDS = 60 * 60
PACKAGE_PURGED = "Deleted by the purge: it held a purged family"
BUILD_STOPPED = "Stopped by the purge: it may have held a purged family; build it again"
SCHEDULE = "nightly schedule"
COMMAND_LINE = "command line"


@dataclass(frozen=True)
class PurgePreview:
    families: list[Family]  # due and not held, LA family ID order
    held: list[tuple[Family, Hold]]  # due but held: the open hold that stops each
    counts: dict[str, int]  # rows that would go, by kind (KINDS)


class _RunTakenAway(Exception):
    """The run is no longer running (taken for dead, and failed): its executor must stop."""


def purge_lock_name(authority: LocalAuthority) -> str:
    # One lock per authority: two authorities' purges touch no row in common.
    return f"retention.purge:{authority.gss_code}"


def _open_hold() -> Exists:
    return Exists(Hold.objects.open().filter(family=OuterRef("pk")))


def _due(authority: LocalAuthority, today: datetime.date) -> FamilyQuerySet:
    # A family whose date was never computed (NULL) is never due: nothing is destroyed on a
    # date nobody has seen.
    return Family.objects.for_authority(authority).filter(retention_on__lte=today)


def purge_candidates(
    authority: LocalAuthority, *, today: datetime.date | None = None
) -> FamilyQuerySet:
    """The families a purge would destroy now: on or past their retention date, with no open
    hold (a legal hold, an open subject access request)."""
    today = today or timezone.localdate()
    return _due(authority, today).exclude(_open_hold()).order_by("la_family_id")


def _earliest_screening(families: FamilyQuerySet) -> datetime.date | None:
    """The earliest screening of these families, or of any family their members passed
    through (a member who moved in was in an earlier family's rows)."""
    members = Individual.objects.filter(family__in=families).values("public_id")
    passed_through = FamilyHistoryEntry.objects.filter(subject_id__in=members).values("family")
    earliest: datetime.date | None = Assessment.objects.filter(
        Q(family__in=families) | Q(family__in=passed_through)
    ).aggregate(earliest=Min("screened_on"))["earliest"]
    return earliest


def _submissions_holding(
    authority: LocalAuthority,
    earliest: datetime.date | None,
    status: SubmissionStatus = SubmissionStatus.READY,
) -> QuerySet[Submission]:
    """The authority's submissions (READY: packages) that may hold someone screened on or
    after `earliest`: a package holds every family screened by its snapshot
    (nis_export.extract), so those whose snapshot is on or after it."""
    if earliest is None:  # never screened: never in a package
        return Submission.objects.none()
    return Submission.objects.for_authority(authority).filter(
        status=status, snapshot_on__gte=earliest
    )


def _added(totals: dict[str, int], counts: Counter[str]) -> dict[str, int]:
    # Not Counter addition: that drops the kinds still at zero, which a certificate lists.
    return {
        kind: totals.get(kind, 0) + counts.get(kind, 0)
        for kind in sorted({*totals, *counts}, key=_kind_order)
    }


def _rows(families: FamilyQuerySet, authority: LocalAuthority) -> dict[str, QuerySet[Any]]:
    """Every row a purge of these families deletes, by kind (but packages: their files)."""
    members = Individual.objects.filter(family__in=families)
    in_authority = Q(submission__local_authority=authority)
    return {
        "families": families,
        "individuals": members,
        "assessments": Assessment.objects.filter(family__in=families),
        # A member's criteria may sit in the assessment of a family they moved out of.
        "criteria": CriterionMet.objects.filter(
            Q(assessment__family__in=families) | Q(individual__in=members)
        ),
        "interventions": Intervention.objects.filter(family__in=families),
        "status_changes": StatusChange.objects.filter(family__in=families),
        "progress_returns": FamilyReturn.objects.filter(family__in=families),
        "progress_values": ProgressValue.objects.filter(
            Q(family_return__family__in=families) | Q(individual__in=members)
        ),
        # Entries about a member in the families they passed through hold their name.
        "history_entries": FamilyHistoryEntry.objects.filter(
            Q(family__in=families) | Q(subject_id__in=members.values("public_id"))
        ),
        "holds": Hold.objects.filter(family__in=families),
        # Issues name records by LA IDs: those of a member filed under an earlier family too.
        "validation_issues": ValidationIssue.objects.filter(
            Q(family__in=families)
            | in_authority & Q(la_family_id__in=families.values("la_family_id"))
            | in_authority & Q(la_individual_id__in=members.values("la_individual_id"))
        ),
    }


def purge_preview(authority: LocalAuthority, *, today: datetime.date | None = None) -> PurgePreview:
    """What a purge would destroy now (a dozen count queries, whatever the numbers), and the
    families it would leave because a hold stops them."""
    today = today or timezone.localdate()
    candidates = purge_candidates(authority, today=today)
    held_families = list(_due(authority, today).filter(_open_hold()).order_by("la_family_id"))
    first_hold: dict[int, Hold] = {}
    for hold in Hold.objects.open().filter(family__in=held_families).order_by("placed_at", "id"):
        first_hold.setdefault(hold.family_id, hold)
    return PurgePreview(
        families=list(candidates),
        # A hold lifted between the two queries: that family is simply due next time.
        held=[
            (family, first_hold[family.pk]) for family in held_families if family.pk in first_hold
        ],
        counts={
            **{kind: rows.count() for kind, rows in _rows(candidates, authority).items()},
            "nis_packages": _submissions_holding(
                authority, _earliest_screening(candidates)
            ).count(),
        },
    )


def _kind_order(kind: str) -> tuple[int, str]:
    return (KINDS.index(kind), "") if kind in KINDS else (len(KINDS), kind)
