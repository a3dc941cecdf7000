"""Who may open what, by role, proven for every URL pattern in the URLconf.

REQUIRED_PERMISSION is the statement of who may do what: for each URL name, the permission
that opens it (None: any signed-in user). Roles hold permissions as
changing_lives/accounts/roles.py says. The walk (tests/urlwalk.py) finds every URL, so a new
URL fails `test_every_url_says_which_permission_opens_it` until it is added here; then each
role of the owning authority opens it with real records, and a role with the permission
must get in (200, or a redirect that is not to sign-in) while a role without it gets 403.

Nothing is read from the views: if a view checks a different permission from the one
written here, this test says so. Other authorities (404) are tests/test_other_authority.py,
anonymous users (sent to sign in) tests/test_access.py.
"""

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from changing_lives.accounts.roles import ROLE_PERMISSIONS, Role
from tests.signing_in import force_login_verified
from tests.test_other_authority import real_arguments
from tests.urlwalk import walk

ALL_URLS = list(walk())

FAMILY_RECORDS_VIEW = "families.view_family"
FAMILY_RECORDS_CHANGE = "families.change_family"
SUPPORT = "eligibility.manage_support"
COMPLETENESS = "progress.view_completeness"
REFERENCE_DATA = "progress.manage_progress_reference"
NIS_BUILD = "nis_export.build_submission"
NIS_KEYS = "nis_export.manage_recipient_keys"
RETENTION = "retention.manage_retention"
USERS = "accounts.manage_users"

REQUIRED_PERMISSION: dict[str, str | None] = {
    # Public pages (tests/urlwalk.py PUBLIC_URL_NAMES): anyone, signed in or not.
    "pages:privacy_notices": None,
    "pages:privacy_notice": None,
    "pages:accessibility": None,
    "pages:cookies": None,
    "accounts:login": None,
    "accounts:password_reset": None,
    "accounts:password_reset_done": None,
    "accounts:password_reset_confirm": None,
    "accounts:password_reset_complete": None,
    "accounts:invite_accept": None,
    "healthz": None,
    # Every signed-in user: their home page, their own password, signing out.
    "pages:home": None,
    "accounts:logout": None,
    "accounts:password_change": None,
    # The second factor: set up, verified, and each user's own backup codes.
    "accounts:mfa_verify": None,
    "accounts:mfa_enrol": None,
    "accounts:mfa_backup_codes": None,
    # Admins: the authority's users (changing_lives/accounts/views/users.py).
    "users:list": USERS,
    "users:invite": USERS,
    "users:detail": USERS,
    "users:roles": USERS,
    "users:deactivate": USERS,
    "users:reactivate": USERS,
    "users:mfa_reset": USERS,
    "users:unlock": USERS,
    "users:invite_resend": USERS,
    # Admins: the authority's trail and settings.
    "audit:list": "audit.view_audit_trail",
    "authorities:settings": "authorities.change_own_authority",
    # Family records.
    "families:list": FAMILY_RECORDS_VIEW,
    "families:detail": FAMILY_RECORDS_VIEW,
    "families:history": FAMILY_RECORDS_VIEW,
    "families:create": "families.add_family",
    "families:edit": FAMILY_RECORDS_CHANGE,
    "families:member_add": FAMILY_RECORDS_CHANGE,
    "families:member_edit": FAMILY_RECORDS_CHANGE,
    "families:member_remove": FAMILY_RECORDS_CHANGE,
    "families:member_move": FAMILY_RECORDS_CHANGE,
    # Eligibility and support.
    "eligibility:assessment_create": "eligibility.add_assessment",
    "eligibility:assessment_detail": "eligibility.view_assessment",
    "eligibility:assessment_override": "eligibility.override_assessment",
    "eligibility:start_support": SUPPORT,
    "eligibility:place_in_comparison": SUPPORT,
    "eligibility:confirm_not_eligible": SUPPORT,
    "eligibility:close": SUPPORT,
    "eligibility:overview": "eligibility.view_programme_overview",
    "eligibility:framework": "eligibility.change_framework",
    # Family Progress Data.
    "progress:due": "progress.view_familyreturn",
    "progress:return": "progress.view_familyreturn",
    "progress:periods": COMPLETENESS,
    "progress:period_detail": COMPLETENESS,
    "progress:period_gaps": COMPLETENESS,
    "progress:reference": REFERENCE_DATA,
    "progress:period_add": REFERENCE_DATA,
    "progress:period_due": REFERENCE_DATA,
    "progress:measure_add": REFERENCE_DATA,
    "progress:measure_retire": REFERENCE_DATA,
    "progress:measure_restore": REFERENCE_DATA,
    # National Impact Study.
    "nis_export:submissions": NIS_BUILD,
    "nis_export:submission": NIS_BUILD,
    "nis_export:download": NIS_BUILD,
    "nis_export:report": NIS_BUILD,
    "nis_export:keys": NIS_KEYS,
    "nis_export:key_add": NIS_KEYS,
    "nis_export:key_retire": NIS_KEYS,
    # Retention and the purge (changing_lives/retention/urls.py).
    "retention:home": RETENTION,
    "retention:settings": RETENTION,
    "retention:holds": RETENTION,
    "retention:hold_place": RETENTION,
    "retention:hold_lift": RETENTION,
    "retention:preview": RETENTION,
    "retention:preview_csv": RETENTION,
    "retention:purge_confirm": RETENTION,
    "retention:runs": RETENTION,
    "retention:run": RETENTION,
    "retention:certificate": RETENTION,
    "retention:lookup": RETENTION,
}


