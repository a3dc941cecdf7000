"""/healthz: is the database answering, the broker reachable, a worker alive? As JSON.

Public, as a load balancer or compose health check needs it; it says only "ok" or which
part failed, never a hostname, a password or a traceback. `?check=database` asks for a
subset (the web container's own health check needs only its database).
"""

import logging
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from changing_lives.celery import app as celery_app

logger = logging.getLogger(__name__)

Check = Callable[[], str]


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def check_broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "not used: tasks run in-process"
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=3)
    return "ok"


def check_worker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "not used: tasks run in-process"
    # A connection of its own (not the app's pool), made from the settings of the moment.
    with celery_app.connection_for_write() as conn:
        replies = celery_app.control.ping(timeout=1.0, connection=conn)
    if not replies:
        raise RuntimeError("no worker answered a ping within 1 second")
    return f"ok: {len(replies)} worker(s) answered"


CHECKS: dict[str, Check] = {
    "database": check_database,
    "broker": check_broker,
    "worker": check_worker,
}


@login_not_required
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    wanted = [name for name in request.GET.get("check", "").split(",") if name] or list(CHECKS)
    unknown = [name for name in wanted if name not in CHECKS]
    if unknown:
        return JsonResponse(
            {"status": "error", "error": f"unknown check; choose from {', '.join(CHECKS)}"},
            status=400,
        )
    results: dict[str, dict[str, object]] = {}
    for name in wanted:
        try:
            results[name] = {"ok": True, "detail": CHECKS[name]()}
        except Exception as error:  # a health page reports every failure, whatever it is
            logger.warning("health check %s failed: %s", name, type(error).__name__)
            results[name] = {"ok": False, "detail": _failure_detail(name, error)}
    healthy = all(result["ok"] for result in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": results},
        status=200 if healthy else 503,
    )


def _failure_detail(name: str, error: Exception) -> str:
    if isinstance(error, RuntimeError):
        return str(error)
    # Connection errors can carry URLs with credentials: say only what kind failed.
    return f"{name} unreachable ({type(error).__name__})"
