from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "changing_lives.retention"
    label = "retention"
    verbose_name = "Retention and the purge"
