"""NIS tasks: thin, ids in; the claim on the submission row makes a retry or a duplicate
delivery harmless."""

from celery import shared_task

from nis_export import build, expiry


@shared_task
def build_submission(submission_id: int) -> str | None:
    return build.submission_run(submission_id)


@shared_task
def submissions_expire() -> int:
    return expiry.submissions_expire()


@shared_task
def submissions_reap_stale() -> int:
    return build.submissions_reap_stale()
