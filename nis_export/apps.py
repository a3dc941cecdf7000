from django.apps import AppConfig


class NisExportConfig(AppConfig):
    name = "nis_export"
