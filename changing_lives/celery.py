"""The Celery app. Its schedule (CELERY_BEAT_SCHEDULE) lives in settings.py, in code."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "changing_lives.settings")

app = Celery("changing_lives")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
