"""The audit trail: append-only, and never holding personal data.

An entry says who did what to which object, when and from where, by ids only: an object is
named by its type and public UUID, never by a name, date of birth or identifier. That is
what lets the trail outlive the records it speaks of (retention purges the records, not the
trail) without keeping anything about the people in them.
"""

from typing import Any

from django.conf import settings
from django.db import models

from changing_lives.authorities.models import LocalAuthority


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def for_authority(self, authority: LocalAuthority) -> "AuditEventQuerySet":
        return self.filter(local_authority=authority)

    def update(self, **kwargs: Any) -> int:
        raise TypeError("The audit trail is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("The audit trail is append-only")


class AuditEvent(models.Model):
    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # PROTECT: users are deactivated, never deleted, so the trail keeps who acted.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    local_authority = models.ForeignKey(
        LocalAuthority, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # Machine facts only, such as a file's name and SHA-256: never personal data.
    detail = models.CharField(max_length=200, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        default_permissions = ()
        permissions = [("view_audit_trail", "Can see their local authority's audit trail")]
        indexes = [models.Index(fields=["local_authority", "-occurred_at"])]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type} {self.object_id}".strip()

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise TypeError("The audit trail is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("The audit trail is append-only")
