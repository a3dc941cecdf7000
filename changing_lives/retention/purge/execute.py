"""Running a purge: each family destroyed in its own transaction, all of it or none."""

import datetime
import logging
import shutil
from collections import Counter

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone

from changing_lives.audit.actions import AuditAction
from changing_lives.audit.services import audit_record, audit_record_many
from changing_lives.authorities.models import LocalAuthority
from changing_lives.db import advisory_lock, values_insert_new
from changing_lives.retention.models import (
    Hold,
    PurgedFamily,
    PurgeRun,
    PurgeStatus,
)
from changing_lives.retention.purge.due import (
    BUILD_STOPPED,
    KINDS,
    PACKAGE_PURGED,
    _added,
    _due,
    _earliest_screening,
    _open_hold,
    _RunTakenAway,
    _submissions_holding,
    purge_candidates,
    purge_lock_name,
    purge_rows_delete,
)
from changing_lives.retention.purge.runs import _finish
from families.la_ids import ReferenceKind, reference_digest, references_retire
from families.models import (
    Family,
    FamilyHistoryEntry,
    FamilyQuerySet,
    Individual,
)
from nis_export.build import package_folder
from nis_export.models import Submission, SubmissionStatus

logger = logging.getLogger(__name__)
# Submissions whose files may hold a family: packages, and builds under way.
LIVE = (SubmissionStatus.READY, SubmissionStatus.BUILDING)


def purge_claim(run_id: int) -> PurgeRun | None:
    """Take a queued run; None if another worker has it, it was stopped, or it is gone."""
    now = timezone.now()
    claimed = PurgeRun.objects.filter(pk=run_id, status=PurgeStatus.QUEUED).update(
        status=PurgeStatus.RUNNING, started_at=now, heartbeat_at=now
    )
    return PurgeRun.objects.select_related("local_authority").get(pk=run_id) if claimed else None


def purge_execute(run: PurgeRun) -> PurgeRun:
    """Run the purge here, in this process: claim the run if it is still queued (pass a
    queued run, or one this process has just claimed), take the authority's lock, destroy
    each family due (one transaction each), and end the run FINISHED, STOPPED (asked to), or
    FAILED (another executor held the lock, a family could not be destroyed, or an error
    stopped it). Returns the run as it ended."""
    if run.status == PurgeStatus.QUEUED:
        claimed = purge_claim(run.pk)
        if claimed is None:
            run.refresh_from_db()
            return run
        run = claimed
    if run.status != PurgeStatus.RUNNING:
        return run
    with advisory_lock(purge_lock_name(run.local_authority)) as locked:
        if not locked:
            _finish(
                run,
                PurgeStatus.FAILED,
                reason="Another purge of this authority was running: run it again once it has "
                "finished",
            )
        else:
            try:
                _families_purge(run)
            except _RunTakenAway:
                pass  # failed by the reaper meanwhile: its end is already recorded
            except Exception as error:
                # Never the exception's text: it could quote a record.
                _finish(
                    run,
                    PurgeStatus.FAILED,
                    reason=f"The purge failed ({type(error).__name__}): every family is whole "
                    "or gone; run it again",
                )
                raise
    run.refresh_from_db()
    return run


def _families_purge(run: PurgeRun) -> None:
    authority = run.local_authority
    today = timezone.localdate()
    due = purge_candidates(authority, today=today)
    PurgeRun.objects.filter(pk=run.pk).update(families_due=due.count(), heartbeat_at=timezone.now())
    totals = _added(dict.fromkeys(KINDS, 0), Counter(run.counts))
    failed = 0
    last = 0
    while batch := list(
        due.filter(pk__gt=last)
        .order_by("pk")
        .values_list("pk", flat=True)[: settings.PURGE_BATCH_FAMILIES]
    ):
        last = batch[-1]
        if _stop_requested(run):
            return
        try:
            totals = _batch_purge(run, batch, today=today, totals=totals)
            continue
        except _RunTakenAway:
            raise
        except Exception as error:
            _raise_if_database_gone(error)
            if len(batch) == 1:
                failed += _family_failed(run, batch[0], error)
                continue
        # One family stopped the batch (all of it rolled back): each again in a transaction
        # of its own, so that only the family at fault stays.
        for family_pk in batch:
            if _stop_requested(run):
                return
            try:
                totals = _batch_purge(run, [family_pk], today=today, totals=totals)
            except _RunTakenAway:
                raise
            except Exception as error:
                _raise_if_database_gone(error)
                failed += _family_failed(run, family_pk, error)
    if failed:
        _finish(
            run,
            PurgeStatus.FAILED,
            reason=f"{failed} of the families due could not be purged (an error): each is "
            "whole; run the purge again, or ask for help",
        )
    else:
        _finish(run, PurgeStatus.FINISHED)


