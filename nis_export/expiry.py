"""Expiring NIS packages: the file goes after NIS_FILE_DAYS; the manifest and audit stay."""

import shutil

from django.utils import timezone

from changing_lives.audit.actions import AuditAction
from changing_lives.audit.services import audit_record
from nis_export.build import package_folder
from nis_export.models import Submission, SubmissionStatus


def submissions_expire() -> int:
    due = Submission.objects.filter(
        status=SubmissionStatus.READY, expires_at__lte=timezone.now()
    ).select_related("local_authority")
    expired = 0
    for submission in due:
        shutil.rmtree(package_folder(submission), ignore_errors=True)
        Submission.objects.filter(pk=submission.pk).update(
            status=SubmissionStatus.EXPIRED, package_name=""
        )
        audit_record(
            action=AuditAction.NIS_EXPIRED,
            obj=submission,
            local_authority=submission.local_authority,
        )
        expired += 1
    return expired
