"""Roles: named permission sets, defined here in code and held as auth groups.

A user holds one or more roles. Views check permissions (never role names), so a role can
gain or lose a capability here without touching a view. The groups are created by a
migration and brought back in line with this file after every migrate.
"""

from typing import Any

from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.contrib.auth.management import create_permissions
from django.db import models


class Role(models.TextChoices):
    CASEWORKER = "caseworker", "Caseworker"
    TEAM_MANAGER = "team_manager", "Team manager"
    DATA_OFFICER = "data_officer", "Data officer"
    ADMIN = "admin", "Admin"


ROLE_DESCRIPTIONS: dict[str, str] = {
    Role.CASEWORKER: "Record families, their members and needs; track support and progress.",
    Role.TEAM_MANAGER: "Oversee caseloads and eligibility decisions, and record overrides.",
    Role.DATA_OFFICER: "Check data quality and build the National Impact Study submission.",
    Role.ADMIN: "Manage users, settings and retention; keep the audit trail.",
}

FAMILY_RECORDS = frozenset(
    {"families.view_family", "families.add_family", "families.change_family"}
)
ASSESSING = frozenset(
    {"eligibility.view_assessment", "eligibility.add_assessment", "eligibility.manage_support"}
)
RECORDING_PROGRESS = frozenset({"progress.view_familyreturn", "progress.change_familyreturn"})

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.CASEWORKER: FAMILY_RECORDS | ASSESSING | RECORDING_PROGRESS,
    Role.TEAM_MANAGER: FAMILY_RECORDS
    | ASSESSING
    | RECORDING_PROGRESS
    | {
        "eligibility.override_assessment",
        "eligibility.view_programme_overview",
        "progress.view_completeness",
    },
    # Data officers fix data-quality problems in the records they check.
    Role.DATA_OFFICER: frozenset(
        {
            "families.view_family",
            "families.change_family",
            "eligibility.view_assessment",
            "eligibility.view_programme_overview",
            "progress.view_familyreturn",
            "progress.change_familyreturn",
            "progress.view_completeness",
            "nis_export.build_submission",
        }
    ),
    Role.ADMIN: frozenset(
        {
            "accounts.manage_users",
            "audit.view_audit_trail",
            "authorities.change_own_authority",
            "eligibility.change_framework",
            "progress.manage_progress_reference",
            "nis_export.manage_recipient_keys",
            "retention.manage_retention",
        }
    ),
}


def roles_sync(apps: Apps = global_apps, using: str = "default") -> None:
    """Create each role's group and give it exactly the permissions in ROLE_PERMISSIONS.

    Works on historical models inside a migration as on the live ones. A permission whose
    model does not exist yet at that point of the migration history is skipped: the sync
    after the migrate that creates it assigns it.
    """
    for app_config in apps.get_app_configs():
        # create_permissions skips an app whose models_module is unset, as every historical
        # app config's is; set it for the call and put it back.
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True  # type: ignore[assignment]
        try:
            create_permissions(app_config, apps=apps, verbosity=0, using=using)
        finally:
            app_config.models_module = models_module

    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role in Role:
        group, _ = group_model.objects.using(using).get_or_create(name=role.value)
        wanted = ROLE_PERMISSIONS[role]
        permissions = [
            permission
            for permission in permission_model.objects.using(using).select_related("content_type")
            if f"{permission.content_type.app_label}.{permission.codename}" in wanted
        ]
        group.permissions.set(permissions)


def roles_sync_after_migrate(
    sender: Any, apps: Apps = global_apps, using: str = "default", **kwargs: Any
) -> None:
    roles_sync(apps, using)
