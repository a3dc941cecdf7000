from django.urls import path

from changing_lives.pages import views

app_name = "pages"

urlpatterns = [
    path("", views.home, name="home"),
    path("privacy/", views.privacy_notices, name="privacy_notices"),
    path("privacy/<str:gss_code>/", views.privacy_notice, name="privacy_notice"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("cookies/", views.cookies, name="cookies"),
]
