"""The NIS files' rows as PostgreSQL SELECTs, streamed by COPY: the same rows, columns and
order as nis_export/extract.py gives, for PostgreSQL to write as CSV itself.

The build writes both files this way on PostgreSQL (a large authority's millions of rows,
several times as fast as Python writing them: docs/performance.md), checking the
individuals' rows as they pass (nis_export/checking.py), and its benchmark uses the same
SELECTs as the baseline it is measured against. Tests check that each gives exactly the
bytes the build's Python gives, as other databases build them.

Every name in the SQL comes from the models' metadata and the code, never from input; every
value is a parameter.
"""

import datetime
from typing import Any

from django.db import connection
from django.utils import timezone

from changing_lives.accounts.models import User
from changing_lives.accounts.roles import Role
from changing_lives.authorities.models import LocalAuthority
from eligibility.models import (
    Assessment,
    CriterionMet,
    Framework,
    Headline,
    Intervention,
    StatusChange,
)
from families.models import Family, Individual
from nis_export.columns import CRITERIA_HEADLINES, FPD_COLUMNS, INDIVIDUAL_COLUMNS, Column
from nis_export.extract import GENDER_CODES
from progress.models import FamilyReturn, Measure, Period, ProgressValue, ReturnStatus


def _tables() -> dict[str, str]:
    return {
        "family": Family._meta.db_table,
        "individual": Individual._meta.db_table,
        "authority": LocalAuthority._meta.db_table,
        "assessment": Assessment._meta.db_table,
        "framework": Framework._meta.db_table,
        "headline": Headline._meta.db_table,
        "criterion": CriterionMet._meta.db_table,
        "intervention": Intervention._meta.db_table,
        "status_change": StatusChange._meta.db_table,
        "user_groups": User.groups.through._meta.db_table,
        "value": ProgressValue._meta.db_table,
        "family_return": FamilyReturn._meta.db_table,
        "period": Period._meta.db_table,
        "measure": Measure._meta.db_table,
    }


def _select(expressions: list[str], columns: list[Column]) -> str:
    """A SELECT list naming each expression by the file's column, so COPY's header is the
    file's too. Empty text is NULL: COPY writes an empty string as "" (csv.writer as
    nothing), and NULL as nothing, so the bytes are csv.writer's."""
    if len(expressions) != len(columns):
        raise ValueError("the SELECT does not give the file's columns")
    return ",\n    ".join(
        f"nullif({sql}, '') AS \"{column.name}\""
        for sql, column in zip(expressions, columns, strict=True)
    )


def _member_or_family(column: str) -> str:
    # extract.address_of: the member's own address if it has a first line or a postcode.
    return (
        f"CASE WHEN i.address_line_1 <> '' OR i.postcode <> '' THEN i.{column} ELSE f.{column} END"
    )


def _date(sql: str) -> str:
    return f"to_char({sql}, 'YYYY-MM-DD')"


