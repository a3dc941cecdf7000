from django.urls import path

app_name = "nis_export"

urlpatterns: list = []
