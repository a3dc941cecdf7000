"""Admins manage their own authority's users: invite (a one-time link that expires), roles,
deactivate and reactivate, reset multi-factor sign-in, unlock. Each change audited by the
user's public id, never a name; another authority's users answer 404, non-admins 403."""

import datetime
import html
import re
from collections.abc import Callable

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from changing_lives.accounts import invitations
from changing_lives.accounts.models import User
from changing_lives.accounts.roles import Role
from changing_lives.audit.actions import AuditAction
from changing_lives.audit.models import AuditEvent
from tests.factories import PASSWORD, UserFactory
from tests.signing_in import force_login_verified, sign_in_with_forms

pytestmark = pytest.mark.django_db

INVITE = reverse("users:invite")
NEW_PASSWORD = "a-long-and-private-passphrase-9"
USER_URLS = [
    "users:detail",
    "users:roles",
    "users:deactivate",
    "users:reactivate",
    "users:mfa_reset",
    "users:unlock",
    "users:invite_resend",
]


def text(response) -> str:
    return html.unescape(response.content.decode())


def invitation(**changes: object) -> dict[str, object]:
    return {
        "first_name": "Priya",
        "last_name": "Shah",
        "email": "priya.shah@example.gov.uk",
        "username": "pshah",
        "roles": ["caseworker"],
    } | changes


def link_in(message) -> str:
    match = re.search(r"https?://[^/\s]+(/account/invitation/\S+/)", str(message.body))
    assert match, message.body
    return match.group(1)


def assert_no_names_in_the_audit_trail(*users: User) -> None:
    rows = str(list(AuditEvent.objects.values()))
    for user in users:
        for value in (user.first_name, user.last_name, user.username, user.email):
            assert value not in rows, f"{value!r} is on the audit trail"


@pytest.fixture
def admin(make_user) -> User:
    return make_user(Role.ADMIN, first_name="Alex", last_name="Admin")


@pytest.fixture
def admin_client(admin: User) -> Client:
    return force_login_verified(Client(), admin)


def invite(admin_client: Client, **changes: object) -> User:
    response = admin_client.post(INVITE, invitation(**changes))
    assert response.status_code == 302, text(response)
    return User.objects.get(username=changes.get("username", "pshah"))


# Invitations