def individuals_sql() -> str:
    """nis_individuals.csv's rows, as extract.individual_row makes them, by one SELECT: the
    latest assessment, support and status on or before the snapshot (LATERAL joins), the
    criteria met pivoted to one column per headline, the lead professional's first role."""
    gender = " ".join(f"WHEN '{name}' THEN '{code}'" for name, code in GENDER_CODES.items())
    addresses = ("address_line_1", "address_line_2", "address_line_3", "town", "postcode", "uprn")
    ended = "iv.ended_on <= %(snapshot)s"
    select = _select(
        [
            "la.gss_code", "la.dfe_number", "f.la_family_id", "i.la_individual_id",
            "i.forename", "i.surname", _date("i.date_of_birth"),
            f"CASE i.gender {gender} ELSE '' END",
            *(_member_or_family(column) for column in addresses),
            "upper(i.relationship)", "i.nino", "i.upn", "i.uln", "i.nhs_number",
            "i.pnc_number", "i.school_urn", "fw.code", _date("a.screened_on"),
            *(
                f"CASE WHEN NOT %(h{n})s = ANY(fh.codes) THEN '' "
                f"WHEN %(h{n})s = ANY(met.codes) THEN 'Y' ELSE 'N' END"
                for n in range(len(CRITERIA_HEADLINES))
            ),
            "CASE WHEN coalesce(a.override_eligible, a.eligible) THEN 'Y' ELSE 'N' END",
            "upper(coalesce(sc.to_status, f.status))",
            _date("iv.started_on"),
            f"CASE WHEN {ended} THEN {_date('iv.ended_on')} END",
            f"CASE WHEN {ended} THEN upper(iv.end_reason) END",
            "iv.intensity",
            "upper(lead.role)",
        ],
        INDIVIDUAL_COLUMNS,
    )  # fmt: skip
    # Names from the models' metadata and code, never input: values are parameters.
    return """
WITH fh AS (SELECT framework_id, array_agg(code) AS codes FROM {headline} GROUP BY framework_id)
SELECT {select}
{families}
JOIN {framework} fw ON fw.id = a.framework_id
LEFT JOIN fh ON fh.framework_id = a.framework_id
LEFT JOIN LATERAL (
    SELECT g.name AS role FROM {user_groups} ug JOIN auth_group g ON g.id = ug.group_id
    WHERE ug.user_id = coalesce(iv.lead_professional_id, f.lead_professional_id)
      AND g.name = ANY(%(roles)s)
    ORDER BY array_position(%(roles)s, g.name::text) LIMIT 1
) lead ON true
JOIN {individual} i ON i.family_id = f.id
LEFT JOIN LATERAL (
    SELECT array_agg(h.code) AS codes FROM {criterion} c JOIN {headline} h ON h.id = c.headline_id
    WHERE c.assessment_id = a.id AND c.individual_id = i.id
) met ON true
WHERE f.local_authority_id = %(authority)s
  AND i.nis_objection_on IS NULL
  AND NOT {born_since}
ORDER BY f.la_family_id, i.la_individual_id
""".format(select=select, families=_families_as_at(), born_since=_BORN_SINCE, **_tables())  # noqa: S608


# Born after a back-dated snapshot: not yet in the family then (extract._facts skips them).
_BORN_SINCE = "(i.date_of_birth > %(snapshot)s AND i.date_of_birth <= %(today)s)"


def _families_as_at() -> str:
    """The authority's families in the extract (assessed by the snapshot) as `f`, with their
    latest assessment `a`, their latest support `iv` (if any) and their latest status change
    `sc` (if any), each on or before the snapshot: what extract._facts reads for a family."""
    return """
FROM {family} f
JOIN {authority} la ON la.id = f.local_authority_id
JOIN LATERAL (
    SELECT * FROM {assessment} a WHERE a.family_id = f.id AND a.screened_on <= %(snapshot)s
    ORDER BY a.created_at DESC, a.id DESC LIMIT 1
) a ON true
LEFT JOIN LATERAL (
    SELECT * FROM {intervention} iv WHERE iv.family_id = f.id AND iv.started_on <= %(snapshot)s
    ORDER BY iv.started_on DESC, iv.id DESC LIMIT 1
) iv ON true
LEFT JOIN LATERAL (
    SELECT sc.to_status FROM {status_change} sc
    WHERE sc.family_id = f.id AND sc.effective_on <= %(snapshot)s
    ORDER BY sc.effective_on DESC, sc.changed_at DESC, sc.id DESC LIMIT 1
) sc ON true""".format(**_tables())  # noqa: S608


def families_sql() -> str:
    """What the family rules of nis_export/validation.py read, a row per family in the
    extract, in LA family ID order: its id and LA family ID, its eligibility decision (an
    override if there is one), its status on the snapshot date, its latest support's start
    and end, the ids of the periods (ended by the snapshot, oldest first) in which it was
    supported without a complete progress return, and how many of its members objected.
    Each is worked out as extract._facts does (a test compares them)."""
    return """
SELECT f.id, f.la_family_id,
    coalesce(a.override_eligible, a.eligible),
    coalesce(sc.to_status, f.status),
    iv.started_on, iv.ended_on,
    coalesce(incomplete.periods, '{{}}'),
    objected.n
{families}
LEFT JOIN LATERAL (
    SELECT array_agg(p.id ORDER BY p.start_on) AS periods FROM {period} p
    WHERE p.end_on <= %(snapshot)s
      AND EXISTS (
        SELECT 1 FROM {intervention} s
        WHERE s.family_id = f.id AND s.started_on <= %(snapshot)s
          AND p.end_on >= s.started_on AND (s.ended_on IS NULL OR p.start_on <= s.ended_on)
      )
      AND NOT EXISTS (
        SELECT 1 FROM {family_return} r
        WHERE r.family_id = f.id AND r.period_id = p.id AND r.status = %(complete)s
      )
) incomplete ON true
LEFT JOIN LATERAL (
    SELECT count(*) AS n FROM {individual} i
    WHERE i.family_id = f.id AND i.nis_objection_on IS NOT NULL AND NOT {born_since}
) objected ON true
WHERE f.local_authority_id = %(authority)s
ORDER BY f.la_family_id
""".format(families=_families_as_at(), born_since=_BORN_SINCE, **_tables())  # noqa: S608


