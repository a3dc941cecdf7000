from typing import Any

from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate


class EligibilityConfig(AppConfig):
    name = "eligibility"

    def ready(self) -> None:
        # Shipped frameworks are there after every migrate, as permissions are (a
        # test-database flush would otherwise leave them empty).
        post_migrate.connect(_ensure_frameworks, sender=self, dispatch_uid="eligibility.frameworks")


def _ensure_frameworks(
    sender: Any, apps: Any = global_apps, using: str = "default", **kwargs: Any
) -> None:
    from eligibility.reference_data import frameworks_ensure

    frameworks_ensure(apps, using)
