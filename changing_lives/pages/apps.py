from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "changing_lives.pages"
    label = "pages"
    verbose_name = "Pages and layout"
