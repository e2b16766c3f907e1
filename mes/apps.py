from django.apps import AppConfig


class MesConfig(AppConfig):
    """The project package as an app: shared screens (mes/web), operations (mes/ops), commands."""

    name = "mes"
    verbose_name = "MES"

    def ready(self) -> None:
        from mes.ops import counters  # noqa: F401  (connects the Celery task signals)
