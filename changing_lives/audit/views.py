from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from changing_lives.accounts.access import authority_of
from changing_lives.audit.models import AuditEvent

PAGE_SIZE = 50


@permission_required("audit.view_audit_trail", raise_exception=True)
def event_list(request: HttpRequest) -> HttpResponse:
    events = AuditEvent.objects.for_authority(authority_of(request)).select_related("actor")
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "audit/event_list.html", {"page": page})
