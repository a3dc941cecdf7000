from django.apps import AppConfig


class AuthoritiesConfig(AppConfig):
    name = "changing_lives.authorities"
    label = "authorities"
    verbose_name = "Local authorities"
