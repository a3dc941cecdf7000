from django.urls import path

from progress.views import completeness, reference, returns

app_name = "progress"

urlpatterns = [
    path("", returns.returns_due, name="due"),
    path("<str:period_start>/families/<uuid:public_id>/", returns.family_return, name="return"),
    path("periods/", completeness.periods, name="periods"),
    path("periods/<str:period_start>/", completeness.period_detail, name="period_detail"),
    path("periods/<str:period_start>/gaps.csv", completeness.period_gaps_csv, name="period_gaps"),
    # Reference data, shared by every authority (admins): periods by start date, measures
    # by code.
    path("reference/", reference.reference_list, name="reference"),
    path("reference/periods/add/", reference.period_add, name="period_add"),
    path("reference/periods/<str:period_start>/due/", reference.period_due, name="period_due"),
    path("reference/measures/add/", reference.measure_add, name="measure_add"),
    path(
        "reference/measures/<str:measure_code>/retire/",
        reference.measure_retire,
        name="measure_retire",
    ),
    path(
        "reference/measures/<str:measure_code>/restore/",
        reference.measure_restore,
        name="measure_restore",
    ),
]
