from django.apps import AppConfig


class MesConfig(AppConfig):
    """The project package as an app only for its commands (run_demo); it has no models."""

    name = "mes"
    verbose_name = "MES"
