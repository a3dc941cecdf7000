"""What each user is offered: the service navigation and each role's list of work.

One list, filtered by permission, feeds both the header navigation and the home page, so a
page a role cannot use is never offered to it. Features add their entry here.
"""

from dataclasses import dataclass

from changing_lives.accounts.models import User
from changing_lives.accounts.roles import ROLE_PERMISSIONS, Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    # Who is offered it: the permission needed, or None for every signed-in user.
    permission: str | None
    description: str = ""
    # Actions (like "Add a family") are offered on the home page and on their list's page,
    # not in the header.
    in_header: bool = True


NAVIGATION: tuple[NavItem, ...] = (
    NavItem("Home", "pages:home", None),
    NavItem(
        "Families",
        "families:list",
        "families.view_family",
        "Find a family by name or identifier, see its members and history, record changes.",
    ),
    NavItem(
        "Add a family",
        "families:create",
        "families.add_family",
        "Record a newly referred family and its first member.",
        in_header=False,
    ),
    NavItem(
        "Progress",
        "progress:due",
        "progress.view_familyreturn",
        "Family Progress Data returns due now and overdue, for your caseload.",
    ),
    NavItem(
        "Completeness",
        "progress:periods",
        "progress.view_completeness",
        "How complete each period's Family Progress Data is, with a download of the gaps.",
    ),
    NavItem(
        "Programme",
        "eligibility:overview",
        "eligibility.view_programme_overview",
        "Families by status and by headline, over time.",
    ),
    NavItem(
        "Eligibility framework",
        "eligibility:framework",
        "eligibility.change_framework",
        "Choose the criteria framework your authority assesses families under.",
        in_header=False,
    ),
    NavItem(
        "Progress periods and measures",
        "progress:reference",
        "progress.manage_progress_reference",
        "Add reporting periods and measures, move due dates, retire measures. Shared by every "
        "local authority: a change applies to all of them.",
        in_header=False,
    ),
    NavItem(
        "NIS submissions",
        "nis_export:submissions",
        "nis_export.build_submission",
        "Build your authority's National Impact Study submission, fix what blocks it, and "
        "download the encrypted package.",
    ),
    NavItem(
        "NIS recipient keys",
        "nis_export:keys",
        "nis_export.manage_recipient_keys",
        "Add and retire the public keys that National Impact Study packages are encrypted "
        "to. Shared by every local authority.",
        in_header=False,
    ),
    NavItem(
        "Retention and purge",
        "retention:home",
        "retention.manage_retention",
        "Set how long family records are kept, place and lift legal holds, preview and run "
        "the purge, and check whether a family was purged.",
    ),
    NavItem(
        "Users",
        "users:list",
        "accounts.manage_users",
        "Invite people to your local authority, change their roles, deactivate accounts, "
        "reset a lost authenticator app and unlock a locked account.",
    ),
    NavItem(
        "Audit trail",
        "audit:list",
        "audit.view_audit_trail",
        "See who signed in, viewed or changed what, and when, in your local authority.",
    ),
    NavItem(
        "Settings",
        "authorities:settings",
        "authorities.change_own_authority",
        "Keep your local authority's privacy notice and record-keeping settings up to date.",
    ),
)


def navigation_for(user: User) -> list[NavItem]:
    return [
        item
        for item in NAVIGATION
        if item.in_header and (item.permission is None or user.has_perm(item.permission))
    ]


def work_for_role(role: Role) -> list[NavItem]:
    """The pages a role's home section lists: those its permissions open."""
    granted = ROLE_PERMISSIONS[role]
    return [item for item in NAVIGATION if item.permission in granted]
