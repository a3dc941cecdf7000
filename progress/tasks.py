from celery import shared_task

from progress.periods import periods_ensure


@shared_task
def periods_create_ahead() -> int:
    return periods_ensure()
