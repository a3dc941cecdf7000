"""National Impact Study submissions, their validation issues, and the recipients' keys.

A submission is one authority's snapshot for ONS, built by a Celery task into one
OpenPGP-encrypted package. Its manifest (counts and hashes, no personal data) and the audit
trail outlive its files; the package is deleted when it expires or when a family in it is
purged.
"""

import uuid

from django.conf import settings
from django.db import models

from changing_lives.authorities.models import LocalAuthority
from families.models import Family


class RecipientKey(models.Model):
    """An OpenPGP public key that every package is encrypted to (ONS's, for example).

    Shared by every authority: the recipients of the National Impact Study are national.
    """

    fingerprint = models.CharField(max_length=40, unique=True)
    user_ids = models.JSONField(default=list)
    armored = models.TextField()
    created_at = models.DateTimeField("Key created")
    expires_at = models.DateTimeField("Key expires", null=True, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-added_at"]
        default_permissions = ()
        permissions = [("manage_recipient_keys", "Can add and retire NIS recipient keys")]

    def __str__(self) -> str:
        return self.fingerprint


class SubmissionStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    BUILDING = "building", "Building"
    FAILED = "failed", "Failed"
    BLOCKED = "blocked", "Blocked by validation errors"
    READY = "ready", "Ready to download"
    EXPIRED = "expired", "Expired"


class SubmissionQuerySet(models.QuerySet["Submission"]):
    def for_authority(self, authority: LocalAuthority) -> "SubmissionQuerySet":
        return self.filter(local_authority=authority)


class Submission(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="nis_submissions"
    )
    snapshot_on = models.DateField("Snapshot date")
    status = models.CharField(
        max_length=10, choices=SubmissionStatus.choices, default=SubmissionStatus.QUEUED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Refreshed as the build goes: a build whose heartbeat stops (its worker died) is stale.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    failure_reason = models.CharField(max_length=500, blank=True)
    # Counts, exclusions, SHA-256 of each file, schema version: never personal data.
    manifest = models.JSONField(default=dict, blank=True)
    package_name = models.CharField(max_length=200, blank=True)
    package_sha256 = models.CharField(max_length=64, blank=True)
    package_size = models.PositiveBigIntegerField(default=0)
    expires_at = models.DateTimeField(null=True, blank=True)

    objects = SubmissionQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        default_permissions = ()
        permissions = [("build_submission", "Can build, see and download NIS submissions")]
        indexes = [models.Index(fields=["local_authority", "status"])]

    def __str__(self) -> str:
        return f"NIS submission {self.public_id} ({self.snapshot_on})"

    @property
    def is_downloadable(self) -> bool:
        return self.status == SubmissionStatus.READY and bool(self.package_name)


class IssueSeverity(models.TextChoices):
    ERROR = "error", "Error"
    WARNING = "warning", "Warning"


class ValidationIssue(models.Model):
    """A problem found in a record while checking a submission: errors block it.

    Names the record by LA IDs (as the validation report does) and links to the family so
    a data officer can fix it. Deleted with the family.
    """

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="issues")
    severity = models.CharField(max_length=8, choices=IssueSeverity.choices)
    code = models.CharField(max_length=40)
    message = models.CharField(max_length=300)
    family = models.ForeignKey(
        Family, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    la_family_id = models.CharField(max_length=30, blank=True)
    la_individual_id = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["severity", "la_family_id", "la_individual_id", "code"]
        default_permissions = ()
        indexes = [models.Index(fields=["submission", "severity"])]

    def __str__(self) -> str:
        return f"{self.severity} {self.code}"
