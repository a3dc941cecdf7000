from django.urls import path

from nis_export import views

app_name = "nis_export"

urlpatterns = [
    path("submissions/", views.submission_list, name="submissions"),
    path("submissions/<uuid:submission_id>/", views.submission_detail, name="submission"),
    path(
        "submissions/<uuid:submission_id>/package/",
        views.submission_download,
        name="download",
    ),
    path(
        "submissions/<uuid:submission_id>/validation_report.csv",
        views.validation_report,
        name="report",
    ),
    # Recipient keys are platform-wide: named by fingerprint, not scoped to an authority.
    path("keys/", views.key_list, name="keys"),
    path("keys/new/", views.key_add, name="key_add"),
    path("keys/<str:fingerprint>/retire/", views.key_retire, name="key_retire"),
]
