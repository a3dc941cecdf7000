"""Purge tasks: thin, ids in. The claim on the run's row, then the authority's advisory lock,
make a retry, a duplicate delivery or a second worker harmless (changing_lives/retention/
purge.py)."""

from celery import shared_task

from changing_lives.retention import purge


@shared_task
def purge_run(run_id: int) -> str | None:
    """Claim a queued run and purge; the status it ended in (None if it was not claimed)."""
    run = purge.purge_claim(run_id)
    if run is None:
        return None
    return purge.purge_execute(run).status


@shared_task
def purge_nightly() -> int:
    """Request a run for each authority that switched the nightly purge on; how many."""
    return len(purge.purge_nightly_request())


@shared_task
def purge_reap_stale() -> int:
    return purge.purge_reap_stale()
