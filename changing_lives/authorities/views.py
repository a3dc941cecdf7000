from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from changing_lives.accounts.access import authority_of
from changing_lives.authorities.forms import AuthoritySettingsForm
from changing_lives.authorities.services import authority_settings_update


@permission_required("authorities.change_own_authority", raise_exception=True)
def settings_edit(request: HttpRequest) -> HttpResponse:
    authority = authority_of(request)
    form = AuthoritySettingsForm(
        request.POST or None,
        initial={
            "privacy_notice": authority.privacy_notice,
            "allow_nino_without_suffix": authority.allow_nino_without_suffix,
        },
    )
    if request.method == "POST" and form.is_valid():
        authority_settings_update(
            authority=authority,
            privacy_notice=form.cleaned_data["privacy_notice"],
            allow_nino_without_suffix=form.cleaned_data["allow_nino_without_suffix"],
            actor=request.user,  # type: ignore[arg-type]
        )
        messages.success(request, "Settings saved")
        return redirect("authorities:settings")
    return render(
        request, "authorities/settings.html", {"form": form, "local_authority": authority}
    )
