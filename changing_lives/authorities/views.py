from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from changing_lives.accounts.access import authority_of
from changing_lives.authorities.forms import PrivacyNoticeForm
from changing_lives.authorities.services import authority_privacy_notice_update


@permission_required("authorities.change_own_authority", raise_exception=True)
def settings_edit(request: HttpRequest) -> HttpResponse:
    authority = authority_of(request)
    form = PrivacyNoticeForm(
        request.POST or None, initial={"privacy_notice": authority.privacy_notice}
    )
    if request.method == "POST" and form.is_valid():
        authority_privacy_notice_update(
            authority=authority,
            text=form.cleaned_data["privacy_notice"],
            actor=request.user,  # type: ignore[arg-type]
        )
        messages.success(request, "Privacy notice saved")
        return redirect("authorities:settings")
    return render(
        request, "authorities/settings.html", {"form": form, "local_authority": authority}
    )