def test_an_admin_invites_a_user_by_email_with_a_link_that_works_once(
    admin: User, admin_client: Client
) -> None:
    response = admin_client.post(INVITE, invitation(roles=["caseworker", "team_manager"]))
    invited = User.objects.get(username="pshah")
    assert response["Location"] == reverse("users:detail", args=[invited.public_id])
    assert not invited.is_active
    assert not invited.has_usable_password()
    assert invited.local_authority == admin.local_authority
    assert invited.roles == [Role.CASEWORKER, Role.TEAM_MANAGER]
    detail = admin_client.get(response["Location"])
    assert "Invitation sent. The link in it works once, for 72 hours." in text(detail)
    assert "Invited" in text(detail)

    (message,) = mail.outbox
    assert message.to == ["priya.shah@example.gov.uk"]
    assert message.subject == "You are invited to Changing Lives"
    body = str(message.body)
    # The greeting name and the link: no other personal data.
    assert body.startswith("Hello Priya,")
    for personal in ("Shah", "pshah", "priya.shah@example.gov.uk"):
        assert personal not in body
    assert "72 hours" in body

    event = AuditEvent.objects.get(action=AuditAction.USER_INVITED)
    assert (event.actor, event.local_authority) == (admin, admin.local_authority)
    assert (event.object_type, event.object_id) == ("accounts.user", str(invited.public_id))
    assert event.detail == "roles=caseworker,team_manager"

    # The invitee opens the link: the token leaves the address bar for the session.
    newcomer = Client()
    link = link_in(message)
    response = newcomer.get(link)
    assert response.status_code == 302
    form_url = response["Location"]
    assert form_url.endswith("/set-password/")
    page = newcomer.get(form_url)
    assert "Your username is <strong>pshah</strong>" in text(page)

    # The password validators apply.
    weak = newcomer.post(form_url, {"new_password1": "pshah12345", "new_password2": "pshah12345"})
    assert weak.status_code == 200
    assert "<title>Error: Set your password" in text(weak)
    assert "at least 12 characters" in text(weak)
    response = newcomer.post(
        form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:mfa_enrol")
    invited.refresh_from_db()
    assert invited.is_active
    assert invited.check_password(NEW_PASSWORD)
    # Signed in, but the second factor comes first: they set up their authenticator now.
    assert newcomer.get("/")["Location"].startswith(reverse("accounts:mfa_verify"))
    assert newcomer.get(response["Location"]).status_code == 200

    # The link works once.
    again = Client().get(link)
    assert again.status_code == 200
    assert "This invitation link is not valid" in text(again)
    assert AuditEvent.objects.filter(
        action=AuditAction.USER_INVITE_ACCEPTED, actor=invited, object_id=str(invited.public_id)
    ).exists()
    assert_no_names_in_the_audit_trail(admin, invited)


@pytest.mark.parametrize(("hours_later", "works"), [(71, True), (73, False)])
def test_an_invitation_link_works_for_72_hours(
    admin_client: Client, monkeypatch: pytest.MonkeyPatch, hours_later: int, works: bool
) -> None:
    invite(admin_client)
    link = link_in(mail.outbox[0])
    sent_at = datetime.datetime.now()
    monkeypatch.setattr(
        invitations.InviteTokenGenerator,
        "_now",
        lambda self: sent_at + datetime.timedelta(hours=hours_later),
    )
    response = Client().get(link)
    assert (response.status_code == 302) is works
    if not works:
        assert "more than 72 hours old" in text(response)


@override_settings(INVITE_VALID_HOURS=1)
def test_the_links_lifetime_is_a_setting(admin_client: Client, monkeypatch) -> None:
    invite(admin_client)
    link = link_in(mail.outbox[0])
    assert "works once, for 1 hours" in str(mail.outbox[0].body)
    later = datetime.datetime.now() + datetime.timedelta(minutes=61)
    monkeypatch.setattr(invitations.InviteTokenGenerator, "_now", lambda self: later)
    assert "This invitation link is not valid" in text(Client().get(link))


def test_an_invitation_link_is_not_a_password_reset_link(admin_client: Client) -> None:
    invited = invite(admin_client)
    token = PasswordResetTokenGenerator().make_token(invited)
    response = Client().get(reverse("accounts:invite_accept", args=[invited.public_id, token]))
    assert "This invitation link is not valid" in text(response)


def test_a_new_invitation_replaces_the_old_link(admin: User, admin_client: Client) -> None:
    invited = invite(admin_client)
    first = link_in(mail.outbox[0])
    url = reverse("users:invite_resend", args=[invited.public_id])
    assert "Send Priya Shah a new invitation" in text(admin_client.get(url))
    assert admin_client.post(url).status_code == 302
    second = link_in(mail.outbox[1])
    assert "not valid" in text(Client().get(first))
    assert Client().get(second).status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.USER_INVITE_RESENT).count() == 1


def test_the_invitation_form_says_what_is_wrong(
    admin_client: Client, make_user: Callable[..., User]
) -> None:
    make_user(Role.CASEWORKER, username="taken", email="taken@example.gov.uk")
    response = admin_client.post(
        INVITE,
        invitation(roles=[], email="not-an-address", username="has space"),
    )
    assert response.status_code == 200
    page = text(response)
    assert "<title>Error: Invite a user" in page
    assert "Choose at least one role" in page
    assert "Enter an email address in the correct format" in page
    response = admin_client.post(INVITE, invitation(username="taken", email="Taken@example.gov.uk"))
    assert "A user with that username already exists" in text(response)
    assert "A user with this email address already exists" in text(response)
    assert mail.outbox == []
    assert not AuditEvent.objects.filter(action=AuditAction.USER_INVITED).exists()


