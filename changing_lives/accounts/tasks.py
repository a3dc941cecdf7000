from celery import shared_task

from changing_lives.accounts import services


@shared_task
def login_attempts_expire() -> int:
    return services.login_attempts_expire()
