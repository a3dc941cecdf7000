"""What the purge would destroy now: the families due, those held, and the rows by kind."""

import datetime
import operator
from collections import Counter
from dataclasses import dataclass
from functools import reduce
from typing import Any

from django.db.models import Exists, Min, OuterRef, QuerySet
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
# The order the purge deletes them in: a row before the rows it points to, so that each
# kind's query (purge_rows) still finds its rows through the ones not yet deleted.
DELETE_ORDER = (
    "validation_issues",
    "history_entries",
    "progress_values",
    "progress_returns",
    "criteria",
    "status_changes",
    "interventions",
    "holds",
    "assessments",
    "individuals",
    "families",
)
ACTIVE = (PurgeStatus.QUEUED, PurgeStatus.RUNNING)
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
    through (a member who moved in was in an earlier family's rows). Two queries, not an OR
    of two subqueries (a scan of every assessment)."""
    members = Individual.objects.filter(family__in=families).values("public_id")
    passed_through = FamilyHistoryEntry.objects.filter(subject_id__in=members).values("family")
    found = [
        Assessment.objects.filter(family__in=families).aggregate(earliest=Min("screened_on")),
        Assessment.objects.filter(family__in=passed_through).aggregate(earliest=Min("screened_on")),
    ]
    return min((row["earliest"] for row in found if row["earliest"]), default=None)


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


def purge_rows(
    families: FamilyQuerySet, authority: LocalAuthority
) -> dict[str, tuple[QuerySet[Any], ...]]:
    """Every row a purge of these families deletes, by kind (but packages: their files), as
    the queries that find them: a row may be found by more than one (OR them to count).

    Each query follows one indexed path: an OR of two subqueries is planned as a scan of the
    whole table, once per batch of the purge (docs/performance.md, "The purge"). The purge
    deletes exactly these (purge_rows_delete) and the preview counts them: a model that
    points to any of them must be one of them (a test walks the models)."""
    members = Individual.objects.filter(family__in=families)
    in_authority = ValidationIssue.objects.filter(submission__local_authority=authority)
    return {
        "families": (families,),
        "individuals": (members,),
        "assessments": (Assessment.objects.filter(family__in=families),),
        # A member's criteria may sit in the assessment of a family they moved out of.
        "criteria": (
            CriterionMet.objects.filter(assessment__family__in=families),
            CriterionMet.objects.filter(individual__in=members),
        ),
        "interventions": (Intervention.objects.filter(family__in=families),),
        "status_changes": (StatusChange.objects.filter(family__in=families),),
        "progress_returns": (FamilyReturn.objects.filter(family__in=families),),
        "progress_values": (
            ProgressValue.objects.filter(family_return__family__in=families),
            ProgressValue.objects.filter(individual__in=members),
        ),
        # Entries about a member in the families they passed through hold their name.
        "history_entries": (
            FamilyHistoryEntry.objects.filter(family__in=families),
            FamilyHistoryEntry.objects.filter(subject_id__in=members.values("public_id")),
        ),
        "holds": (Hold.objects.filter(family__in=families),),
        # Issues name records by LA IDs: those of a member filed under an earlier family too.
        "validation_issues": (
            ValidationIssue.objects.filter(family__in=families),
            in_authority.filter(la_family_id__in=families.values("la_family_id")),
            in_authority.filter(la_individual_id__in=members.values("la_individual_id")),
        ),
    }


def purge_rows_count(families: FamilyQuerySet, authority: LocalAuthority) -> dict[str, int]:
    """The rows a purge of these families would delete, by kind (each row once)."""
    return {
        kind: reduce(operator.or_, queries).count()
        for kind, queries in purge_rows(families, authority).items()
    }


def purge_rows_delete(families: FamilyQuerySet, authority: LocalAuthority) -> dict[str, int]:
    """Delete every row of purge_rows, kind by kind in DELETE_ORDER, a statement per query
    (no models loaded, no signals: nothing hangs from these rows but each other); the rows
    deleted by kind. Call it in a transaction: the foreign keys are checked at its commit."""
    rows = purge_rows(families, authority)
    return {kind: sum(query._raw_delete(query.db) for query in rows[kind]) for kind in DELETE_ORDER}


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
            **purge_rows_count(candidates, authority),
            "nis_packages": _submissions_holding(
                authority, _earliest_screening(candidates)
            ).count(),
        },
    )


def _kind_order(kind: str) -> tuple[int, str]:
    return (KINDS.index(kind), "") if kind in KINDS else (len(KINDS), kind)
