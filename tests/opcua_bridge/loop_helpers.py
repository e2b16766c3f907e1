"""A station's PLC for the closed-loop tests: typed nodes, and the PLC's side of the handshake."""

import time

from asyncua import ua

from lines.models import Station, Tag
from tests.opcua_bridge.servers import PlcServer, wait_until

V = ua.VariantType
NODES = {
    "ST.InSerial": ("checkin_serial", ua.Variant("", V.String)),
    "ST.InReq": ("checkin_request", ua.Variant(False, V.Boolean)),
    "ST.InResp": ("checkin_response", ua.Variant(0, V.Int16)),
    "ST.InDone": ("checkin_done", ua.Variant(False, V.Boolean)),
    "ST.OutSerial": ("checkout_serial", ua.Variant("", V.String)),
    "ST.OutResult": ("checkout_result", ua.Variant(0, V.Int16)),
    "ST.OutReq": ("checkout_request", ua.Variant(False, V.Boolean)),
    "ST.OutResp": ("checkout_response", ua.Variant(0, V.Int16)),
    "ST.OutDone": ("checkout_done", ua.Variant(False, V.Boolean)),
    "ST.Align": ("", ua.Variant(0.0, V.Float)),  # a process value: alignment_mm
}
PARAMETERS = {"ST.Align": "alignment_mm"}


def station_plc(extra: dict | None = None) -> PlcServer:
    variables = {name: variant for name, (_role, variant) in NODES.items()}
    variables.update(extra or {})
    server = PlcServer(variables)
    server.start()
    return server


def map_station(station: Station, roles: dict[str, tuple[str, ua.Variant]] = NODES) -> None:
    for name, (role, _variant) in roles.items():
        Tag.objects.create(
            node_id=f"ns=2;s={name}",
            station=station,
            role=role,
            parameter=PARAMETERS.get(name, ""),
            sampling_interval_ms=0,
            queue_size=10,
        )


class PlcSide:
    """What the PLC program does: serial (and result), request, wait for done, take, clear."""

    def __init__(self, plc: PlcServer, prefix: str = "In") -> None:
        self.plc = plc
        self.p = prefix

    def ask(self, serial: str, result: int | None = None) -> None:
        self.plc.write(f"ST.{self.p}Serial", serial)
        if result is not None:
            self.plc.write("ST.OutResult", result)
        self.plc.write(f"ST.{self.p}Req", True)

    def wait_done(self, timeout: float = 10) -> int:
        wait_until(lambda: self.plc.read(f"ST.{self.p}Done"), timeout=timeout, what="done=true")
        return self.plc.read(f"ST.{self.p}Resp")

    def release(self, timeout: float = 10) -> None:
        self.plc.write(f"ST.{self.p}Req", False)
        wait_until(
            lambda: self.plc.read(f"ST.{self.p}Done") is False, timeout=timeout, what="done=false"
        )

    def handshake(self, serial: str, result: int | None = None) -> int:
        self.ask(serial, result)
        code = self.wait_done()
        self.release()
        return code

    def timed(self, serial: str) -> tuple[int, float]:
        started = time.monotonic()
        self.ask(serial)
        code = self.wait_done()
        return code, time.monotonic() - started
