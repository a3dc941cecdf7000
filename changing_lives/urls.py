from django.urls import include, path

from changing_lives.health import healthz

urlpatterns = [
    path("", include("changing_lives.pages.urls")),
    path("account/", include("changing_lives.accounts.urls")),
    path("audit/", include("changing_lives.audit.urls")),
    path("users/", include("changing_lives.accounts.users_urls")),
    path("authority/", include("changing_lives.authorities.urls")),
    path("families/", include("families.urls")),
    path("", include("eligibility.urls")),
    path("progress/", include("progress.urls")),
    path("nis/", include("nis_export.urls")),
    path("retention/", include("changing_lives.retention.urls")),
    path("healthz", healthz, name="healthz"),
]
