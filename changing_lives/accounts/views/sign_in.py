"""Sign-in, sign-out and passwords: Django's auth views, GOV.UK-styled and audited."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator

from changing_lives.accounts import forms
from changing_lives.accounts.mfa import mfa_not_required
from changing_lives.audit.actions import AuditAction
from changing_lives.audit.services import audit_record

PASSWORD_CHANGED_MESSAGE = "Your password has been changed. Sign in with your new password."  # noqa: S105


class SignInView(auth_views.LoginView):
    form_class = forms.SignInForm
    template_name = "accounts/sign_in.html"
    redirect_authenticated_user = True


@method_decorator(mfa_not_required, name="dispatch")
class SignOutView(auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    """A changed password ends every session of the user, this one included.

    The others end by themselves: each session holds a hash of the password it was signed
    in with, and no longer matches. This one is signed out here (audited as a sign-out), and
    the user signs in again with the new password.
    """

    form_class = forms.PasswordChangeForm
    template_name = "accounts/password_change.html"

    @transaction.atomic
    def form_valid(self, form: Any) -> HttpResponse:
        form.save()
        audit_record(
            action=AuditAction.PASSWORD_CHANGED, actor=self.request.user, request=self.request
        )
        logout(self.request)
        messages.info(self.request, PASSWORD_CHANGED_MESSAGE)
        return redirect(settings.LOGIN_URL)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = forms.PasswordResetForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    @transaction.atomic
    def form_valid(self, form: Any) -> HttpResponse:
        # Recorded without the address typed: it may belong to no one, or to anyone.
        audit_record(action=AuditAction.PASSWORD_RESET_REQUESTED, request=self.request)
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "message_page.html"
    extra_context = {
        "message_title": "Check your email",
        "message_body": (
            "If the address you entered belongs to an account, we have sent it a link to set "
            "a new password. The link works once, for an hour."
        ),
        "message_link_url": reverse_lazy("accounts:login"),
        "message_link_text": "Back to sign in",
    }


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = forms.SetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    @transaction.atomic
    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        audit_record(
            action=AuditAction.PASSWORD_RESET_COMPLETED,
            obj=form.user,
            local_authority=form.user.local_authority,
            request=self.request,
        )
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "message_page.html"
    extra_context = {
        "message_title": "Password set",
        "message_body": "Your new password is set. You can now sign in with it.",
        "message_link_url": reverse_lazy("accounts:login"),
        "message_link_text": "Sign in",
    }
