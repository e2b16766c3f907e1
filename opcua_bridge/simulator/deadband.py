"""The simulated PLC's deadband, as OPC UA Part 4 (7.22.2, DataChangeFilter) defines it.

asyncua 2.1's server (asyncua/server/monitored_item_service.py) accepts every DataChangeFilter
but does not honour it as the standard says, and a real PLC does:

- an absolute deadband is measured against the previous *sample*, not against the last value
  *reported*: a value drifting by less than the deadband per sample is never reported at all;
- a percent deadband is not implemented: every change passes, with a warning logged per change;
- a status change is held back by the deadband like a value change;
- nothing is refused: a percent deadband on a node without EURange, or any deadband on a text
  node, is accepted.

`honour_deadbands(server)` replaces the monitored-item service of each new subscription of that
server with one that compares against the last reported value, computes a percent deadband from
the node's EURange, always reports a status change, and refuses what the standard refuses
(BadDeadbandFilterInvalid for percent without a usable EURange or a value out of range,
BadFilterNotAllowed for a deadband on a non-numeric node). Items without a deadband behave
exactly as asyncua's own. The demo simulator runs with it, so a deadband set in the tag map acts
on the demo line as it would on a PLC.
"""

from __future__ import annotations

import math
from typing import Any

from asyncua import Server, ua
from asyncua.server.monitored_item_service import MonitoredItemService, MonitoredItemValues
from asyncua.ua.uaprotocol_auto import (
    DataChangeFilter,  # what the server decodes; ua's subclasses it
)

# DataTypes a deadband applies to (Part 4 7.22.2: numeric scalars): the numbers of namespace 0
NUMERIC = {
    ua.ObjectIds.Number,
    ua.ObjectIds.Integer,
    ua.ObjectIds.UInteger,
    ua.ObjectIds.SByte,
    ua.ObjectIds.Byte,
    ua.ObjectIds.Int16,
    ua.ObjectIds.UInt16,
    ua.ObjectIds.Int32,
    ua.ObjectIds.UInt32,
    ua.ObjectIds.Int64,
    ua.ObjectIds.UInt64,
    ua.ObjectIds.Float,
    ua.ObjectIds.Double,
}
_HAS_PROPERTY = ua.NodeId(ua.Int32(ua.ObjectIds.HasProperty))


class _Values(MonitoredItemValues):
    """A monitored item's values, plus what the deadband compares against."""

    def __init__(self, limit: float) -> None:
        super().__init__()
        self.limit = limit  # the deadband in the value's unit
        self.reported: ua.DataValue | None = None


class StandardDeadbandService(MonitoredItemService):
    """asyncua's monitored-item service with the deadband of Part 4 (see the module docstring)."""

    def __init__(self, isub: Any, aspace: Any) -> None:
        super().__init__(isub, aspace)
        self._pending: _Values | None = None  # for the item being created

    async def _create_data_change_monitored_item(
        self, params: ua.MonitoredItemCreateRequest
    ) -> ua.MonitoredItemCreateResult:
        flt = params.RequestedParameters.Filter
        if (
            not isinstance(flt, DataChangeFilter)
            or flt.DeadbandType == ua.DeadbandType.None_
            or self.aspace.get(params.ItemToMonitor.NodeId) is None  # the base refuses it
        ):
            return await super()._create_data_change_monitored_item(params)
        limit, refusal = self._deadband_limit(params.ItemToMonitor.NodeId, flt)
        if refusal is not None:
            result = ua.MonitoredItemCreateResult()
            result.StatusCode = ua.StatusCode(ua.UInt32(refusal))
            return result
        self._pending = _Values(limit)
        return await super()._create_data_change_monitored_item(params)

    def _make_monitored_item_common(
        self, params: ua.MonitoredItemCreateRequest
    ) -> tuple[ua.MonitoredItemCreateResult, Any]:
        # The base class makes the item's values object, then sends the current value at once:
        # ours goes in before that first value is judged.
        result, mdata = super()._make_monitored_item_common(params)
        pending, self._pending = self._pending, None
        if pending is not None:
            mdata.mvalue = pending
        return result, mdata

    def _deadband_limit(
        self, node_id: ua.NodeId, flt: DataChangeFilter
    ) -> tuple[float, int | None]:
        """(deadband in the value's unit, None) or (0, the status code refusing the filter)."""
        value = flt.DeadbandValue
        if not math.isfinite(value) or value < 0:
            return 0.0, ua.StatusCodes.BadDeadbandFilterInvalid
        found = self.aspace.read_attribute_value(node_id, ua.AttributeIds.DataType)
        data_type = found.Value.Value if found.Value is not None else None
        if not (
            isinstance(data_type, ua.NodeId)
            and data_type.NamespaceIndex == 0
            and data_type.Identifier in NUMERIC
        ):
            return 0.0, ua.StatusCodes.BadFilterNotAllowed
        if flt.DeadbandType == ua.DeadbandType.Absolute:
            return value, None
        if flt.DeadbandType != ua.DeadbandType.Percent or value > 100:
            return 0.0, ua.StatusCodes.BadDeadbandFilterInvalid
        span = self._eu_span(node_id)
        if span is None:
            return 0.0, ua.StatusCodes.BadDeadbandFilterInvalid
        return value / 100 * span, None

    def _eu_span(self, node_id: ua.NodeId) -> float | None:
        """High - Low of the node's EURange property, None without a usable one."""
        node = self.aspace.get(node_id)
        if node is None:
            return None
        for ref in node.references:
            if ref.ReferenceTypeId != _HAS_PROPERTY or ref.BrowseName.Name != "EURange":
                continue
            found = self.aspace.read_attribute_value(ref.NodeId, ua.AttributeIds.Value)
            bounds = found.Value.Value if found.Value is not None else None
            if isinstance(bounds, ua.Range) and bounds.High > bounds.Low:
                return bounds.High - bounds.Low
        return None

    def _is_deadband_exceeded(self, values: MonitoredItemValues, flt: DataChangeFilter) -> bool:
        if not isinstance(values, _Values):
            return super()._is_deadband_exceeded(values, flt)
        current, last = values.get_current_datavalue(), values.reported
        report = (
            last is None
            or current is None
            or current.StatusCode != last.StatusCode
            or not _numbers(current, last)
            or abs(current.Value.Value - last.Value.Value) > values.limit  # type: ignore[union-attr]
        )
        if report:
            values.reported = current
        return report


def _numbers(*values: ua.DataValue) -> bool:
    return all(
        value.Value is not None and isinstance(value.Value.Value, int | float) for value in values
    )


def honour_deadbands(server: Server) -> None:
    """Give every subscription created on `server` from now on the deadband of Part 4."""
    service = server.iserver.subscription_service
    create = service.create_subscription

    async def create_subscription(*args: Any, **kwargs: Any) -> ua.CreateSubscriptionResult:
        result = await create(*args, **kwargs)
        subscription = service.subscriptions[result.SubscriptionId]
        subscription.monitored_item_srv = StandardDeadbandService(subscription, service.aspace)
        return result

    service.create_subscription = create_subscription  # type: ignore[method-assign]
