"""Changing Lives: the project package (settings, URLs, Celery app, cross-cutting apps)."""

from changing_lives.celery import app as celery_app

__all__ = ["celery_app"]