@dataclass(frozen=True)
class Exercise:
    """How to open a URL that a plain GET cannot, and why."""

    method: str = "get"
    query: str = ""


EXERCISE: dict[str, Exercise] = {
    # Signing out is a POST (Django answers a GET with 405); it leads to the sign-in page.
    "accounts:logout": Exercise(method="post"),
    # Without a worker running, asking for the worker would answer 503: the database is
    # what this walk needs to reach.
    "healthz": Exercise(query="?check=database"),
}


def arguments_for(family) -> dict[str, object]:
    """Real records for the URLs that name one (as the other-authority walk uses), and the
    public pages' parameters: the authority's privacy notice, and a password-reset link
    that is not valid (its page says so, to anyone)."""
    return real_arguments(family) | {
        "gss_code": family.local_authority.gss_code,
        "uidb64": "MQ",
        "token": "not-a-valid-token",
    }


# Subjects: each role alone, and a user with no role at all.
SUBJECTS: list[Role | None] = [*Role, None]


def holds(subject: Role | None, permission: str | None) -> bool:
    if permission is None:
        return True
    return subject is not None and permission in ROLE_PERMISSIONS[subject]


def sent_to_sign_in(response) -> bool:
    """Refused as anonymous: a redirect to sign-in that asks to come back (`?next=`).
    (Signing out also ends on the sign-in page, without `next`: that is not a refusal.)"""
    if response.status_code != 302:
        return False
    location = urlsplit(response["Location"])
    return location.path == reverse("accounts:login") and "next" in parse_qs(location.query)


def test_every_url_says_which_permission_opens_it() -> None:
    missing = sorted({url.name for url in ALL_URLS} - set(REQUIRED_PERMISSION))
    assert not missing, (
        f"say which permission opens {missing} in REQUIRED_PERMISSION "
        "(tests/test_role_access.py), or None for any signed-in user"
    )


def test_the_table_names_no_url_that_is_gone() -> None:
    # An app whose URLs are written but not yet included in the URLconf may be listed
    # ahead; within an included namespace, every name must exist.
    names = {url.name for url in ALL_URLS}
    routed_namespaces = {name.split(":")[0] for name in names if ":" in name}
    stale = sorted(
        name
        for name in REQUIRED_PERMISSION
        if name not in names and (":" not in name or name.split(":")[0] in routed_namespaces)
    )
    assert not stale, f"{stale} are in REQUIRED_PERMISSION but in no URL pattern"


@pytest.mark.django_db
def test_every_permission_in_the_table_exists() -> None:
    wanted = {permission for permission in REQUIRED_PERMISSION.values() if permission}
    known = {
        f"{app_label}.{codename}"
        for app_label, codename in Permission.objects.values_list(
            "content_type__app_label", "codename"
        )
    }
    assert wanted - known == set()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ALL_URLS, ids=lambda url: url.name)
def test_each_role_of_the_owning_authority_gets_what_the_table_says(url, family, make_user) -> None:
    if url.name not in REQUIRED_PERMISSION:
        pytest.fail(f"{url.name}: say which permission opens it in REQUIRED_PERMISSION")
    permission = REQUIRED_PERMISSION[url.name]
    exercise = EXERCISE.get(url.name, Exercise())
    arguments = arguments_for(family)
    missing = set(url.parameters) - set(arguments)
    assert not missing, f"{url.name}: say in real_arguments() how to fill {missing}"
    path = reverse(url.name, kwargs={name: arguments[name] for name in url.parameters})

    for subject in SUBJECTS:
        client = Client()
        force_login_verified(client, make_user(*([subject] if subject else [])))
        response = getattr(client, exercise.method)(path + exercise.query)
        who = subject.value if subject else "a user with no role"
        if holds(subject, permission):
            assert response.status_code not in {403, 404}, (
                f"{url.name}: {who} holds {permission} but was refused ({response.status_code})"
            )
            assert response.status_code in {200, 302}, (
                f"{url.name}: {who} got {response.status_code}; say in EXERCISE how to open it"
            )
            assert not sent_to_sign_in(response), f"{url.name}: {who} was sent to sign in"
        else:
            assert response.status_code == 403, (
                f"{url.name}: {who} lacks {permission} but got {response.status_code}, not 403"
            )