class _BatchChanged(Exception):
    """A family came into the batch's span after it was read: do the batch again family by
    family."""


def _stop_requested(run: PurgeRun) -> bool:
    """True, with the run ended STOPPED, if an admin pressed stop; raises _RunTakenAway if
    the run is no longer running (the reaper took it for dead)."""
    status, stop = PurgeRun.objects.values_list("status", "stop_requested").get(pk=run.pk)
    if status != PurgeStatus.RUNNING:
        raise _RunTakenAway
    if stop:
        _finish(run, PurgeStatus.STOPPED)
    return stop


def _raise_if_database_gone(error: Exception) -> None:
    if isinstance(error, OperationalError | InterfaceError) and not connection.is_usable():
        raise error  # no point trying the next family


def _family_failed(run: PurgeRun, family_pk: int, error: Exception) -> int:
    # Rolled back: the family is whole, and stays due for the next run. No traceback: its
    # text could quote a record.
    logger.error(
        "Purge %s: family pk=%s could not be purged (%s)",
        run.public_id,
        family_pk,
        type(error).__name__,
    )
    return 1


def _batch_purge(
    run: PurgeRun, family_pks: list[int], *, today: datetime.date, totals: dict[str, int]
) -> dict[str, int]:
    """Destroy these families and every copy of them, in one transaction (each family is
    wholly inside it: all of it goes, or none); the run's new totals.

    Set-based: a statement per kind of row for the whole batch, not per family, which is
    what keeps the purge near a plain SQL delete of the same rows (docs/performance.md).

    Audit entries are not touched: by design they hold no personal text (an object is named
    by its public UUID, details are machine facts: changing_lives/audit/models.py), so there
    is nothing in them to scrub. Search needs nothing either: the trigram index is the
    table's own, and no cache holds records.
    """
    authority = run.local_authority
    with transaction.atomic():
        # Locked, then checked again: a hold placed, or a date moved, since the preview (or
        # since this batch was read) wins. A hold being placed now waits for these locks,
        # and then finds no family. (The holds are read by a statement of their own, after
        # the locks: one that waited for a hold's transaction then sees its hold.)
        locked = list(
            Family.objects.select_for_update()
            .filter(pk__in=family_pks, local_authority=authority, retention_on__lte=today)
            .order_by("pk")
            .values_list("pk", "public_id", "la_family_id")
        )
        held = set(
            Hold.objects.open()
            .filter(family_id__in=[pk for pk, _public_id, _la_family_id in locked])
            .values_list("family_id", flat=True)
        )
        families = [row for row in locked if row[0] not in held]
        if not families:
            return totals
        # The batch as a span of ids, not a list of them: each statement below stays short
        # (a statement with 500 parameters cost more to send than to run). The span can
        # hold no other family of the authority that is due and not held but one created
        # since the batch was read, already past its date: the count of families deleted
        # shows that, and the batch is then done again one family at a time.
        scope = (
            _due(authority, today)
            .exclude(_open_hold())
            .filter(pk__gte=families[0][0], pk__lte=families[-1][0])
        )
        packages, builds = _submissions_locked(authority, scope)
        family_ids = [la_family_id for _pk, _public_id, la_family_id in families]
        _history_notes_unlink(authority, scope, family_ids)
        # Never to be given out again (kept as HMAC digests, not as the IDs).
        references_retire(authority=authority, kind=ReferenceKind.FAMILY, values=family_ids)
        references_retire(
            authority=authority,
            kind=ReferenceKind.INDIVIDUAL,
            values=Individual.objects.filter(family__in=scope).values_list(
                "la_individual_id", flat=True
            ),
        )
        audit_record_many(
            action=AuditAction.FAMILY_PURGED,
            actor=run.started_by,
            local_authority=authority,
            objects=[Family(pk=pk, public_id=public_id) for pk, public_id, _id in families],
            detail=f"purge {run.public_id}",
        )
        counts = Counter(purge_rows_delete(scope, authority))
        if counts["families"] != len(families):
            raise _BatchChanged

        now = timezone.now()
        for submission in packages:
            Submission.objects.filter(pk=submission.pk).update(
                status=SubmissionStatus.EXPIRED, package_name="", failure_reason=PACKAGE_PURGED
            )
            audit_record(
                action=AuditAction.NIS_EXPIRED,
                local_authority=authority,
                obj=submission,
                detail=f"purge {run.public_id}",
            )
        counts["nis_packages"] += len(packages)
        Submission.objects.filter(pk__in=[build.pk for build in builds]).update(
            status=SubmissionStatus.FAILED, finished_at=now, failure_reason=BUILD_STOPPED
        )

        values_insert_new(
            PurgedFamily,
            same={"run": run, "purged_at": now},
            column="digest",
            values=[
                reference_digest(authority=authority, kind=ReferenceKind.FAMILY, value=value)
                for value in family_ids
            ],
        )
        totals = _added(totals, counts)
        recorded = PurgeRun.objects.filter(pk=run.pk, status=PurgeStatus.RUNNING).update(
            counts=totals,
            families_purged=F("families_purged") + len(families),
            heartbeat_at=now,
        )
        if not recorded:
            raise _RunTakenAway
        # Files last: if deleting one fails, the transaction rolls back and the families stay
        # whole. (If the commit itself then failed, the package would be gone while its row
        # says READY: erasure errs towards deleting, never towards keeping.)
        for submission in [*packages, *builds]:
            folder = package_folder(submission)
            if folder.exists():
                shutil.rmtree(folder)
    return totals


