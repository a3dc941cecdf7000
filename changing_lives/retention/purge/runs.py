"""Purge runs: requested (by an admin or the nightly schedule), stopped, reaped when dead."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from changing_lives.accounts.models import User
from changing_lives.audit.actions import AuditAction
from changing_lives.audit.services import audit_record
from changing_lives.authorities.models import LocalAuthority
from changing_lives.retention.models import (
    PurgeRun,
    PurgeStatus,
    RetentionSettings,
)
from changing_lives.retention.purge.due import ACTIVE, KINDS, NEVER_STARTED_SECONDS, SCHEDULE


@transaction.atomic
def purge_create(
    *,
    actor: User | None,
    authority: LocalAuthority,
    scheduled: bool = False,
    request: HttpRequest | None = None,
) -> PurgeRun:
    """Create a queued run, audited, without starting it: purge_request queues its task,
    `manage.py purge_expired --execute` runs it in process.

    Refused while a run of the authority is queued or running, checked under a lock on the
    authority's row so two requests cannot both pass. A run whose worker died (stale
    heartbeat) is failed first, so it never blocks the next one."""
    purge_reap_stale()
    # FOR NO KEY UPDATE: excludes a second request, without holding up new families (their
    # foreign key takes a key-share lock on the authority's row).
    LocalAuthority.objects.select_for_update(no_key=True).get(pk=authority.pk)
    if PurgeRun.objects.for_authority(authority).filter(status__in=ACTIVE).exists():
        raise ValidationError(
            "A purge is already queued or running for your authority: wait for it to finish, "
            "or stop it",
            code="purge_in_progress",
        )
    run = PurgeRun.objects.create(
        local_authority=authority,
        started_by=actor,
        scheduled=scheduled,
        counts=dict.fromkeys(KINDS, 0),
    )
    audit_record(
        action=AuditAction.PURGE_REQUESTED,
        actor=actor,
        local_authority=authority,
        obj=run,
        request=request,
        detail=SCHEDULE if scheduled else "",
    )
    return run


@transaction.atomic
def purge_request(
    *,
    actor: User | None,
    authority: LocalAuthority,
    scheduled: bool = False,
    request: HttpRequest | None = None,
) -> PurgeRun:
    """Queue a purge of the authority; its task starts once this transaction commits."""
    from changing_lives.retention.tasks import purge_run  # the task module imports this one

    run = purge_create(actor=actor, authority=authority, scheduled=scheduled, request=request)
    transaction.on_commit(lambda: purge_run.delay(run.pk))
    return run


def purge_nightly_request() -> list[PurgeRun]:
    """The nightly schedule: a run for each authority that switched it on, unless one of
    theirs is already queued or running. A run with nothing due still leaves a certificate."""
    runs = []
    for policy in RetentionSettings.objects.filter(nightly_purge=True).select_related(
        "local_authority"
    ):
        try:
            runs.append(purge_request(actor=None, authority=policy.local_authority, scheduled=True))
        except ValidationError as error:
            if error.code != "purge_in_progress":
                raise
    return runs


@transaction.atomic
def purge_stop(*, actor: User, run: PurgeRun, request: HttpRequest | None = None) -> PurgeRun:
    """Ask a run to stop. A running run stops after the family in hand (which goes whole); a
    queued one stops at once. Either way what is left is purged by the next run."""
    current = PurgeRun.objects.select_for_update().get(pk=run.pk)
    if current.status not in ACTIVE:
        raise ValidationError("This purge has already ended", code="purge_ended")
    PurgeRun.objects.filter(pk=run.pk).update(stop_requested=True)
    audit_record(
        action=AuditAction.PURGE_STOP_REQUESTED,
        actor=actor,
        local_authority=run.local_authority,
        obj=run,
        request=request,
    )
    # A queued run has no family in hand: stopped now (the claim of its task then fails).
    _finish(run, PurgeStatus.STOPPED, only_if=[PurgeStatus.QUEUED])
    run.refresh_from_db()
    return run


def purge_reap_stale() -> int:
    """Fail each run whose worker died (no heartbeat for PURGE_STALE_SECONDS) and each queued
    run no worker took within the hour. Nothing to tidy: every family is whole or gone."""
    now = timezone.now()
    cutoff = now - datetime.timedelta(seconds=settings.PURGE_STALE_SECONDS)
    reaped = 0
    for run in PurgeRun.objects.filter(status=PurgeStatus.RUNNING, heartbeat_at__lt=cutoff):
        reaped += _finish(
            run,
            PurgeStatus.FAILED,
            reason="The purge stopped part way (its worker ended): every family is whole or "
            "gone; run it again to purge the rest",
            only_if=[PurgeStatus.RUNNING],
            stale_before=cutoff,
        )
    never_started = now - datetime.timedelta(seconds=NEVER_STARTED_SECONDS)
    for run in PurgeRun.objects.filter(status=PurgeStatus.QUEUED, requested_at__lt=never_started):
        reaped += _finish(
            run,
            PurgeStatus.FAILED,
            reason="The purge never started (no worker took it): run it again",
            only_if=[PurgeStatus.QUEUED],
        )
    return reaped


def _finish(
    run: PurgeRun,
    status: PurgeStatus,
    *,
    reason: str = "",
    only_if: list[PurgeStatus] | None = None,
    stale_before: datetime.datetime | None = None,
) -> int:
    """End the run (if it is still in one of `only_if`), audited; 1 if it was ended here."""
    with transaction.atomic():
        rows = PurgeRun.objects.filter(pk=run.pk, status__in=only_if or ACTIVE)
        if stale_before is not None:  # a heartbeat since the reaper looked: alive after all
            rows = rows.filter(heartbeat_at__lt=stale_before)
        ended = rows.update(status=status, finished_at=timezone.now(), failure_reason=reason[:300])
        if ended:
            purged = PurgeRun.objects.values_list("families_purged", flat=True).get(pk=run.pk)
            audit_record(
                action=AuditAction.PURGE_FINISHED,
                actor=run.started_by,
                local_authority=run.local_authority,
                obj=run,
                detail=f"{status.value} families_purged={purged}",
            )
    return ended
