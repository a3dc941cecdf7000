"""The purge: every family past its retention date, and not held, destroyed with every copy
of it, and a certificate that proves it without keeping any of it.

A run is one Celery task (changing_lives/retention/tasks.py) or one `manage.py purge_expired
--execute`. Both call purge_execute, which:
- takes the run by claiming its queued row, then an advisory lock named for the authority
  (changing_lives/db.py), so a retried task, a second worker or a command run alongside a
  worker can never purge one authority twice at once;
- works through the families due in batches (PURGE_BATCH_FAMILIES, default 1,000), each in
  one transaction with a statement per kind of row for the whole batch: every family is
  wholly inside one transaction, so everything of it goes or (on any error, or a killed
  worker) none of it. A batch that fails is done again one family per transaction, so only
  the family at fault stays. The run's counts and its PurgedFamily rows are written in the
  same transaction, so the certificate never disagrees with what went;
- checks the stop switch before each batch, and sends a heartbeat with each: a run whose
  heartbeat goes stale (its worker died) is marked failed by purge_reap_stale, and the next
  run purges whatever is left.

The API lives in four modules: due (what would go), runs (requesting, stopping, reaping),
execute (the work) and certificate (what is kept); this package gathers it.
"""

from changing_lives.retention.purge.certificate import (
    certificate_rows,
    purge_counts,
    purge_started_by,
    purged_lookup,
)
from changing_lives.retention.purge.due import (
    ACTIVE,
    BUILD_STOPPED,
    COMMAND_LINE,
    DELETE_ORDER,
    KINDS,
    NEVER_STARTED_SECONDS,
    PACKAGE_PURGED,
    SCHEDULE,
    PurgePreview,
    purge_candidates,
    purge_lock_name,
    purge_preview,
    purge_rows,
    purge_rows_count,
    purge_rows_delete,
)
from changing_lives.retention.purge.execute import (
    purge_claim,
    purge_execute,
)
from changing_lives.retention.purge.runs import (
    purge_create,
    purge_nightly_request,
    purge_reap_stale,
    purge_request,
    purge_stop,
)

__all__ = [
    "ACTIVE",
    "BUILD_STOPPED",
    "COMMAND_LINE",
    "DELETE_ORDER",
    "KINDS",
    "NEVER_STARTED_SECONDS",
    "PACKAGE_PURGED",
    "SCHEDULE",
    "PurgePreview",
    "certificate_rows",
    "purge_candidates",
    "purge_claim",
    "purge_counts",
    "purge_create",
    "purge_execute",
    "purge_lock_name",
    "purge_nightly_request",
    "purge_preview",
    "purge_reap_stale",
    "purge_request",
    "purge_rows",
    "purge_rows_count",
    "purge_rows_delete",
    "purge_started_by",
    "purge_stop",
    "purged_lookup",
]
