"""The NIS files' columns: the one definition that writes the files and generates
docs/nis-data-dictionary.md (a test fails when the two differ).

Schema version 1, as proposed in spec/nis-extract.md. Criteria columns cover every headline
of the frameworks the product ships, in a fixed order; a headline not in an individual's
framework is left empty (not applicable), never "N".
"""

from dataclasses import dataclass

from eligibility.reference_data import FRAMEWORKS

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Column:
    name: str
    meaning: str
    format: str


def _criteria_headlines() -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for framework in FRAMEWORKS:
        for code, label, _description, _indicators in framework["headlines"]:
            seen.setdefault(code, f"{label} ({framework['code']})")
    return list(seen.items())


CRITERIA_HEADLINES: list[tuple[str, str]] = _criteria_headlines()

DATE = "YYYY-MM-DD, or empty if unknown"
FLAG = "Y or N"
TEXT = "text, or empty if unknown"

INDIVIDUAL_COLUMNS: list[Column] = [
    Column("la_gss_code", "The local authority's ONS GSS code", "E06, E08, E09 or E10 and 6 digits"),
    Column("la_dfe_number", "The local authority's DfE LA number", "3 digits"),
    Column("la_family_id", "The authority's reference for the family: stable, never reused", "text"),
    Column("la_individual_id", "The authority's reference for the person: stable, never reused", "text"),
    Column("forename", "First name", "text"),
    Column("surname", "Last name", "text"),
    Column("date_of_birth", "Date of birth", "YYYY-MM-DD"),
    Column("gender", "Person stated gender (NHS Data Dictionary)", "1 male, 2 female, 9 indeterminate, 0 not known"),
    Column("address_line_1", "The person's address if recorded, otherwise the family's", TEXT),
    Column("address_line_2", "Address line 2", TEXT),
    Column("address_line_3", "Address line 3", TEXT),
    Column("town", "Town or city", TEXT),
    Column("postcode", "Postcode", "upper case, one space before the inward code, or empty"),
    Column("uprn", "Unique Property Reference Number", "up to 12 digits, or empty"),
    Column("relationship_to_family", "Relationship to the family",
           "MAIN_CARER, PARTNER, CHILD, GRANDPARENT, OTHER_RELATIVE, OTHER_ADULT, NON_RESIDENT_PARENT"),
    Column("nino", "National Insurance number", "9 characters (8 if the suffix is unknown), or empty"),
    Column("upn", "Unique Pupil Number", "13 characters, or empty"),
    Column("uln", "Unique Learner Number", "10 digits, or empty"),
    Column("nhs_number", "NHS number", "10 digits, or empty"),
    Column("pnc_number", "Police National Computer number", "like 97/123456X, or empty"),
    Column("school_urn", "School URN", "6 digits, or empty"),
    Column("framework_code", "The criteria framework the family was assessed under", "2015-2020 or 2022-2025"),
    Column("date_screened", "Date of the family's latest assessment on or before the snapshot", "YYYY-MM-DD"),
    *(
        Column(f"criteria_{code}", f"The person meets the headline: {label}",
               "Y or N; empty if the headline is not in the family's framework")
        for code, label in CRITERIA_HEADLINES
    ),
    Column("eligible", "The family's eligibility decision (a manager's override if there is one)", FLAG),
    Column("intervention_status", "The family's status on the snapshot date",
           "REFERRED, ASSESSED, NOT_ELIGIBLE, INTERVENTION, COMPARISON, CLOSED"),
    Column("support_start_date", "Start of the family's latest support on or before the snapshot", DATE),
    Column("support_end_date", "End of that support, if it ended on or before the snapshot", DATE),
    Column("support_end_reason", "Why that support ended",
           "OUTCOMES_ACHIEVED, DISENGAGED, MOVED_AWAY, STEPPED_UP, OTHER, or empty"),
    Column("support_intensity", "Intensity of that support", "LIGHT, STANDARD, INTENSIVE, or empty"),
    Column("lead_professional_role", "The lead professional's role (never a person's name)",
           "CASEWORKER, TEAM_MANAGER, DATA_OFFICER, ADMIN, or empty"),
]  # fmt: skip

FPD_COLUMNS: list[Column] = [
    Column("la_gss_code", "The local authority's ONS GSS code", "E06, E08, E09 or E10 and 6 digits"),
    Column("la_family_id", "The authority's reference for the family", "text"),
    Column("la_individual_id", "The authority's reference for the person; empty for a family measure", "text, or empty"),
    Column("period_start", "First day of the period", "YYYY-MM-DD"),
    Column("period_end", "Last day of the period", "YYYY-MM-DD"),
    Column("measure_code", "The measure (reference data: code, label, level, kind)", "text"),
    Column("value", "The value recorded",
           "yes/no/unknown; a whole number; money in pence; a percentage with one decimal; a code; or unknown"),
    Column("return_complete", "The family's return for the period was marked complete", FLAG),
    Column("is_correction", "Changed after the return was complete, since the last submission", FLAG),
]  # fmt: skip

FILES = {
    "nis_individuals.csv": (
        "One row per individual in every family assessed for the programme on or before the "
        "snapshot date, eligible or not, intervention or comparison, except individuals who "
        "objected. Ordered by la_family_id, then la_individual_id.",
        INDIVIDUAL_COLUMNS,
    ),
    "fpd_progress.csv": (
        "One row per value of Family Progress Data recorded for a period ended on or before the "
        "snapshot date, for the families in nis_individuals.csv: per individual, period and "
        "measure (family measures once per family, with la_individual_id empty). Keyed by LA "
        "IDs only: no names, dates of birth or national identifiers. Ordered by la_family_id, "
        "la_individual_id, period_start, measure_code.",
        FPD_COLUMNS,
    ),
}


def data_dictionary() -> str:
    """docs/nis-data-dictionary.md, generated from the definitions above."""
    lines = [
        "# National Impact Study data dictionary",
        "",
        f"Schema version {SCHEMA_VERSION}. Generated from `nis_export/columns.py` by "
        "`manage.py nis_data_dictionary`; a test fails if this file and the code differ.",
        "",
        "Every file: UTF-8, comma-separated, a header row, RFC 4180 quoting, CRLF line ends; "
        "dates YYYY-MM-DD; flags Y/N; empty for unknown (never N/A or NULL). The package is one "
        "zip (`nis_individuals.csv`, `fpd_progress.csv`, `manifest.json`) encrypted with "
        "OpenPGP to the recipients' public keys. `manifest.json` gives the schema version, the "
        "authority's codes, the snapshot date, the product's version, row counts, the SHA-256 "
        "of each file, exclusions by reason, and who requested the build and when.",
    ]
    for file_name, (description, columns) in FILES.items():
        lines += ["", f"## {file_name}", "", description, "", "| column | meaning | format |",
                  "| --- | --- | --- |"]  # fmt: skip
        lines += [f"| `{c.name}` | {c.meaning} | {c.format} |" for c in columns]
    return "\n".join(lines) + "\n"
