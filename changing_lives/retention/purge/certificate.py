"""What a purge keeps: the certificate (counts, and an HMAC per family) and the lookup."""

from collections import Counter
from collections.abc import Iterator

from django.db import transaction
from django.http import HttpRequest

from changing_lives.accounts.models import User
from changing_lives.audit.actions import AuditAction
from changing_lives.audit.services import audit_record
from changing_lives.authorities.models import LocalAuthority
from changing_lives.csv_safety import spreadsheet_safe
from changing_lives.retention.models import (
    PurgedFamily,
    PurgeRun,
)
from changing_lives.retention.purge.due import COMMAND_LINE, KINDS, SCHEDULE, _added
from families.la_ids import ReferenceKind, reference_digest


@transaction.atomic
def purged_lookup(
    *,
    actor: User,
    authority: LocalAuthority,
    la_family_id: str,
    request: HttpRequest | None = None,
) -> PurgedFamily | None:
    """Was the family with this LA family ID purged? Found by its HMAC, so the answer needs
    no copy of the ID; the lookup is audited without it."""
    digest = reference_digest(authority=authority, kind=ReferenceKind.FAMILY, value=la_family_id)
    found = (
        PurgedFamily.objects.filter(run__local_authority=authority, digest=digest)
        .select_related("run")
        .order_by("purged_at", "id")
        .first()
    )
    audit_record(
        action=AuditAction.PURGE_LOOKUP,
        actor=actor,
        local_authority=authority,
        obj=found.run if found else None,
        request=request,
        detail="found" if found else "not found",
    )
    return found


def certificate_rows(run: PurgeRun) -> Iterator[list[str]]:
    """The purge certificate as CSV rows: one per family purged (the HMAC-SHA256 of its LA
    family ID, and when), then the rows deleted per kind, then when the run was and who
    started it. No names, dates of birth or identifiers: nothing a spreadsheet could run."""
    yield ["hmac_sha256_la_family_id", "purged_at"]
    for digest, purged_at in run.purged.order_by("purged_at", "id").values_list(
        "digest", "purged_at"
    ):
        yield [digest, purged_at.isoformat()]
    yield ["kind", "rows_deleted"]
    for kind, number in purge_counts(run).items():
        yield [kind, str(number)]
    yield ["about_this_purge", "value"]
    yield ["purge_run", str(run.public_id)]
    yield ["local_authority_gss_code", run.local_authority.gss_code]
    yield ["started_by", spreadsheet_safe(purge_started_by(run))]
    for name in ("requested_at", "started_at", "finished_at"):
        moment = getattr(run, name)
        yield [name, moment.isoformat() if moment else ""]
    yield ["status", str(run.status)]
    yield ["families_due", str(run.families_due)]
    yield ["families_purged", str(run.families_purged)]
    yield [
        "digest_method",
        "HMAC-SHA256 keyed by the deployment's REFERENCE_HMAC_KEY, of "
        "'<GSS code>:family:<LA family ID in capitals>'",
    ]


def purge_counts(run: PurgeRun) -> dict[str, int]:
    """The run's rows deleted per kind, every kind, in the certificate's order (the database
    keeps a JSON object's keys in an order of its own)."""
    return _added(dict.fromkeys(KINDS, 0), Counter(run.counts))


def purge_started_by(run: PurgeRun) -> str:
    if run.scheduled:
        return SCHEDULE
    return run.started_by.username if run.started_by else COMMAND_LINE
