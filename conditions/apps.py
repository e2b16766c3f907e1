from django.apps import AppConfig


class ConditionsConfig(AppConfig):
    """Process conditions a lot or cell went through: dry-room moisture exposure against its
    budget, and the pressure profile of press and formation operations. Both turn readings into
    accounts and figures over time; quality judges what they raise (flags, holds, gates)."""

    name = "conditions"
    verbose_name = "Process conditions"

    def ready(self) -> None:
        # Registered after quality's (INSTALLED_APPS order): derived pressure figures and exposure
        # flags join a batch's flags after its evaluation.
        from conditions import demo
        from conditions.pressure import FIGURES_AFTER_END
        from conditions.selectors.telemetry_references import telemetry_references
        from conditions.services import exposure, exposure_accrual, pressure
        from lines import hooks
        from quality.services.gates import figures_after_end_register

        figures_after_end_register(FIGURES_AFTER_END)
        hooks.register(hooks.AFTER_CONSUME, exposure.on_consumed)
        hooks.register(hooks.AFTER_INGEST, pressure.after_ingest)
        hooks.register(hooks.AFTER_INGEST, exposure_accrual.after_ingest)
        hooks.register(hooks.AFTER_DEMO_SEED, demo.load_demo_solid_state)
        hooks.provide(hooks.RETENTION_REFERENCES, telemetry_references)
