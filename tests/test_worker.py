"""A real Celery worker, on Redis and the test database, runs the product's tasks."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from changing_lives.accounts.tasks import login_attempts_expire

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_worker_runs_a_scheduled_task_and_its_effect_is_seen(celery_worker: str) -> None:
    stale = AccessAttempt.objects.create(
        username="someone",
        ip_address="10.0.0.1",
        user_agent="",
        get_data="",
        post_data="",
        http_accept="",
        path_info="/",
        failures_since_start=1,
    )
    AccessAttempt.objects.filter(pk=stale.pk).update(
        attempt_time=timezone.now() - timedelta(days=1)
    )
    result = login_attempts_expire.delay()
    assert result.get(timeout=30) == 1
    assert not AccessAttempt.objects.exists()


def test_health_page_sees_the_worker(celery_worker: str, client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["worker"]["detail"].startswith("ok: ")


def test_worker_clears_expired_sessions(celery_worker: str) -> None:
    from django.contrib.sessions.models import Session

    from changing_lives.accounts.tasks import sessions_clear_expired

    Session.objects.create(
        session_key="x" * 32, session_data="", expire_date=timezone.now() - timedelta(days=1)
    )
    sessions_clear_expired.delay().get(timeout=30)
    assert not Session.objects.filter(session_key="x" * 32).exists()
