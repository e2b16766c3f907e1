from django.apps import AppConfig


class OeeConfig(AppConfig):
    """Machine time: state intervals per station from the PLC's machine state, downtime and its
    reasons, the shift calendar, and OEE (availability x performance x quality) from them and
    from the units lines records. The figures' definitions: docs/oee.md."""

    name = "oee"
    verbose_name = "OEE and downtime"

    def ready(self) -> None:
        from lines import hooks
        from mes.ops.metrics import metric_part_register
        from oee import demo, history, ops_metrics, signals
        from oee.services import state_ingest
        from oee.web.station_panel import panel_url

        hooks.register(hooks.AFTER_INGEST, state_ingest.after_ingest)
        hooks.provide(hooks.STATION_PANELS, panel_url)
        hooks.register(hooks.AFTER_DEMO_SEED, demo.load_demo_machine_time)
        hooks.register(hooks.AFTER_HISTORY, history.after_history)
        metric_part_register(ops_metrics.oee_metrics)
        signals.connect()
