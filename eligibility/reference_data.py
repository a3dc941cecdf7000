"""The criteria frameworks shipped with the product (spec/eligibility.md), with their
headlines and indicators, kept in the database as reference data.

Rows are added, never removed or renamed here: assessments keep pointing at them. An
authority may add indicators in the database; this only adds what is missing.
"""

from typing import Any

from django.apps import apps as global_apps
from django.apps.registry import Apps

FRAMEWORKS: list[dict[str, Any]] = [
    {
        "code": "2015-2020",
        "name": "Troubled Families 2015 to 2020",
        "version": 1,
        "headline_noun": "headline problems",
        "min_headlines": 2,
        "headlines": [
            (
                "CRIME",
                "Crime and anti-social behaviour",
                "Parents or children involved in crime or anti-social behaviour",
                [
                    (
                        "CHILD_OFFENCE",
                        "Child with a proven offence or caution in the last 12 months",
                    ),
                    (
                        "ASB_INTERVENTION",
                        "Adult or child with an anti-social behaviour intervention in the last "
                        "12 months",
                    ),
                    ("ADULT_OFFENDER", "Adult offender in the household"),
                ],
            ),
            (
                "EDUCATION",
                "Education",
                "Children not attending school regularly",
                [
                    ("PERSISTENT_ABSENCE", "Persistent absence (under 90% attendance)"),
                    ("EXCLUSION", "Fixed-term or permanent exclusion"),
                    ("NOT_ON_ROLL", "Not on a school roll"),
                    ("ALTERNATIVE_PROVISION", "In alternative provision"),
                ],
            ),
            (
                "CHILDREN_NEED_HELP",
                "Children who need help",
                "Children who need help",
                [
                    ("CHILD_IN_NEED", "Child in need"),
                    ("CHILD_PROTECTION_PLAN", "On a child protection plan"),
                    ("LOOKED_AFTER", "Looked after"),
                    ("EARLY_HELP", "Early-help need identified"),
                ],
            ),
            (
                "DOMESTIC_ABUSE",
                "Domestic violence and abuse",
                "Families affected by domestic violence and abuse",
                [
                    ("POLICE_INCIDENT", "Police-recorded incident"),
                    ("VICTIM_KNOWN", "Victim known to services"),
                    ("PERPETRATOR_KNOWN", "Perpetrator known to services"),
                ],
            ),
            (
                "HEALTH",
                "Health",
                "Parents or children with physical or mental health problems",
                [
                    ("MENTAL_HEALTH", "Mental health need"),
                    ("SUBSTANCE_MISUSE", "Substance misuse"),
                    ("DISABILITY", "Disability affecting the family"),
                ],
            ),
            (
                "FINANCIAL_EXCLUSION",
                "Financial exclusion and worklessness",
                "Adults out of work or at risk of financial exclusion; young people at risk "
                "of worklessness",
                [
                    ("OUT_OF_WORK_BENEFITS", "Out-of-work benefits"),
                    ("PROBLEM_DEBT", "Problem debt or rent arrears"),
                    ("NEET", "Young person not in education, employment or training"),
                ],
            ),
        ],
    },
    {
        "code": "2022-2025",
        "name": "Supporting Families 2022 to 2025",
        "version": 1,
        "headline_noun": "headline outcomes",
        "min_headlines": 3,
        "headlines": [
            (
                "EDUCATION",
                "Getting a good education",
                "",
                [
                    ("PERSISTENT_ABSENCE", "Persistent or severe absence"),
                    ("EXCLUSION", "Suspension or permanent exclusion"),
                    ("SEND_UNMET", "Special educational needs not being met"),
                    (
                        "NEET_RISK",
                        "Young person not in, or at risk of leaving, education, employment or "
                        "training",
                    ),
                ],
            ),
            (
                "EARLY_YEARS",
                "Good early years development",
                "",
                [
                    ("DEVELOPMENT", "Child not meeting developmental milestones"),
                    ("PARENTAL_CAPACITY", "Parent needs support with early years parenting"),
                ],
            ),
            (
                "HEALTH",
                "Improved mental and physical health",
                "",
                [
                    ("ADULT_MENTAL_HEALTH", "Adult with a mental health need"),
                    ("CHILD_MENTAL_HEALTH", "Child with a mental health need"),
                    ("PHYSICAL_HEALTH", "Physical health need affecting the family"),
                ],
            ),
            (
                "SUBSTANCE",
                "Promoting recovery and reducing harm from substance use",
                "",
                [
                    ("ADULT_SUBSTANCE", "Adult with drug or alcohol problems"),
                    ("CHILD_SUBSTANCE", "Young person with drug or alcohol problems"),
                ],
            ),
            (
                "FAMILY_RELATIONSHIPS",
                "Improved family relationships",
                "",
                [
                    ("PARENTAL_CONFLICT", "Harmful conflict between parents"),
                    ("CHILD_TO_PARENT", "Child-to-parent violence"),
                    ("PARENTING", "Parenting needs support"),
                ],
            ),
            (
                "SAFE_CHILDREN",
                "Children safe from abuse and exploitation",
                "",
                [
                    ("CHILD_IN_NEED", "Child in need or on a child protection plan"),
                    ("EXPLOITATION", "Child at risk of exploitation"),
                    ("MISSING", "Child going missing from home"),
                ],
            ),
            (
                "CRIME",
                "Crime prevention and tackling crime",
                "",
                [
                    ("ADULT_CRIME", "Adult involved in crime"),
                    ("YOUTH_CRIME", "Young person involved in crime or anti-social behaviour"),
                ],
            ),
            (
                "DOMESTIC_ABUSE",
                "Safe from domestic abuse",
                "",
                [
                    ("POLICE_INCIDENT", "Police-recorded domestic abuse incident"),
                    ("KNOWN_TO_SERVICES", "Victim or perpetrator known to services"),
                ],
            ),
            (
                "HOUSING",
                "Secure housing",
                "",
                [
                    ("HOMELESS", "Homeless or in temporary accommodation"),
                    ("EVICTION_RISK", "At risk of eviction"),
                    ("UNSUITABLE", "Housing unsuitable for the family's needs"),
                ],
            ),
            (
                "FINANCIAL",
                "Financial stability",
                "",
                [
                    ("WORKLESS", "Adult out of work"),
                    ("PROBLEM_DEBT", "Problem debt or rent arrears"),
                ],
            ),
        ],
    },
]


def frameworks_ensure(apps: Apps = global_apps, using: str = "default") -> None:
    """Add any shipped framework, headline or indicator the database lacks. Run by the
    migration that creates the tables and after every migrate (a test flush empties them)."""
    framework_model = apps.get_model("eligibility", "Framework")
    headline_model = apps.get_model("eligibility", "Headline")
    indicator_model = apps.get_model("eligibility", "Indicator")
    for data in FRAMEWORKS:
        framework, _ = framework_model.objects.using(using).get_or_create(
            code=data["code"],
            defaults={
                key: data[key] for key in ("name", "version", "headline_noun", "min_headlines")
            },
        )
        for order, (code, label, description, indicators) in enumerate(data["headlines"], 1):
            headline, _ = headline_model.objects.using(using).get_or_create(
                framework=framework,
                code=code,
                defaults={"label": label, "description": description, "order": order},
            )
            for i_order, (i_code, i_label) in enumerate(indicators, 1):
                indicator_model.objects.using(using).get_or_create(
                    headline=headline, code=i_code, defaults={"label": i_label, "order": i_order}
                )
