from django.urls import path

from progress.views import returns

app_name = "progress"

urlpatterns = [
    path("", returns.returns_due, name="due"),
    path("<str:period_start>/families/<uuid:public_id>/", returns.family_return, name="return"),
    # completeness routes
    # reference data routes
]
