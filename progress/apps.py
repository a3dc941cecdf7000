from typing import Any

from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate


class ProgressConfig(AppConfig):
    name = "progress"

    def ready(self) -> None:
        # Shipped measures and the periods up to now are there after every migrate, as
        # permissions are (a test-database flush would otherwise leave them empty).
        post_migrate.connect(_ensure_reference_data, sender=self, dispatch_uid="progress.reference")


def _ensure_reference_data(
    sender: Any, apps: Any = global_apps, using: str = "default", **kwargs: Any
) -> None:
    from progress.periods import periods_ensure
    from progress.reference_data import measures_ensure

    measures_ensure(apps, using)
    periods_ensure(apps=apps, using=using)
