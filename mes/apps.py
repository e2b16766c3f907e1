from django.apps import AppConfig


class MesConfig(AppConfig):
    """The project package as an app: the screens' shell (mes/web) and its records (badge
    sign-in, form receipts; mes/models.py), operations (mes/ops), commands (run_demo, health)."""

    name = "mes"
    verbose_name = "MES"

    def ready(self) -> None:
        from mes import checks  # noqa: F401  (registers the deploy checks)
        from mes.ops import counters  # noqa: F401  (connects the Celery task signals)
