"""A real Celery worker, on Redis and the test database, builds a requested submission; a
worker killed part way (SIGKILL) leaves nothing that can be downloaded, its build is failed
once its heartbeat is stale, and the next build succeeds.

The killed worker is one of this module's own, on a queue of its own: the session's worker
(tests/worker.py) keeps serving every other test.
"""

import datetime
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import timezone
from kombu import Exchange, Queue

from changing_lives.accounts.models import User
from changing_lives.accounts.roles import Role
from changing_lives.audit.actions import AuditAction
from changing_lives.audit.models import AuditEvent
from changing_lives.authorities.models import LocalAuthority
from changing_lives.celery import app as celery_app
from families.models import Family, Individual
from nis_export import build
from nis_export.extract import families_in_extract
from nis_export.models import RecipientKey, Submission, SubmissionStatus
from nis_export.tasks import build_submission
from tests.nis_export.keys import KeyPair, make_key, remove
from tests.nis_export.test_build import (
    FPD,
    INDIVIDUALS,
    assess,
    demo_seed,
    package_open,
    recipient_key_add,
)
from tests.worker import worker_start, worker_stop

pytestmark = [
    pytest.mark.worker,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]

FINISHED = {SubmissionStatus.READY, SubmissionStatus.BLOCKED, SubmissionStatus.FAILED}


@pytest.fixture(scope="module")
def ons() -> Iterator[KeyPair]:
    pair = make_key("ONS NIS worker test <nis@ons.example>")
    yield pair
    remove(pair)


@pytest.fixture
def recipient(ons: KeyPair) -> RecipientKey:
    return recipient_key_add(ons)


@pytest.fixture
def officer(make_user: Callable[..., User]) -> User:
    return make_user(Role.DATA_OFFICER)


@pytest.fixture
def folders() -> Iterator[list[Submission]]:
    """Submissions whose folders (written by a worker, under MEDIA_ROOT) go after the test."""
    submissions: list[Submission] = []
    yield submissions
    for submission in submissions:
        shutil.rmtree(build.package_folder(submission), ignore_errors=True)


def wait_for(
    submission: Submission, condition: Callable[[Submission], bool], *, timeout: float
) -> Submission:
    """Poll the row (the worker commits as it goes) until `condition` holds."""
    deadline = time.monotonic() + timeout
    while True:
        submission.refresh_from_db()
        if condition(submission):
            return submission
        if time.monotonic() > deadline:
            raise AssertionError(
                f"still {submission.status} after {timeout}s ({submission.rows_done} rows done)"
            )
        time.sleep(0.05)


def finished(submission: Submission) -> bool:
    return submission.status in FINISHED


# --- End to end --------------------------------------------------------------------------


def test_a_worker_builds_a_requested_submission_end_to_end(
    celery_worker: str,
    authority: LocalAuthority,
    family: Family,
    officer: User,
    recipient: RecipientKey,
    ons: KeyPair,
    folders: list[Submission],
) -> None:
    assess(family)
    today = timezone.localdate()

    # Committed when the service returns (autocommit): the task is on Redis.
    submission = build.submission_request(actor=officer, authority=authority, snapshot_on=today)
    folders.append(submission)
    submission = wait_for(submission, finished, timeout=60)

    assert submission.status == SubmissionStatus.READY, submission.failure_reason
    package = package_open(submission, ons)
    rows = package.rows(INDIVIDUALS)
    assert [(row["la_individual_id"], row["forename"]) for row in rows] == [
        ("I100001", "Sarah"),
        ("I100002", "Tunde"),
    ]
    assert package.manifest["snapshot_date"] == today.isoformat()
    assert package.manifest["requested_by"] == officer.username
    assert package.manifest["files"][FPD]["rows"] == 0
    assert [path.name for path in build.package_folder(submission).iterdir()] == [
        submission.package_name
    ]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {AuditAction.NIS_REQUESTED.value, AuditAction.NIS_BUILT.value} <= actions


# --- A worker killed part way ------------------------------------------------------------


@dataclass(frozen=True)
class DoomedWorker:
    process: subprocess.Popen[bytes]
    queue: str


def forget_queue(queue: str) -> None:
    """Leave nothing of a killed worker's queue in Redis: the task it held unacknowledged
    (Redis would deliver it again after the visibility timeout) and the queue itself."""
    with celery_app.connection_for_write() as connection:
        # kombu's Redis channel: it keeps the unacknowledged messages in a hash of its own.
        channel: Any = connection.default_channel
        client = channel.client
        for tag, raw in client.hgetall(channel.unacked_key).items():
            _message, _exchange, routing_key = json.loads(raw)
            if routing_key == queue:
                client.zrem(channel.unacked_index_key, tag)
                client.hdel(channel.unacked_key, tag)
        # Declared here, then deleted: the channel drops the queue and its bindings.
        bound = Queue(queue, Exchange(queue), routing_key=queue).bind(channel)
        bound.declare()
        bound.delete()


