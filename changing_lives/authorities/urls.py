from django.urls import path

from changing_lives.authorities import views

app_name = "authorities"

urlpatterns = [
    path("settings/", views.settings_edit, name="settings"),
]
