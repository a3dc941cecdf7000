"""Running a purge: each family destroyed in its own transaction, all of it or none."""

import datetime
import logging
import shutil
from collections import Counter

from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone

from changing_lives.audit.actions import AuditAction
from changing_lives.audit.services import audit_record
from changing_lives.db import advisory_lock
from changing_lives.retention.models import (
    Hold,
    PurgedFamily,
    PurgeRun,
    PurgeStatus,
)
from changing_lives.retention.purge.due import (
    BATCH,
    BUILD_STOPPED,
    KIND_OF_MODEL,
    KINDS,
    PACKAGE_PURGED,
    _added,
    _earliest_screening,
    _rows,
    _RunTakenAway,
    _submissions_holding,
    purge_candidates,
    purge_lock_name,
)
from changing_lives.retention.purge.runs import _finish
from families.la_ids import ReferenceKind, reference_digest, reference_retire
from families.models import (
    Family,
    FamilyHistoryEntry,
    RetiredReference,
)
from nis_export.build import package_folder
from nis_export.models import Submission, SubmissionStatus

logger = logging.getLogger(__name__)


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
        due.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH]
    ):
        for family_pk in batch:
            last = family_pk
            status, stop = PurgeRun.objects.values_list("status", "stop_requested").get(pk=run.pk)
            if status != PurgeStatus.RUNNING:
                raise _RunTakenAway
            if stop:
                _finish(run, PurgeStatus.STOPPED)
                return
            try:
                totals = _family_purge(run, family_pk, today=today, totals=totals)
            except _RunTakenAway:
                raise
            except Exception as error:
                if isinstance(error, OperationalError | InterfaceError) and not (
                    connection.is_usable()
                ):
                    raise  # the database is gone: no point trying the next family
                # Rolled back: the family is whole, and stays due for the next run.
                failed += 1
                # No traceback: its text could quote a record.
                logger.error(
                    "Purge %s: family pk=%s could not be purged (%s)",
                    run.public_id,
                    family_pk,
                    type(error).__name__,
                )
    if failed:
        _finish(
            run,
            PurgeStatus.FAILED,
            reason=f"{failed} of the families due could not be purged (an error): each is "
            "whole; run the purge again, or ask for help",
        )
    else:
        _finish(run, PurgeStatus.FINISHED)


def _family_purge(
    run: PurgeRun, family_pk: int, *, today: datetime.date, totals: dict[str, int]
) -> dict[str, int]:
    """Destroy one family and every copy of it, in one transaction; the run's new totals.

    Audit entries are not touched: by design they hold no personal text (an object is named
    by its public UUID, details are machine facts: changing_lives/audit/models.py), so there
    is nothing in them to scrub. Search needs nothing either: the trigram index is the
    table's own, and no cache holds records.
    """
    authority = run.local_authority
    with transaction.atomic():
        # Locked, then checked again: a hold placed, or a date moved, since the preview (or
        # since this batch was read) wins. A hold being placed now waits for this lock, and
        # then finds no family.
        family = (
            Family.objects.select_for_update()
            .filter(pk=family_pk, local_authority=authority, retention_on__lte=today)
            .first()
        )
        if family is None or Hold.objects.open().filter(family=family).exists():
            return totals
        scope = Family.objects.filter(pk=family.pk)
        rows = _rows(scope, authority)
        counts: Counter[str] = Counter()
        earliest = _earliest_screening(scope)
        packages = list(_submissions_holding(authority, earliest).select_for_update())
        # A build under way may have read the family already: it must not be released.
        builds = list(
            _submissions_holding(authority, earliest, SubmissionStatus.BUILDING).select_for_update()
        )
        members = list(family.members.values_list("public_id", "la_individual_id"))

        # Copies outside the family's own rows, which its delete would not reach.
        counts["history_entries"] += rows["history_entries"].exclude(family=family).delete()[0]
        counts["validation_issues"] += rows["validation_issues"].exclude(family=family).delete()[0]
        _history_notes_unlink(family)

        # Never to be given out again (kept as HMAC digests, not as the IDs).
        reference_retire(authority=authority, kind=ReferenceKind.FAMILY, value=family.la_family_id)
        # The members' at once (reference_retire's digest and constraint, one query).
        RetiredReference.objects.bulk_create(
            [
                RetiredReference(
                    local_authority=authority,
                    kind=ReferenceKind.INDIVIDUAL.value,
                    digest=reference_digest(
                        authority=authority, kind=ReferenceKind.INDIVIDUAL, value=la_individual_id
                    ),
                )
                for _public_id, la_individual_id in members
            ],
            ignore_conflicts=True,
        )
        audit_record(
            action=AuditAction.FAMILY_PURGED,
            actor=run.started_by,
            local_authority=authority,
            obj=family,
            detail=f"purge {run.public_id}",
        )
        _total, deleted = family.delete()
        for label, number in deleted.items():
            counts[KIND_OF_MODEL.get(label, label)] += number

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

        PurgedFamily.objects.create(
            run=run,
            digest=reference_digest(
                authority=authority, kind=ReferenceKind.FAMILY, value=family.la_family_id
            ),
            purged_at=now,
        )
        totals = _added(totals, counts)
        recorded = PurgeRun.objects.filter(pk=run.pk, status=PurgeStatus.RUNNING).update(
            counts=totals,
            families_purged=F("families_purged") + 1,
            heartbeat_at=now,
        )
        if not recorded:
            raise _RunTakenAway
        # Files last: if deleting one fails, the transaction rolls back and the family stays
        # whole. (If the commit itself then failed, the package would be gone while its row
        # says READY: erasure errs towards deleting, never towards keeping.)
        for submission in [*packages, *builds]:
            folder = package_folder(submission)
            if folder.exists():
                shutil.rmtree(folder)
    return totals


def _history_notes_unlink(family: Family) -> None:
    """A member who moved out of the family lives on elsewhere, and so do the entries about
    the move, but "From family F000123" names the purged family: the name goes."""
    moved = FamilyHistoryEntry.objects.filter(
        family__local_authority_id=family.local_authority_id,
        action__in=[
            FamilyHistoryEntry.Action.MEMBER_MOVED_IN,
            FamilyHistoryEntry.Action.MEMBER_MOVED_OUT,
        ],
    ).exclude(family=family)
    for direction in ("From", "To"):
        moved.filter(note=f"{direction} family {family.la_family_id}").update(
            note=f"{direction} a family since purged"
        )
