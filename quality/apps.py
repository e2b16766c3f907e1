from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "quality"
    verbose_name = "Quality"

    def ready(self) -> None:
        # Quality gates and hold propagation plug into the lines transitions (see lines/hooks.py).
        from lines import hooks
        from quality import demo, demo_grading, demo_solid_state
        from quality.services import (
            evaluate,
            exposure,
            exposure_accrual,
            gates,
            grading,
            pressure,
            propagation,
        )

        hooks.register(hooks.START_CHECKS, gates.check_start)
        hooks.register(hooks.COMPLETE_CHECKS, gates.check_complete)
        hooks.register(hooks.COMPLETE_CHECKS, grading.check_grade_at_eol)
        hooks.register(hooks.AFTER_CONSUME, propagation.on_consumed)
        hooks.register(hooks.AFTER_CONSUME, exposure.on_consumed)
        hooks.register(hooks.AFTER_INGEST, evaluate.after_ingest)
        # After the evaluation: derived pressure figures and exposure flags join the batch's flags.
        hooks.register(hooks.AFTER_INGEST, pressure.after_ingest)
        hooks.register(hooks.AFTER_INGEST, exposure_accrual.after_ingest)
        hooks.register(hooks.AFTER_DEMO_SEED, demo.load_demo_specs)
        hooks.register(hooks.AFTER_DEMO_SEED, demo_grading.load_demo_grading)
        hooks.register(hooks.AFTER_DEMO_SEED, demo_solid_state.load_demo_solid_state)
