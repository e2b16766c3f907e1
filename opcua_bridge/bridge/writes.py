"""Typed writes to the PLC: in the node's own data type, range-checked, to MES-written roles only.

A PLC declares each variable's type (INT is Int16, DINT Int32, REAL Float, LREAL Double) and
refuses a write of another type with BadTypeMismatch: a Python float sent as it comes is a
Double, which an S7-1500 REAL refuses. So the writer reads the node's DataType once per
connection, builds the Variant in that type, and refuses a value that does not fit it (40000
into an Int16) instead of letting it wrap. It writes only nodes mapped with a role the MES
writes (lines TagRole.mes_writes()), never a process value.
"""

import math
from typing import Any

from asyncua import Client, ua
from django.utils.translation import gettext as _

from lines.models import TagRole
from opcua_bridge.bridge.tagmap import TagSpec

INTEGER_RANGES: dict[ua.VariantType, tuple[int, int]] = {
    ua.VariantType.SByte: (-(2**7), 2**7 - 1),
    ua.VariantType.Byte: (0, 2**8 - 1),
    ua.VariantType.Int16: (-(2**15), 2**15 - 1),
    ua.VariantType.UInt16: (0, 2**16 - 1),
    ua.VariantType.Int32: (-(2**31), 2**31 - 1),
    ua.VariantType.UInt32: (0, 2**32 - 1),
    ua.VariantType.Int64: (-(2**63), 2**63 - 1),
    ua.VariantType.UInt64: (0, 2**64 - 1),
}
FLOAT_MAX = 3.4028234663852886e38  # the largest finite IEEE 754 single (a PLC REAL)
MAX_STRING = 254  # an S7 STRING holds at most 254 characters


class WriteRefused(Exception):
    """A write the bridge will not send, or the PLC refused; the message says which and why."""


def typed_variant(value: Any, variant_type: ua.VariantType) -> ua.Variant:
    """`value` as a Variant of `variant_type`, or WriteRefused when it does not fit that type."""
    if variant_type == ua.VariantType.Boolean:
        if isinstance(value, bool) or value in (0, 1):
            return ua.Variant(bool(value), variant_type)
        raise WriteRefused(_("%(value)s is not a Boolean (true/false)") % {"value": repr(value)})
    if variant_type in INTEGER_RANGES:
        return ua.Variant(_integer(value, variant_type), variant_type)
    if variant_type in (ua.VariantType.Float, ua.VariantType.Double):
        return ua.Variant(_real(value, variant_type), variant_type)
    if variant_type == ua.VariantType.String:
        if not isinstance(value, str) or len(value) > MAX_STRING:
            raise WriteRefused(
                _("%(value)s is not a string of at most %(n)s characters")
                % {"value": repr(value), "n": MAX_STRING}
            )
        return ua.Variant(value, variant_type)
    raise WriteRefused(
        _("the node's type %(type)s is not one the MES writes") % {"type": variant_type.name}
    )


def _integer(value: Any, variant_type: ua.VariantType) -> int:
    low, high = INTEGER_RANGES[variant_type]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise WriteRefused(_not_a_number(value, variant_type))
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        raise WriteRefused(
            _("%(value)s is not a whole number for a %(type)s node")
            % {"value": repr(value), "type": variant_type.name}
        )
    if not low <= int(value) <= high:
        raise WriteRefused(
            _("%(value)s does not fit the node's type %(type)s (%(low)s to %(high)s)")
            % {"value": repr(value), "type": variant_type.name, "low": low, "high": high}
        )
    return int(value)


def _not_a_number(value: Any, variant_type: ua.VariantType) -> str:
    return _("%(value)s is not a number for a %(type)s node") % {
        "value": repr(value),
        "type": variant_type.name,
    }


def _real(value: Any, variant_type: ua.VariantType) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise WriteRefused(_not_a_number(value, variant_type))
    number = float(value)
    if not math.isfinite(number):
        raise WriteRefused(_("%(value)s is not a finite number") % {"value": repr(value)})
    if variant_type == ua.VariantType.Float and abs(number) > FLOAT_MAX:
        raise WriteRefused(
            _("%(value)s does not fit the node's type Float (a PLC REAL)") % {"value": repr(value)}
        )
    return number


def wrap_counter(value: int, variant_type: ua.VariantType) -> int:
    """The next heartbeat after `value`, wrapping to 0 inside the type (never negative)."""
    _low, high = INTEGER_RANGES.get(variant_type, (0, 2**15 - 1))
    return 0 if value >= high else value + 1


class TypedWriter:
    """Writes and reads on one connected client; knows each node's variant type after one read."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self._types: dict[str, ua.VariantType] = {}

    async def variant_type(self, node_id: str) -> ua.VariantType:
        if node_id not in self._types:
            node = self.client.get_node(node_id)
            self._types[node_id] = await node.read_data_type_as_variant_type()
        return self._types[node_id]

    async def write(self, spec: TagSpec, value: Any) -> ua.Variant:
        """Write `value` to the node of `spec` in its own type; WriteRefused if the role is not
        one the MES writes, the value does not fit, or the PLC refuses (its status named)."""
        if spec.role not in TagRole.mes_writes():
            what = spec.role or _("process value %(name)s") % {"name": spec.parameter}
            raise WriteRefused(
                _("%(node)s is a %(what)s tag: the MES never writes it")
                % {"node": spec.node_id, "what": what}
            )
        variant = typed_variant(value, await self.variant_type(spec.node_id))
        await self.write_variant(spec.node_id, variant)
        return variant

    async def write_variant(self, node_id: str, variant: ua.Variant) -> None:
        try:
            await self.client.get_node(node_id).write_value(ua.DataValue(variant))
        except ua.UaStatusCodeError as exc:
            name = ua.StatusCode(exc.code).name
            raise WriteRefused(
                _("the PLC refused the write to %(node)s: %(status)s")
                % {"node": node_id, "status": name}
            ) from exc

    async def read_many(self, node_ids: list[str]) -> list[ua.DataValue]:
        """The nodes' current values in one Read request (one round trip to the PLC)."""
        if not node_ids:
            return []
        nodes = [ua.ReadValueId(NodeId=ua.NodeId.from_string(n)) for n in node_ids]
        for item in nodes:
            item.AttributeId = ua.AttributeIds.Value
        params = ua.ReadParameters()
        params.NodesToRead = nodes
        params.TimestampsToReturn = ua.TimestampsToReturn.Both
        return await self.client.uaclient.read(params)