@pytest.fixture
def doomed_worker(django_db_setup: None, tmp_path: Path) -> Iterator[DoomedWorker]:
    """A worker of this test's own, listening on a queue no other worker reads.

    Its temporary files go in a folder of the test's: killed, it cannot delete the GnuPG home
    it was using, whose gpg-agent stays until that home is removed.
    """
    queue = f"nis-doomed-{uuid.uuid4().hex[:8]}"
    # Short: GnuPG's sockets live in its home, and a socket's path has a small size limit.
    temporary = Path(tempfile.mkdtemp(prefix="nisd-"))
    process = worker_start(
        f"doomed-{uuid.uuid4().hex[:8]}@localhost",
        tmp_path / "doomed.log",
        queues=[queue],
        extra_env={"TMPDIR": str(temporary)},
    )
    try:
        yield DoomedWorker(process, queue)
    finally:
        if process.poll() is None:
            worker_stop(process)
        forget_queue(queue)
        shutil.rmtree(temporary, ignore_errors=True)


def test_a_worker_killed_mid_build_leaves_nothing_downloadable_and_the_next_build_succeeds(
    celery_worker: str,
    doomed_worker: DoomedWorker,
    authority: LocalAuthority,
    officer: User,
    recipient: RecipientKey,
    ons: KeyPair,
    folders: list[Submission],
) -> None:
    today = timezone.localdate()
    demo_seed(authority, 1500, seed=5, today=today)  # a build of several seconds
    people = Individual.objects.for_authority(authority)
    # Long enough that random ciphertext cannot hold it by chance.
    surname = max(people.values_list("surname", flat=True), key=len)
    assert len(surname) >= 8

    def to_the_doomed_worker(submission_id: int) -> None:
        build_submission.apply_async((submission_id,), queue=doomed_worker.queue)

    with mock.patch.object(build_submission, "delay", to_the_doomed_worker):
        submission = build.submission_request(actor=officer, authority=authority, snapshot_on=today)
    folders.append(submission)
    wait_for(
        submission,
        lambda s: s.rows_done > 0 or finished(s),
        timeout=30,
    )
    os.kill(doomed_worker.process.pid, signal.SIGKILL)
    doomed_worker.process.wait(timeout=10)

    submission.refresh_from_db()
    # Killed part way, not finished.
    assert submission.status == SubmissionStatus.BUILDING, submission.failure_reason
    assert 0 < submission.rows_done <= submission.rows_total
    assert not submission.is_downloadable
    assert (submission.package_name, submission.package_sha256) == ("", "")
    folder = build.package_folder(submission)
    left = sorted(path.name for path in folder.iterdir()) if folder.exists() else []
    assert left in ([], ["package.partial"])
    if left:
        ciphertext = (folder / "package.partial").read_bytes()
        assert surname.encode() not in ciphertext
        assert b"la_gss_code" not in ciphertext
        assert b"PK\x03\x04" not in ciphertext  # no zip, only OpenPGP
        assert not ciphertext or ciphertext[0] & 0x80  # an OpenPGP packet

    # While its heartbeat is recent it counts as under way: no second build starts.
    with pytest.raises(ValidationError) as refused:
        build.submission_request(actor=officer, authority=authority, snapshot_on=today)
    assert refused.value.code == "build_in_progress"

    with override_settings(NIS_BUILD_STALE_SECONDS=1):
        assert submission.heartbeat_at is not None
        stale_at = submission.heartbeat_at + datetime.timedelta(seconds=1.1)
        time.sleep(max(0.0, (stale_at - timezone.now()).total_seconds()))
        assert build.submissions_reap_stale() == 1

    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.FAILED
    assert submission.failure_reason.startswith("The build stopped part way")
    assert not folder.exists()
    # The killed worker's task, delivered again as Redis would, is refused by the claim.
    assert build_submission.delay(submission.pk).get(timeout=30) is None
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.FAILED

    again = build.submission_request(actor=officer, authority=authority, snapshot_on=today)
    folders.append(again)
    again = wait_for(again, finished, timeout=60)

    assert again.status == SubmissionStatus.READY, again.failure_reason
    rows = package_open(again, ons).rows(INDIVIDUALS)
    in_file = Individual.objects.filter(
        family__in=families_in_extract(authority, today), nis_objection_on__isnull=True
    )
    assert len(rows) == again.manifest["files"][INDIVIDUALS]["rows"] == in_file.count()
    assert not build.package_folder(submission).exists()
