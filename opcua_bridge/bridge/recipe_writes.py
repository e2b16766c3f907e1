"""Set-point writes from the web process: a short-lived OPC UA client per recipe download.

lines calls this through lines.hooks.SETPOINT_WRITERS (registered in OpcuaBridgeConfig.ready).
It connects with the bridge's own settings (OPCUA_ENDPOINT, security, user), writes each
set-point in its node's type (every value checked against its node's type first: written
whole or not at all), reads them all back in one request, and reports per set-point what the
PLC holds now. The set-points come from tags of role setpoint only (lines.services.recipes).
A download is rare and interactive, so a connection of its own is simpler than a command
queued to the running bridge, and it needs no bridge to be running (docs/architecture.md).
"""

import asyncio
import math
import struct
from typing import Any

from asyncua import Client, ua
from django.utils.translation import gettext as _

from lines.models import Station
from lines.services.recipes import SetpointWrite
from mes.errors import Unavailable
from opcua_bridge.bridge.client import client_identify
from opcua_bridge.bridge.config import BridgeConfig, config_from_options
from opcua_bridge.bridge.writes import TypedWriter, WriteRefused, typed_variant


def setpoints_write(
    *,
    station: Station,
    writes: list[SetpointWrite],
    results: list[dict],
    config: BridgeConfig | None = None,
) -> None:
    """Write and read back; append one result per write tried. Unavailable when the PLC is out
    of reach (what was confirmed before that stays in `results`). `config`: the running
    bridge's (its endpoint and security), else the settings' (the web process)."""
    config = config or config_from_options({})
    try:
        asyncio.run(
            asyncio.wait_for(
                _write_all(config, station.code, writes, results),
                timeout=config.request_timeout_s * (2 + len(writes)),
            )
        )
    except (OSError, TimeoutError, ua.UaError) as exc:
        _unconfirmed(results)
        raise Unavailable(
            _(
                "The PLC of %(station)s at %(endpoint)s did not answer "
                "(%(error_type)s: %(error)s); nothing more was written."
            )
            % {
                "station": station.code,
                "endpoint": config.endpoint,
                "error_type": type(exc).__name__,
                "error": exc,
            }
        ) from exc


async def _write_all(
    config: BridgeConfig, station: str, writes: list[SetpointWrite], results: list[dict]
) -> None:
    client = Client(config.endpoint, timeout=config.request_timeout_s)
    await client_identify(client, config, name=f"cell-line MES recipe download {config.name}")
    async with client:
        writer = TypedWriter(client)
        variants = await _typed(writer, writes, results)
        if variants is None:
            return  # a value does not fit its node: nothing is written
        for item, variant in zip(writes, variants, strict=True):
            entry: dict[str, Any] = {
                "parameter": item.parameter,
                "node_id": item.node_id,
                "value": item.value,
            }
            try:
                await writer.write_variant(item.node_id, variant)
            except WriteRefused as exc:
                results.append({**entry, "read_back": None, "ok": False, "error": str(exc)})
                continue
            results.append({**entry, "written_as": variant.VariantType.name, "ok": None})
        read = await writer.read_many([r["node_id"] for r in results])
        for entry, data in zip(results, read, strict=True):
            if entry["ok"] is False:
                continue
            entry["read_back"] = data.Value.Value if data.Value is not None else None
            entry["ok"] = _same(entry["value"], entry["read_back"], entry["written_as"])
            if not entry["ok"]:
                entry["error"] = _("read back %(value)s") % {"value": repr(entry["read_back"])}


async def _typed(
    writer: TypedWriter, writes: list[SetpointWrite], results: list[dict]
) -> list[ua.Variant] | None:
    """Every value in its node's type, or None (and the refusals in results) if one does not
    fit: a recipe is written whole or not at all when the MES can know beforehand."""
    variants, refused = [], []
    for item in writes:
        try:
            variants.append(typed_variant(item.value, await writer.variant_type(item.node_id)))
        except WriteRefused as exc:
            refused.append(
                {"parameter": item.parameter, "node_id": item.node_id, "value": item.value,
                 "read_back": None, "ok": False, "error": str(exc)}
            )  # fmt: skip
    results.extend(refused)
    return None if refused else variants


def _same(written: float, read_back: object, variant_name: str) -> bool:
    if isinstance(read_back, bool) or not isinstance(read_back, int | float):
        return False
    if variant_name == "Float":  # a REAL holds the nearest single-precision value
        written = struct.unpack("f", struct.pack("f", written))[0]
    return math.isclose(float(read_back), float(written), rel_tol=0, abs_tol=1e-9)


def _unconfirmed(results: list[dict]) -> None:
    """Writes sent but never read back: not confirmed, so not reported written."""
    for entry in results:
        if entry["ok"] is None:
            entry.update(ok=False, read_back=None, error=_("not confirmed: the PLC went away"))