def _submissions_locked(
    authority: LocalAuthority, families: FamilyQuerySet
) -> tuple[list[Submission], list[Submission]]:
    """The authority's packages (READY) that may hold any of these families, and its builds
    under way (which may have read one already, and must not be released), locked."""
    if not Submission.objects.for_authority(authority).filter(status__in=LIVE).exists():
        return [], []  # most batches: no query for the families' earliest screening
    earliest = _earliest_screening(families)
    packages = list(_submissions_holding(authority, earliest).select_for_update())
    builds = list(
        _submissions_holding(authority, earliest, SubmissionStatus.BUILDING).select_for_update()
    )
    return packages, builds


def _history_notes_unlink(
    authority: LocalAuthority, families: FamilyQuerySet, la_family_ids: list[str]
) -> None:
    """A member who moved out of a purged family lives on elsewhere, and so do the entries
    about the move, but "From family F000123" names the purged family: the name goes.

    A move is recorded in both families' histories, so a family none of whose own entries
    is a move named in no other's (most batches: no search of the authority's history)."""
    moves = [
        FamilyHistoryEntry.Action.MEMBER_MOVED_IN,
        FamilyHistoryEntry.Action.MEMBER_MOVED_OUT,
    ]
    moved = set(
        FamilyHistoryEntry.objects.filter(family__in=families, action__in=moves).values_list(
            "family__la_family_id", flat=True
        )
    )
    if not moved:
        return
    elsewhere = FamilyHistoryEntry.objects.filter(
        family__local_authority=authority, action__in=moves
    )
    for direction in ("From", "To"):
        elsewhere.filter(note__in=[f"{direction} family {value}" for value in moved]).update(
            note=f"{direction} a family since purged"
        )
