"""Retention: each authority's settings, holds that stop a purge, purge runs and what they
leave behind (counts, and an HMAC of each purged family's LA family ID; nothing else)."""

import uuid

from django.conf import settings
from django.db import models

from changing_lives.authorities.models import LocalAuthority
from families.models import Family

DEFAULT_RETENTION_YEARS = 8


class RetentionSettings(models.Model):
    local_authority = models.OneToOneField(
        LocalAuthority, on_delete=models.CASCADE, related_name="retention_settings"
    )
    retention_years = models.PositiveSmallIntegerField(default=DEFAULT_RETENTION_YEARS)
    # A programme-wide "destroy by" date (the seed notice says "by December 2022"): the
    # earlier of it and the years after a family's last activity applies.
    destroy_by = models.DateField(null=True, blank=True)
    nightly_purge = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        default_permissions = ()
        permissions = [("manage_retention", "Can set retention, place holds and run the purge")]

    def __str__(self) -> str:
        return f"Retention for {self.local_authority}"


class HoldKind(models.TextChoices):
    LEGAL_HOLD = "legal_hold", "Legal hold"
    SUBJECT_ACCESS = "subject_access", "Open subject access request"


class HoldQuerySet(models.QuerySet["Hold"]):
    def open(self) -> "HoldQuerySet":
        return self.filter(lifted_at__isnull=True)


class Hold(models.Model):
    """A reason a family must not be purged yet: a legal hold or an open subject access
    request. Lifted, not deleted, so the family's record shows both; it goes with the family."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="holds")
    kind = models.CharField(max_length=16, choices=HoldKind.choices)
    reason = models.CharField(max_length=500)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    placed_at = models.DateTimeField(auto_now_add=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lift_reason = models.CharField(max_length=500, blank=True)

    objects = HoldQuerySet.as_manager()

    class Meta:
        ordering = ["-placed_at"]
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.family}"


class PurgeStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    STOPPED = "stopped", "Stopped"
    FINISHED = "finished", "Finished"
    FAILED = "failed", "Failed"


class PurgeRunQuerySet(models.QuerySet["PurgeRun"]):
    def for_authority(self, authority: LocalAuthority) -> "PurgeRunQuerySet":
        return self.filter(local_authority=authority)


class PurgeRun(models.Model):
    """One purge of an authority's families past their retention date: the certificate.

    Holds when, who (or the nightly schedule) and counts per kind of row; the families it
    purged are named only by an HMAC of their LA family ID (PurgedFamily)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, related_name="purge_runs"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    scheduled = models.BooleanField(default=False)
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=PurgeStatus.choices, default=PurgeStatus.QUEUED
    )
    stop_requested = models.BooleanField(default=False)
    families_due = models.PositiveIntegerField(default=0)
    families_purged = models.PositiveIntegerField(default=0)
    # Rows deleted, by kind ("individuals", "assessments", ...): numbers only.
    counts = models.JSONField(default=dict, blank=True)
    failure_reason = models.CharField(max_length=300, blank=True)

    objects = PurgeRunQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        default_permissions = ()

    def __str__(self) -> str:
        return f"Purge {self.public_id}"


class PurgedFamily(models.Model):
    """A family a purge destroyed, named by HMAC-SHA256 of its LA family ID under
    REFERENCE_HMAC_KEY: proof that family X was purged, without keeping X."""

    run = models.ForeignKey(PurgeRun, on_delete=models.PROTECT, related_name="purged")
    digest = models.CharField(max_length=64, db_index=True)
    purged_at = models.DateTimeField()

    class Meta:
        ordering = ["purged_at", "id"]
        default_permissions = ()

    def __str__(self) -> str:
        return self.digest
