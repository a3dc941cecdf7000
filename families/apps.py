from typing import Any

from django.apps import AppConfig
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate


class FamiliesConfig(AppConfig):
    name = "families"

    def ready(self) -> None:
        # Shipped reference data is there after every migrate, as permissions are (a
        # test-database flush would otherwise leave the DfE LA numbers empty).
        post_migrate.connect(_ensure_reference_data, sender=self, dispatch_uid="families.reference")


def _ensure_reference_data(
    sender: Any, apps: Any = global_apps, using: str = "default", **kwargs: Any
) -> None:
    from families.reference import dfe_la_numbers_ensure

    dfe_la_numbers_ensure(apps, using)
