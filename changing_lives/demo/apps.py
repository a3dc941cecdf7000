from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "changing_lives.demo"
    label = "demo"
    verbose_name = "Demo data"
