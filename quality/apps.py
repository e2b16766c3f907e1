from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "quality"
    verbose_name = "Quality"

    def ready(self) -> None:
        # Gates, evaluation and hold propagation plug into the lines transitions (lines/hooks.py).
        from lines import hooks
        from mes.ops.metrics import metric_part_register
        from quality import demo, ops_metrics, station_reads
        from quality.selectors.specified import specified_parameters
        from quality.selectors.telemetry_references import telemetry_references
        from quality.services import evaluate, gates, propagation

        hooks.register(hooks.START_CHECKS, gates.check_start)
        hooks.register(hooks.COMPLETE_CHECKS, gates.check_complete)
        hooks.register(hooks.AFTER_CONSUME, propagation.on_consumed)
        hooks.register(hooks.AFTER_INGEST, evaluate.after_ingest)
        hooks.register(hooks.AFTER_DEMO_SEED, demo.load_demo_specs)
        hooks.provide(hooks.STATION_QUALITY, station_reads)
        hooks.provide(hooks.SPECIFIED_PARAMETERS, specified_parameters)
        hooks.provide(hooks.RETENTION_REFERENCES, telemetry_references)
        metric_part_register(ops_metrics.quality_metrics)