def test_an_invitation_that_cannot_be_sent_saves_nothing(
    admin_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise ConnectionRefusedError("no mail server")

    monkeypatch.setattr(invitations, "send_mail", refuse)
    response = admin_client.post(INVITE, invitation())
    assert response.status_code == 200
    assert "The invitation could not be sent" in text(response)
    assert not User.objects.filter(username="pshah").exists()
    assert not AuditEvent.objects.filter(action=AuditAction.USER_INVITED).exists()


# The list, roles, deactivation


def test_the_list_shows_the_authoritys_users_with_roles_status_and_mfa(
    admin_client: Client, make_user, other_authority, django_assert_max_num_queries
) -> None:
    make_user(Role.CASEWORKER, first_name="Casey", last_name="Worker")
    make_user(Role.DATA_OFFICER, first_name="Dana", last_name="Officer", totp=False)
    make_user(
        Role.CASEWORKER, first_name="Otto", last_name="Outsider", local_authority=other_authority
    )
    invite(admin_client)

    response = admin_client.get(reverse("users:list"))
    page = text(response)
    assert "Casey Worker" in page
    assert "Dana Officer" in page
    assert "Priya Shah" in page
    assert "Otto Outsider" not in page
    rows = {row["user"].get_full_name(): row for row in response.context["rows"]}
    assert rows["Casey Worker"]["mfa"] is True
    assert rows["Dana Officer"]["mfa"] is False
    assert "Invited" in page
    assert "Data officer" in page

    # No query per row.
    with django_assert_max_num_queries(20) as few:
        admin_client.get(reverse("users:list"))
    for n in range(10):
        make_user(Role.CASEWORKER, first_name="More", last_name=f"Staff{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        admin_client.get(reverse("users:list"))


def test_an_admin_changes_roles_and_the_change_is_audited_without_names(
    admin: User, admin_client: Client, make_user
) -> None:
    user = make_user(Role.CASEWORKER, first_name="Casey", last_name="Worker")
    url = reverse("users:roles", args=[user.public_id])
    assert admin_client.post(url, {"roles": []}).status_code == 200
    assert "Choose at least one role" in text(admin_client.post(url, {"roles": []}))
    response = admin_client.post(url, {"roles": ["team_manager", "data_officer"]})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.roles == [Role.TEAM_MANAGER, Role.DATA_OFFICER]
    event = AuditEvent.objects.get(action=AuditAction.USER_ROLES_CHANGED)
    assert (event.actor, event.object_id, event.detail) == (
        admin,
        str(user.public_id),
        "roles=data_officer,team_manager",
    )
    assert_no_names_in_the_audit_trail(admin, user)


def test_the_last_admin_keeps_the_admin_role_and_cannot_deactivate_themselves(
    admin: User, admin_client: Client, make_user
) -> None:
    response = admin_client.post(
        reverse("users:roles", args=[admin.public_id]), {"roles": ["caseworker"]}
    )
    assert response.status_code == 200
    assert "This is the only admin of the local authority" in text(response)
    admin.refresh_from_db()
    assert admin.roles == [Role.ADMIN]

    # Not even from the page's address (the page offers no such button).
    detail = text(admin_client.get(reverse("users:detail", args=[admin.public_id])))
    assert reverse("users:deactivate", args=[admin.public_id]) not in detail
    response = admin_client.post(reverse("users:deactivate", args=[admin.public_id]))
    assert response.status_code == 200
    assert "You cannot deactivate your own account" in text(response)
    admin.refresh_from_db()
    assert admin.is_active

    # With a second admin, the first may step down.
    make_user(Role.ADMIN)
    response = admin_client.post(
        reverse("users:roles", args=[admin.public_id]), {"roles": ["admin", "caseworker"]}
    )
    assert response.status_code == 302
    response = admin_client.post(
        reverse("users:roles", args=[admin.public_id]), {"roles": ["caseworker"]}
    )
    assert response.status_code == 302


def test_a_superuser_cannot_deactivate_an_authoritys_last_admin(admin: User) -> None:
    root = UserFactory.create(local_authority=None, is_superuser=True, is_staff=True)
    client = force_login_verified(Client(), root)
    response = client.post(reverse("users:deactivate", args=[admin.public_id]))
    assert "This is the only admin of the local authority" in text(response)


def test_a_deactivated_user_is_signed_out_at_once_and_can_be_reactivated(
    admin: User, admin_client: Client, make_user
) -> None:
    user = make_user(Role.CASEWORKER)
    theirs = force_login_verified(Client(), user)
    url = reverse("users:deactivate", args=[user.public_id])
    assert "Deactivate Test" in text(admin_client.get(url))
    assert admin_client.post(url).status_code == 302
    user.refresh_from_db()
    assert not user.is_active
    assert theirs.get("/")["Location"].startswith(reverse("accounts:login"))
    refused = Client().post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD}
    )
    assert "Enter a correct username and password" in text(refused)

    # Deactivating again has nothing to do.
    assert "This account is not active" in text(admin_client.get(url))
    url = reverse("users:reactivate", args=[user.public_id])
    assert admin_client.post(url).status_code == 302
    user.refresh_from_db()
    assert user.is_active
    assert sign_in_with_forms(Client(), user).status_code == 302
    assert [
        (event.action, event.object_id)
        for event in AuditEvent.objects.filter(
            action__in=[AuditAction.USER_DEACTIVATED, AuditAction.USER_REACTIVATED]
        ).order_by("id")
    ] == [
        (AuditAction.USER_DEACTIVATED, str(user.public_id)),
        (AuditAction.USER_REACTIVATED, str(user.public_id)),
    ]
    assert_no_names_in_the_audit_trail(admin, user)


