from django.apps import AppConfig


class MesConfig(AppConfig):
    """The project package as an app: its commands (run_demo) and the shell's records (badge
    sign-in, form receipts; mes/models.py)."""

    name = "mes"
    verbose_name = "MES"
