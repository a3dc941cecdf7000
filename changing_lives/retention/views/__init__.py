"""Retention pages, for admins (retention.manage_retention) of the authority: the rule
(policy.py), holds on families (holds.py), and the purge: preview, confirmation, runs, their
certificates and the lookup of a purged LA family ID (purge.py).

Runs and holds are reached through changing_lives/retention/access.py (another authority's
is a 404); every write goes through a service (services.py, purge.py).
"""

from django.http import HttpRequest

from changing_lives.accounts.models import User

MANAGE = "retention.manage_retention"


def actor_of(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user