def fpd_sql() -> str:
    """fpd_progress.csv's rows, as extract.fpd_rows selects and orders them."""
    select = _select(
        [
            "la.gss_code", "f.la_family_id", "i.la_individual_id",
            _date("p.start_on"), _date("p.end_on"), "m.code", "v.value",
            "CASE WHEN r.status = %(complete)s THEN 'Y' ELSE 'N' END",
            "CASE WHEN v.correction_pending THEN 'Y' ELSE 'N' END",
        ],
        FPD_COLUMNS,
    )  # fmt: skip
    return """
SELECT {select}
FROM {value} v
JOIN {family_return} r ON r.id = v.family_return_id
JOIN {family} f ON f.id = r.family_id
JOIN {authority} la ON la.id = f.local_authority_id
JOIN {period} p ON p.id = r.period_id
JOIN {measure} m ON m.id = v.measure_id
LEFT JOIN {individual} i ON i.id = v.individual_id
WHERE f.local_authority_id = %(authority)s
  AND p.end_on <= %(snapshot)s
  AND i.nis_objection_on IS NULL
  AND EXISTS (
    SELECT 1 FROM {assessment} a WHERE a.family_id = f.id AND a.screened_on <= %(snapshot)s
  )
ORDER BY f.la_family_id, i.la_individual_id NULLS FIRST, p.start_on, m.code
""".format(select=select, **_tables())  # noqa: S608


COPY_BYTES = 1 << 16


def copy_parameters(authority: LocalAuthority, snapshot: datetime.date) -> dict[str, Any]:
    return {
        "authority": authority.pk,
        "snapshot": snapshot,
        "today": timezone.localdate(),
        "roles": [role.value for role in Role],
        "complete": ReturnStatus.COMPLETE.value,
        **{f"h{n}": code for n, (code, _label) in enumerate(CRITERIA_HEADLINES)},
    }


def copy_to(
    sink: Any,
    sql: str,
    parameters: dict[str, Any],
    *,
    header: bool = True,
    crlf: bool = False,
) -> int:
    """Stream `COPY (sql) TO STDOUT (FORMAT csv)` into `sink`; the rows copied. With `crlf`,
    the file's line ends (COPY ends lines with LF only). The connection is the COPY's until
    it ends: nothing else may use it meanwhile, and a query made through Django (by code
    the sink calls) fails at once, where psycopg would wait for the COPY for ever."""
    connection.ensure_connection()
    raw = connection.connection  # psycopg's: Django's cursor has no copy API
    statement = f"COPY ({sql}) TO STDOUT (FORMAT csv{', HEADER' if header else ''})"
    line_ends = CrlfLineEnds()
    pending = bytearray()

    def flush() -> None:
        data = bytes(pending)
        sink.write(line_ends.convert(data) if crlf else data)
        pending.clear()

    with connection.execute_wrapper(_refuse_during_copy), raw.cursor() as cursor:
        with cursor.copy(statement, parameters) as copy:
            # COPY's blocks are a row each: passed on COPY_BYTES at a time, for the sink's
            # work to be done a few times a second, not a million.
            for block in copy:
                pending += block
                if len(pending) >= COPY_BYTES:
                    flush()
            flush()
        return int(cursor.rowcount)


def _refuse_during_copy(*_args: Any) -> None:
    raise RuntimeError("a query was made while COPY held the connection")


class CrlfLineEnds:
    """COPY's CSV with CRLF line ends, as csv.writer writes them: each LF that ends a line
    becomes CRLF; one inside a quoted value stays as it is (csv.writer writes those as they
    are too). Whether a block starts inside quotes is carried from the block before: a quote
    opens or closes a quoted value, a doubled one ("") does both."""

    def __init__(self) -> None:
        self.quoted = False

    def convert(self, block: bytes) -> bytes:
        if not self.quoted and b'"' not in block:
            return block.replace(b"\n", b"\r\n")
        parts = block.split(b'"')
        for index, part in enumerate(parts):
            if index:
                self.quoted = not self.quoted
            if not self.quoted:
                parts[index] = part.replace(b"\n", b"\r\n")
        return b'"'.join(parts)
