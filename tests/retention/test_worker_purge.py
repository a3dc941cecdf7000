"""A real Celery worker, killed (SIGKILL) in the middle of a purge, leaves every family either
whole or gone; the run is failed once its heartbeat is stale, and the next run, on another
worker, finishes the job, with the two certificates adding up to what the preview promised.

The killed worker is one of this module's own, on a queue of its own: the session's worker
(tests/worker.py) keeps serving every other test, and runs the second purge here.
"""

import datetime
import os
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.test import override_settings
from django.utils import timezone

from changing_lives.accounts.models import User
from changing_lives.accounts.roles import Role
from changing_lives.authorities.models import LocalAuthority
from changing_lives.demo.families.load import demo_families_seed
from changing_lives.retention.models import PurgedFamily, PurgeRun, PurgeStatus
from changing_lives.retention.purge import KINDS, purge_preview, purge_request
from changing_lives.retention.services import retention_settings_update
from changing_lives.retention.tasks import purge_run
from eligibility.models import Assessment, CriterionMet, Intervention, StatusChange
from families.models import Family, FamilyHistoryEntry, Individual
from progress.models import FamilyReturn, ProgressValue
from tests.nis_export.test_worker_build import forget_queue
from tests.worker import worker_start, worker_stop

pytestmark = [
    pytest.mark.worker,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

FAMILIES = 200
ENDED = {PurgeStatus.FINISHED, PurgeStatus.STOPPED, PurgeStatus.FAILED}


@dataclass(frozen=True)
class DoomedWorker:
    process: subprocess.Popen[bytes]
    queue: str


@pytest.fixture
def doomed_worker(django_db_setup: None, tmp_path: Path) -> Iterator[DoomedWorker]:
    """A worker of this test's own, listening on a queue no other worker reads."""
    queue = f"purge-doomed-{uuid.uuid4().hex[:8]}"
    process = worker_start(
        f"purge-doomed-{uuid.uuid4().hex[:8]}@localhost",
        tmp_path / "doomed.log",
        queues=[queue],
        # Small batches: many transactions for the kill to fall between (and in).
        extra_env={"PURGE_BATCH_FAMILIES": "2"},
    )
    try:
        yield DoomedWorker(process, queue)
    finally:
        if process.poll() is None:
            worker_stop(process)
        forget_queue(queue)


def wait_for(run: PurgeRun, condition: Callable[[PurgeRun], bool], *, timeout: float) -> PurgeRun:
    """Poll the row (the worker commits after each family) until `condition` holds."""
    deadline = time.monotonic() + timeout
    while True:
        run.refresh_from_db()
        if condition(run):
            return run
        if time.monotonic() > deadline:
            raise AssertionError(f"still {run.status} after {timeout}s ({run.families_purged})")
        time.sleep(0.02)


@dataclass(frozen=True)
class Whole:
    """Everything of one family, counted from the database."""

    members: int
    assessments: int
    criteria: int
    interventions: int
    status_changes: int
    returns: int
    values: int
    history: int


def wholes(family_pks: list[int]) -> dict[int, Whole]:
    def by_family(queryset: Any, key: str) -> dict[int, int]:
        rows = queryset.filter(**{f"{key}__in": family_pks}).values(key).annotate(n=Count("pk"))
        return {row[key]: row["n"] for row in rows.order_by()}

    counts = [
        by_family(Individual.objects, "family_id"),
        by_family(Assessment.objects, "family_id"),
        by_family(CriterionMet.objects, "assessment__family_id"),
        by_family(Intervention.objects, "family_id"),
        by_family(StatusChange.objects, "family_id"),
        by_family(FamilyReturn.objects, "family_id"),
        by_family(ProgressValue.objects, "family_return__family_id"),
        by_family(FamilyHistoryEntry.objects, "family_id"),
    ]
    return {pk: Whole(*(count.get(pk, 0) for count in counts)) for pk in family_pks}


NOTHING = Whole(0, 0, 0, 0, 0, 0, 0, 0)


def test_a_worker_killed_mid_purge_leaves_each_family_whole_or_gone_and_the_next_run_finishes(
    celery_worker: str,
    doomed_worker: DoomedWorker,
    authority: LocalAuthority,
    make_user: Callable[..., User],
) -> None:
    today = timezone.localdate()
    admin = make_user(Role.ADMIN)
    demo_families_seed(authority=authority, families=FAMILIES, seed=3, today=today)
    # The programme's "destroy by" date has passed: every family is due.
    retention_settings_update(
        actor=admin,
        authority=authority,
        retention_years=8,
        destroy_by=today - datetime.timedelta(days=1),
        nightly_purge=False,
    )
    preview = purge_preview(authority)
    due = [family.pk for family in preview.families]
    assert len(due) == FAMILIES
    before = wholes(due)
    assert all(whole.members > 0 for whole in before.values())

    def to_the_doomed_worker(run_id: int) -> None:
        purge_run.apply_async((run_id,), queue=doomed_worker.queue)

    with mock.patch.object(purge_run, "delay", to_the_doomed_worker):
        first = purge_request(actor=admin, authority=authority)
    wait_for(first, lambda run: run.families_purged >= 10 or run.status in ENDED, timeout=60)
    os.kill(doomed_worker.process.pid, signal.SIGKILL)
    doomed_worker.process.wait(timeout=10)

    first.refresh_from_db()
    # Killed part way, not finished.
    assert first.status == PurgeStatus.RUNNING, first.failure_reason
    assert 10 <= first.families_purged < FAMILIES
    after = wholes(due)
    gone = [pk for pk in due if after[pk] == NOTHING]
    whole = [pk for pk in due if after[pk] == before[pk]]
    # Each family is exactly as it was, or has nothing left; none is half purged.
    assert sorted(gone + whole) == sorted(due)
    assert not Family.objects.filter(pk__in=gone).exists()
    assert Family.objects.filter(pk__in=whole).count() == len(whole)
    # The run's certificate agrees with what went: every family that went is in it.
    assert len(gone) == first.families_purged == PurgedFamily.objects.filter(run=first).count()
    assert first.counts["individuals"] == sum(before[pk].members for pk in gone)

    # While its heartbeat is recent it counts as running: no second run starts.
    with pytest.raises(ValidationError) as refused:
        purge_request(actor=admin, authority=authority)
    assert refused.value.code == "purge_in_progress"

    with override_settings(PURGE_STALE_SECONDS=1):
        assert first.heartbeat_at is not None
        stale_at = first.heartbeat_at + datetime.timedelta(seconds=1.1)
        time.sleep(max(0.0, (stale_at - timezone.now()).total_seconds()))
        # The next request fails the dead run first; the session's worker takes the new one.
        second = purge_request(actor=admin, authority=authority)

    first.refresh_from_db()
    assert first.status == PurgeStatus.FAILED
    assert first.failure_reason.startswith("The purge stopped part way")
    second = wait_for(second, lambda run: run.status in ENDED, timeout=120)
    assert second.status == PurgeStatus.FINISHED, second.failure_reason

    assert not Family.objects.for_authority(authority).exists()
    assert wholes(due) == dict.fromkeys(due, NOTHING)
    assert first.families_purged + second.families_purged == FAMILIES
    assert second.families_due == FAMILIES - first.families_purged
    for kind in KINDS:
        assert first.counts[kind] + second.counts[kind] == preview.counts[kind], kind
    assert PurgedFamily.objects.filter(run__in=[first, second]).count() == FAMILIES

    # The killed worker's task, delivered again as Redis would, is refused by the claim.
    assert purge_run.delay(first.pk).get(timeout=30) is None
    first.refresh_from_db()
    assert first.status == PurgeStatus.FAILED
