"""The measures shipped with the product (spec/progress.md), kept in the database as
reference data: an admin adds or retires measures there. This only adds what is missing."""

from typing import Any

from django.apps import apps as global_apps
from django.apps.registry import Apps

YES_NO = "yes_no_unknown"

MEASURES: list[dict[str, Any]] = [
    {"code": "HOMELESS", "label": "Homeless or in temporary accommodation", "level": "family",
     "kind": YES_NO, "description": "At any time in the period"},
    {"code": "HOMELESSNESS_APPLICATIONS", "label": "Homelessness applications", "level": "family",
     "kind": "count", "description": "Statutory applications or approaches in the period"},
    {"code": "EVICTION_RISK", "label": "Notice seeking possession or eviction", "level": "family",
     "kind": YES_NO, "description": "In the period"},
    {"code": "RENT_ARREARS", "label": "Rent arrears", "level": "family", "kind": "money",
     "unit": "GBP", "description": "At the end of the period"},
    {"code": "DEBT_LEVEL", "label": "Problem or unsecured debt", "level": "family",
     "kind": "money", "unit": "GBP", "description": "Known at the end of the period"},
    {"code": "ASB_INCIDENTS", "label": "Anti-social behaviour incidents", "level": "individual",
     "kind": "count", "description": "In the period"},
    {"code": "DA_INCIDENTS", "label": "Domestic abuse incidents", "level": "family",
     "kind": "count", "description": "Police-recorded, in the period"},
    {"code": "OFFENCES", "label": "Proven offences", "level": "individual", "kind": "count",
     "min_age": 10, "description": "In the period"},
    {"code": "MISSING_EPISODES", "label": "Missing from home episodes", "level": "individual",
     "kind": "count", "max_age": 17, "description": "In the period"},
    {"code": "CHILD_STATUS", "label": "Children's social care status", "level": "individual",
     "kind": "code", "max_age": 17, "description": "At the end of the period",
     "codes": [["NONE", "None"], ["CIN", "Child in need"], ["CPP", "Child protection plan"],
               ["LAC", "Looked after"]]},
    {"code": "WORKLESS_HOUSEHOLD", "label": "No adult in work", "level": "family",
     "kind": YES_NO, "description": "At the end of the period"},
    {"code": "NEET", "label": "Not in education, employment or training", "level": "individual",
     "kind": YES_NO, "min_age": 16, "max_age": 24, "description": "At the end of the period"},
    {"code": "SCHOOL_ATTENDANCE", "label": "School attendance", "level": "individual",
     "kind": "percentage", "unit": "%", "min_age": 5, "max_age": 16,
     "description": "Over the period"},
]  # fmt: skip


def measures_ensure(apps: Apps = global_apps, using: str = "default") -> None:
    """Add any shipped measure the database lacks (run by a migration and after every
    migrate); never changes or un-retires one an admin has changed."""
    measure_model = apps.get_model("progress", "Measure")
    existing = set(measure_model.objects.using(using).values_list("code", flat=True))
    measure_model.objects.using(using).bulk_create(
        measure_model(order=order, **data)
        for order, data in enumerate(MEASURES, 1)
        if data["code"] not in existing
    )
