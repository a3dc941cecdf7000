"""Sign-in, sign-out and passwords: Django's auth views, GOV.UK-styled and audited."""

from typing import Any

from django.contrib.auth import views as auth_views
from django.db import transaction
from django.http import HttpResponse
from django.urls import reverse_lazy

from changing_lives.accounts import forms
from changing_lives.audit.actions import AuditAction
from changing_lives.audit.services import audit_record


class SignInView(auth_views.LoginView):
    form_class = forms.SignInForm
    template_name = "accounts/sign_in.html"
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = forms.PasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")

    @transaction.atomic
    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        audit_record(
            action=AuditAction.PASSWORD_CHANGED, actor=self.request.user, request=self.request
        )
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "message_page.html"
    extra_context = {
        "message_title": "Password changed",
        "message_body": "Your password has been changed.",
        "message_link_url": reverse_lazy("pages:home"),
        "message_link_text": "Go to your home page",
    }


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
