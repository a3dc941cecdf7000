from importlib import import_module

from celery import shared_task
from django.conf import settings

from changing_lives.accounts import services


@shared_task
def login_attempts_expire() -> int:
    return services.login_attempts_expire()


@shared_task
def sessions_clear_expired() -> None:
    """Delete expired sessions from the database (Django keeps them until asked)."""
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()
