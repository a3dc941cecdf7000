from django.urls import path

from changing_lives.accounts.views import invitations, mfa, sign_in

app_name = "accounts"

urlpatterns = [
    path("sign-in/", sign_in.SignInView.as_view(), name="login"),
    path("sign-out/", sign_in.SignOutView.as_view(), name="logout"),
    path("password/change/", sign_in.PasswordChangeView.as_view(), name="password_change"),
    path("password/reset/", sign_in.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/sent/",
        sign_in.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        sign_in.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        sign_in.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    # The second factor.
    path("verify/", mfa.verify, name="mfa_verify"),
    path("authenticator/set-up/", mfa.enrol, name="mfa_enrol"),
    path("backup-codes/", mfa.backup_codes, name="mfa_backup_codes"),
    # The link in an invitation e-mail.
    path(
        "invitation/<uuid:user_id>/<str:token>/",
        invitations.invite_accept_page,
        name="invite_accept",
    ),
]