# Unlocking


@override_settings(AXES_FAILURE_LIMIT=3)
def test_an_admin_unlocks_a_user_locked_out_by_wrong_passwords(
    admin: User, admin_client: Client, make_user
) -> None:
    user = make_user(Role.CASEWORKER, first_name="Casey", last_name="Worker")
    theirs = Client()
    for _ in range(3):
        response = theirs.post(
            reverse("accounts:login"), {"username": user.username, "password": "wrong-one-1"}
        )
    assert response.status_code == 429

    assert "Locked out" in text(admin_client.get(reverse("users:list")))
    detail = text(admin_client.get(reverse("users:detail", args=[user.public_id])))
    assert "Locked out after too many wrong passwords" in detail
    url = reverse("users:unlock", args=[user.public_id])
    assert "Unlock Casey Worker's account" in text(admin_client.get(url))
    assert admin_client.post(url).status_code == 302
    assert not AccessAttempt.objects.filter(username=user.username).exists()
    assert sign_in_with_forms(theirs, user).status_code == 302

    event = AuditEvent.objects.get(action=AuditAction.LOCKOUT_CLEARED)
    assert (event.actor, event.object_id) == (admin, str(user.public_id))
    # Nothing to unlock now.
    assert "This account is not locked out" in text(admin_client.get(url))


# Who may


@pytest.mark.parametrize("name", ["users:list", "users:invite", *USER_URLS])
@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.TEAM_MANAGER, Role.DATA_OFFICER])
def test_only_admins_manage_users(name: str, role: Role, client_as, make_user) -> None:
    target = make_user(Role.CASEWORKER)
    path = reverse(name, args=[target.public_id] if name in USER_URLS else [])
    client = client_as(role)
    assert client.get(path).status_code == 403
    assert client.post(path).status_code == 403


@pytest.mark.parametrize("name", USER_URLS)
def test_another_authoritys_user_answers_404(
    name: str, admin_client: Client, make_user, other_authority
) -> None:
    outsider = make_user(Role.ADMIN, local_authority=other_authority)
    path = reverse(name, args=[outsider.public_id])
    assert admin_client.get(path).status_code == 404
    assert admin_client.post(path).status_code == 404
    outsider.refresh_from_db()
    assert outsider.is_active
    assert outsider.has_usable_password()


def test_another_authoritys_user_cannot_be_managed_through_the_services_either(
    admin: User, make_user, other_authority
) -> None:
    from django.core.exceptions import PermissionDenied

    from changing_lives.accounts.services import user_deactivate

    outsider = make_user(Role.CASEWORKER, local_authority=other_authority)
    with pytest.raises(PermissionDenied):
        user_deactivate(actor=admin, user=outsider)


def test_a_platform_superuser_picks_the_authority_and_manages_its_users(
    authority, other_authority, make_user
) -> None:
    root = UserFactory.create(local_authority=None, is_superuser=True, is_staff=True)
    client = force_login_verified(Client(), root)
    make_user(
        Role.CASEWORKER, first_name="Otto", last_name="Outsider", local_authority=other_authority
    )
    page = client.get(reverse("users:list"))
    assert page.status_code == 200
    assert "Otto Outsider" not in text(page)
    assert page.context["chooser"] is not None
    page = client.get(reverse("users:list"), {"authority": other_authority.gss_code})
    assert "Otto Outsider" in text(page)

    response = client.post(INVITE, invitation(local_authority=other_authority.pk, roles=["admin"]))
    assert response.status_code == 302
    invited = User.objects.get(username="pshah")
    assert invited.local_authority == other_authority
    event = AuditEvent.objects.get(action=AuditAction.USER_INVITED)
    assert (event.actor, event.local_authority) == (root, other_authority)
