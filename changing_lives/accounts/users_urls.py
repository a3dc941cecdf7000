"""An admin's pages for their authority's users (changing_lives/accounts/views/users.py)."""

from django.urls import path

from changing_lives.accounts.views import users

app_name = "users"

urlpatterns = [
    path("", users.user_list, name="list"),
    path("invite/", users.user_invite_page, name="invite"),
    path("<uuid:user_id>/", users.user_detail, name="detail"),
    path("<uuid:user_id>/roles/", users.user_roles_page, name="roles"),
    path("<uuid:user_id>/deactivate/", users.user_deactivate_page, name="deactivate"),
    path("<uuid:user_id>/reactivate/", users.user_reactivate_page, name="reactivate"),
    path("<uuid:user_id>/reset-mfa/", users.user_mfa_reset_page, name="mfa_reset"),
    path("<uuid:user_id>/unlock/", users.user_unlock_page, name="unlock"),
    path("<uuid:user_id>/invite-again/", users.invite_resend_page, name="invite_resend"),
]
