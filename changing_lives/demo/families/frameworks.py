"""The criteria frameworks as the demo needs them, read from the database once per run: the
rules the product decides by, and the row ids the loader stores criteria against."""

import datetime
from dataclasses import dataclass

from eligibility.models import Framework
from eligibility.rules import FrameworkRules
from eligibility.services import rules_for

EARLIER_FRAMEWORK = "2015-2020"
LATER_FRAMEWORK = "2022-2025"
# Screenings from this date on are made under the 2022-2025 framework.
LATER_FRAMEWORK_FROM = datetime.date(2022, 4, 1)


@dataclass(frozen=True)
class FrameworkCatalogue:
    rules: dict[str, FrameworkRules]  # by framework code
    framework_ids: dict[str, int]
    headline_ids: dict[tuple[str, str], int]  # (framework, headline)
    indicator_ids: dict[tuple[str, str, str], int]  # (framework, headline, indicator)


def framework_code_on(screened_on: datetime.date) -> str:
    return EARLIER_FRAMEWORK if screened_on < LATER_FRAMEWORK_FROM else LATER_FRAMEWORK


def framework_catalogue() -> FrameworkCatalogue:
    """Both shipped frameworks, with their headlines and indicators (three queries)."""
    frameworks = list(
        Framework.objects.filter(code__in=(EARLIER_FRAMEWORK, LATER_FRAMEWORK)).prefetch_related(
            "headlines__indicators"
        )
    )
    missing = {EARLIER_FRAMEWORK, LATER_FRAMEWORK} - {f.code for f in frameworks}
    if missing:
        raise ValueError(f"framework {', '.join(sorted(missing))} is not in the database")
    return FrameworkCatalogue(
        # The services' own translation, so a demo decision is made on the very rules a
        # caseworker's assessment would be.
        rules={f.code: rules_for(f) for f in frameworks},
        framework_ids={f.code: f.pk for f in frameworks},
        headline_ids={(f.code, h.code): h.pk for f in frameworks for h in f.headlines.all()},
        indicator_ids={
            (f.code, h.code, i.code): i.pk
            for f in frameworks
            for h in f.headlines.all()
            for i in h.indicators.all()
        },
    )
