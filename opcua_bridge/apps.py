from django.apps import AppConfig


class OpcuaBridgeConfig(AppConfig):
    name = "opcua_bridge"
    verbose_name = "OPC UA bridge"

    def ready(self) -> None:
        """Give lines its way to write set-points to a PLC and to read the bridges' per-tag
        health (lines knows no OPC UA)."""
        from lines import hooks
        from opcua_bridge.bridge.recipe_writes import setpoints_write
        from opcua_bridge.bridge.status import running_tags_health

        hooks.register(hooks.SETPOINT_WRITERS, setpoints_write)
        hooks.provide(hooks.TAG_HEALTH, running_tags_health)
