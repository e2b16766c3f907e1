from django.apps import AppConfig


class OpcuaBridgeConfig(AppConfig):
    name = "opcua_bridge"
    verbose_name = "OPC UA bridge"
