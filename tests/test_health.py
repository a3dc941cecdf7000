"""/healthz reports the database, the broker and a worker, and says which one is down."""

import socket

import pytest
from django.test import Client

from changing_lives.celery import app as celery_app

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def broker_at(monkeypatch):
    """Point the Celery app at another broker URL for one test, and back afterwards.

    The app caches its connection and producer pools on first use, so they are dropped on
    the way in and out; otherwise a later test would still talk to this broker.
    """

    def forget_pools() -> None:
        celery_app._pool = None  # type: ignore[attr-defined]
        celery_app.amqp._producer_pool = None  # type: ignore[attr-defined]

    def point(url: str) -> None:
        monkeypatch.setattr(celery_app.conf, "broker_url", url)
        forget_pools()

    yield point
    forget_pools()


def test_database_and_broker_up_answer_ok(client: Client) -> None:
    response = client.get("/healthz?check=database,broker")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == {"ok": True, "detail": "ok"}
    assert body["checks"]["broker"] == {"ok": True, "detail": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")


def test_broker_down_is_reported_without_its_address(client: Client, broker_at) -> None:
    # A real connection attempt to a port where nothing listens: the broker is down.
    url = f"redis://:secret-password@127.0.0.1:{closed_port()}/0"
    broker_at(url)
    response = client.get("/healthz?check=database,broker")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is False
    assert body["checks"]["broker"]["detail"].startswith("broker unreachable")
    assert "secret-password" not in response.content.decode()


def test_an_unknown_check_is_refused_with_the_list(client: Client) -> None:
    response = client.get("/healthz?check=everything")
    assert response.status_code == 400
    assert "database, broker, worker" in response.json()["error"]


def test_no_worker_running_is_reported(client: Client, broker_at) -> None:
    # No worker listens on this Redis database (the test worker uses database 15).
    broker_at("redis://127.0.0.1:6379/14")
    response = client.get("/healthz?check=worker")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == {
        "ok": False,
        "detail": "no worker answered a ping within 1 second",
    }
