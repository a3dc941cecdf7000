"""Reference data that identifiers are checked against, read once per process."""

from functools import cache
from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from families.models import DfeLaNumber


@cache
def dfe_la_numbers() -> frozenset[str]:
    """The DfE LA numbers a UPN may carry in positions 2 to 4."""
    return frozenset(DfeLaNumber.objects.values_list("code", flat=True))


# Connected when this module is imported, which is before the cache can hold anything, so
# no cached list outlives a change made in this process. The list changes by migration, and
# a deploy restarts every process, so other processes need no telling.
@receiver(post_save, sender=DfeLaNumber, dispatch_uid="dfe_la_numbers_saved")
@receiver(post_delete, sender=DfeLaNumber, dispatch_uid="dfe_la_numbers_deleted")
def _forget_dfe_la_numbers(**kwargs: Any) -> None:
    dfe_la_numbers.cache_clear()
