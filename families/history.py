"""A family's history: who changed what, when, with the old and new values."""

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models

from changing_lives.accounts.models import User
from families.models import Family, FamilyHistoryEntry, Individual


def display_value(field: Any, value: Any) -> str:
    """A value as a person reads it: choice labels, Yes/No, dates as 1 April 2024."""
    if value in (None, ""):
        return ""
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.date):
        return f"{value.day} {value:%B %Y}"
    if isinstance(value, models.Model):
        return str(getattr(value, "get_full_name", lambda: str(value))() or value)
    return str(value)


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {name: getattr(instance, name) for name in fields}


def changes_between(
    model: type[models.Model], before: Mapping[str, Any], after: Mapping[str, Any]
) -> list[dict[str, str]]:
    changes = []
    for name, old in before.items():
        new = after[name]
        if old != new:
            field: Any = model._meta.get_field(name)
            changes.append(
                {
                    "field": name,
                    "label": str(field.verbose_name).capitalize(),
                    "old": display_value(field, old),
                    "new": display_value(field, new),
                }
            )
    return changes


def history_record(
    *,
    family: Family,
    actor: User | None,
    action: FamilyHistoryEntry.Action,
    subject: Individual | None = None,
    changes: list[dict[str, str]] | None = None,
    note: str = "",
) -> FamilyHistoryEntry:
    return FamilyHistoryEntry.objects.create(
        family=family,
        actor=actor,
        action=action,
        subject_id=subject.public_id if subject else None,
        subject_label=f"{subject.full_name} ({subject.la_individual_id})" if subject else "",
        changes=changes or [],
        note=note,
    )
