"""A real Celery worker, started once for the session, on the test database and test Redis.

Tests that need it take the `celery_worker` fixture and `transactional_db` (the worker is
another process: it sees only committed rows).
"""

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pytest
from django.db import connection

from changing_lives.celery import app as celery_app

ROOT = Path(__file__).resolve().parent.parent


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )


def worker_start(
    node: str,
    log_path: Path,
    *,
    queues: Sequence[str] = (),
    extra_env: Mapping[str, str] | None = None,
    timeout: float = 60,
) -> subprocess.Popen[bytes]:
    """Start `celery worker --pool=solo` as a subprocess on the test database and broker, and
    return it once it answers a ping. `queues` (default: Celery's own) lets a test give a
    worker work that no other worker will take."""
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "DJANGO_SETTINGS_MODULE": "changing_lives.test_settings",
        **(extra_env or {}),
    }
    only = ["-Q", ",".join(queues)] if queues else []
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "changing_lives",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "-n",
                node,
                "--without-gossip",
                "--without-mingle",
                *only,
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + timeout
    while not celery_app.control.ping(destination=[node], timeout=0.5):
        if process.poll() is not None or time.monotonic() > deadline:
            worker_stop(process)
            raise RuntimeError(f"Celery worker did not start:\n{log_path.read_text()}")
    return process


def worker_stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def celery_worker(django_db_setup: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start `celery worker` as a subprocess; yield its node name once it answers a ping."""
    node = f"test-{uuid.uuid4().hex[:8]}@localhost"
    log_path = tmp_path_factory.mktemp("celery") / "worker.log"
    celery_app.control.purge()  # nothing left over from an earlier run
    process = worker_start(node, log_path)
    try:
        yield node
    finally:
        worker_stop(process)
