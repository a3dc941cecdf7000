from django.urls import path

from changing_lives.retention.views import holds, policy, purge

app_name = "retention"

urlpatterns = [
    path("", policy.home, name="home"),
    path("settings/", policy.settings_edit, name="settings"),
    path("holds/", holds.hold_list, name="holds"),
    path("families/<uuid:public_id>/holds/new/", holds.hold_place_page, name="hold_place"),
    path(
        "families/<uuid:public_id>/holds/<uuid:hold_id>/lift/",
        holds.hold_lift_page,
        name="hold_lift",
    ),
    path("preview/", purge.preview, name="preview"),
    path("preview.csv", purge.preview_csv, name="preview_csv"),
    path("purge/", purge.purge_confirm, name="purge_confirm"),
    path("runs/", purge.run_list, name="runs"),
    path("runs/<uuid:run_id>/", purge.run_detail, name="run"),
    path("runs/<uuid:run_id>/certificate.csv", purge.certificate_csv, name="certificate"),
    path("lookup/", purge.lookup, name="lookup"),
]
