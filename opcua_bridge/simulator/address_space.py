"""Builds the simulated line's address space on an asyncua Server.

Per machine, under Objects, in the style of OPC 40001-1 (Machinery) and 40001-2 (analog items):
`<STATION>` object (EventNotifier set where it emits ResultReady events) with an `Identification`
folder, `MachineryItemState`, `OperationMode`, its process values as AnalogItemType Double
variables with `EngineeringUnits` and `EURange` properties, and its role variables (unit id, web
position). Plus a `Simulator` object whose methods inject faults. Node ids come from the tag map.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass, field

from asyncua import Server, ua
from asyncua.common.node import Node
from asyncua.server.event_generator import EventGenerator
from django.utils.translation import gettext as _

from .catalog import (
    HANDSHAKE_ROLES,
    HEARTBEAT_ROLES,
    INTERLOCKED,
    MACHINES,
    ROLE_RESULT_EVENT,
    ROLE_SETPOINT,
    ROLE_UNIT_ID,
    ROLE_WEB_POSITION,
    STATE_ROLES,
    UNITS,
    WEB_POSITION_MODEL,
    ChannelModel,
    LinePlan,
    Unit,
)
from .typed_nodes import add_typed_variable

UNECE_NAMESPACE = "http://www.opcfoundation.org/UA/units/un/cefact"
MANUFACTURER = "cell-line-mes (simulated)"
EVENT_TYPE_NAME = "ResultReadyEventType"
# Fields of ResultReadyEventType; a machine fills its own and leaves the others null.
EVENT_FIELDS: tuple[tuple[str, ua.VariantType], ...] = (
    ("serial", ua.VariantType.String),
    ("result", ua.VariantType.String),
    ("sequence", ua.VariantType.Int32),
    ("feed_roll", ua.VariantType.String),
    ("feed_from_m", ua.VariantType.Double),
    ("feed_to_m", ua.VariantType.Double),
    ("alignment_mm", ua.VariantType.Double),
    ("overhang_mm", ua.VariantType.Double),
    ("sheet_count", ua.VariantType.Int32),
    ("ocv_v", ua.VariantType.Double),
    ("acir_mohm", ua.VariantType.Double),
    ("capacity_ah", ua.VariantType.Double),
)
MethodCallback = Callable[..., Awaitable[object]]
V = ua.VariantType
# How the PLC declares each closed-loop node (docs/integration-guide.md, section 5), and whether
# the MES may write it (the PLC-written ones are read-only to a client, as on a real PLC).
PLC_TYPES: dict[str, tuple[ua.VariantType, bool]] = {
    "checkin_serial": (V.String, False),
    "checkin_request": (V.Boolean, False),
    "checkin_response": (V.Int16, True),
    "checkin_done": (V.Boolean, True),
    "checkout_serial": (V.String, False),
    "checkout_result": (V.Int16, False),
    "checkout_request": (V.Boolean, False),
    "checkout_response": (V.Int16, True),
    "checkout_done": (V.Boolean, True),
    "mes_heartbeat": (V.Int16, True),
    "plc_heartbeat": (V.Int16, False),
    ROLE_SETPOINT: (V.Float, True),
}
# Machine time: a DINT PackML state number and a DINT stop-reason code, both read-only to a
# client; unlike the nodes above, the line model writes them (on every change).
STATE_TYPES: dict[str, ua.VariantType] = {"machine_state": V.Int32, "stop_reason": V.Int32}
# Nodes of an interlocked station's PLC that are no tag: cells it refused, and its MES link.
REJECT_COUNT = "reject_count"
MES_LINK = "mes_link"


@dataclass(frozen=True)
class MethodSpec:
    """One method of the Simulator object: name, (argument name, type) pairs, callback."""

    name: str
    inputs: tuple[tuple[str, ua.VariantType], ...]
    callback: MethodCallback
    description: str = ""


@dataclass
class AddressSpace:
    """What the server shell needs after the build: where to write and who emits events."""

    namespace_index: int
    nodes: dict[tuple[str, str], ua.NodeId] = field(default_factory=dict)
    variant_types: dict[tuple[str, str], ua.VariantType] = field(default_factory=dict)
    generators: dict[str, EventGenerator] = field(default_factory=dict)
    event_type: ua.NodeId | None = None
    # The PLC's typed nodes (closed loop, set-points, reject counts): (station, channel) -> node.
    plc_nodes: dict[tuple[str, str], ua.NodeId] = field(default_factory=dict)


def unit_information(unit: Unit) -> ua.EUInformation:
    """EUInformation with the UnitId computed from the UNECE common code (OPC 10000-8, 5.6.3)."""
    unit_id = 0
    for char in unit.code.upper():
        unit_id = (unit_id << 8) | ord(char)
    return ua.EUInformation(
        NamespaceUri=UNECE_NAMESPACE,
        UnitId=unit_id,
        DisplayName=ua.LocalizedText(unit.symbol),
        Description=ua.LocalizedText(unit.description),
    )


async def build_address_space(
    server: Server,
    plan: LinePlan,
    methods: tuple[MethodSpec, ...],
    stations: Collection[str] | None = None,
) -> AddressSpace:
    """Register the namespace (first, so it gets index 2) and add every node of the line's
    machines (of `stations` only, when given)."""
    idx = await server.register_namespace(plan.settings.namespace_uri)
    space = AddressSpace(namespace_index=idx)
    space.event_type = await _add_event_type(server, idx)
    for machine in MACHINES:
        if stations is not None and machine.station not in stations:
            continue
        obj = await server.nodes.objects.add_object(
            _node_id(machine.station, idx), ua.QualifiedName(machine.station, idx)
        )
        await _add_machinery(obj, idx, machine.station, machine.description, plan)
        models = {c.parameter: c for c in machine.channels}
        models[ROLE_WEB_POSITION] = WEB_POSITION_MODEL
        for tag in plan.tags:
            if tag.station != machine.station:
                continue
            key = (tag.station, tag.channel)
            if tag.role == ROLE_RESULT_EVENT:
                space.generators[tag.station] = await _event_generator(server, obj, tag, space)
            elif tag.role in (*HANDSHAKE_ROLES, *HEARTBEAT_ROLES, ROLE_SETPOINT):
                kind, writable = PLC_TYPES[tag.role]
                initial = ua.get_default_value(kind)
                if tag.role == ROLE_SETPOINT:
                    initial = plan.targets[(tag.station, tag.parameter)]
                node_id = _node_id(tag.identifier, idx)
                variant = ua.Variant(initial, kind)
                await add_typed_variable(
                    obj, node_id, _qname(node_id).Name, variant, writable=writable
                )
                space.plc_nodes[key] = node_id
            elif tag.role in STATE_ROLES:
                kind = STATE_TYPES[tag.role]
                node_id = _node_id(tag.identifier, idx)
                variant = ua.Variant(0, kind)
                await add_typed_variable(
                    obj, node_id, _qname(node_id).Name, variant, writable=False
                )
                space.nodes[key] = node_id
                space.variant_types[key] = kind
            elif tag.role == ROLE_UNIT_ID:
                space.nodes[key] = await _add_string(obj, _node_id(tag.identifier, idx), "")
                space.variant_types[key] = ua.VariantType.String
            else:
                model = models[tag.channel]
                eu_high = plan.settings.roll_length_m if tag.role else model.eu_high
                node_id = _node_id(tag.identifier, idx)
                await _add_analog_item(obj, node_id, model, eu_high, tag.description)
                space.nodes[key] = node_id
                space.variant_types[key] = ua.VariantType.Double
        if machine.station in INTERLOCKED:
            for channel, variant in (
                (REJECT_COUNT, ua.Variant(0, V.Int32)),
                (MES_LINK, ua.Variant("", V.String)),
            ):
                name = "RejectCount" if channel == REJECT_COUNT else "MesLink"
                node_id = _node_id(f"{machine.station}.{name}", idx)
                await add_typed_variable(obj, node_id, name, variant, writable=False)
                space.plc_nodes[(machine.station, channel)] = node_id
    await _add_simulator_object(server, idx, methods)
    return space


def _node_id(identifier: str, idx: int) -> ua.NodeId:
    """A string node id in namespace `idx` (asyncua annotates NodeId with its own scalar types)."""
    return ua.NodeId(ua.String(identifier), ua.Int16(idx))


def _standard(object_id: int) -> ua.NodeId:
    """A node of the standard namespace 0 (asyncua's ObjectIds are plain ints)."""
    return ua.NodeId(ua.Int32(object_id))


def _qname(node_id: ua.NodeId) -> ua.QualifiedName:
    """Browse name = the last dotted part of the string node id (`COAT-01.WebSpeed` -> WebSpeed)."""
    return ua.QualifiedName(str(node_id.Identifier).rsplit(".", 1)[-1], node_id.NamespaceIndex)


async def _add_string(parent: Node, node_id: ua.NodeId, value: str) -> ua.NodeId:
    node = await parent.add_variable(node_id, _qname(node_id), value, ua.VariantType.String)
    return node.nodeid


async def _add_machinery(obj: Node, idx: int, station: str, kind: str, plan: LinePlan) -> None:
    folder_id = _node_id(f"{station}.Identification", idx)
    folder = await obj.add_folder(folder_id, _qname(folder_id))
    identification = {
        "Manufacturer": MANUFACTURER,
        "Model": plan.equipment.get(station) or kind,
        "SerialNumber": f"SIM-{station}-0001",
        "ProductInstanceUri": f"{plan.settings.namespace_uri}:{station}",
    }
    for name, value in identification.items():
        await _add_string(folder, _node_id(f"{station}.Identification.{name}", idx), value)
    await _add_string(obj, _node_id(f"{station}.MachineryItemState", idx), "Executing")
    await _add_string(obj, _node_id(f"{station}.OperationMode", idx), "Processing")


async def _add_analog_item(
    parent: Node, node_id: ua.NodeId, model: ChannelModel, eu_high: float, description: str
) -> None:
    """An AnalogItemType Double variable with its EURange and EngineeringUnits properties."""
    identifier = str(node_id.Identifier)
    attrs = ua.VariableAttributes()
    attrs.DisplayName = ua.LocalizedText(_qname(node_id).Name)
    attrs.Description = ua.LocalizedText(description or _qname(node_id).Name)
    attrs.DataType = _standard(ua.ObjectIds.Double)
    attrs.Value = ua.Variant(0.0, ua.VariantType.Double)
    attrs.ValueRank = ua.ValueRank.Scalar
    attrs.AccessLevel = ua.AccessLevel.CurrentRead.mask
    attrs.UserAccessLevel = ua.AccessLevel.CurrentRead.mask
    item = ua.AddNodesItem(
        ParentNodeId=parent.nodeid,
        ReferenceTypeId=_standard(ua.ObjectIds.HasComponent),
        RequestedNewNodeId=node_id,
        BrowseName=_qname(node_id),
        NodeClass=ua.NodeClass.Variable,
        NodeAttributes=attrs,
        TypeDefinition=_standard(ua.ObjectIds.AnalogItemType),
    )
    (result,) = await parent.session.add_nodes([item])
    result.StatusCode.check()
    node = parent.__class__(parent.session, result.AddedNodeId)
    eu_range = ua.Range(Low=model.eu_low, High=eu_high)
    await node.add_property(
        _node_id(f"{identifier}.EURange", node_id.NamespaceIndex),
        ua.QualifiedName("EURange", 0),
        eu_range,
        datatype=_standard(ua.ObjectIds.Range),
    )
    await node.add_property(
        _node_id(f"{identifier}.EngineeringUnits", node_id.NamespaceIndex),
        ua.QualifiedName("EngineeringUnits", 0),
        unit_information(UNITS[model.unit]),
        datatype=_standard(ua.ObjectIds.EUInformation),
    )


async def _add_event_type(server: Server, idx: int) -> ua.NodeId:
    base = server.get_node(ua.ObjectIds.BaseEventType)
    event_type = await base.add_object_type(
        _node_id(EVENT_TYPE_NAME, idx), ua.QualifiedName(EVENT_TYPE_NAME, idx)
    )
    for name, variant_type in EVENT_FIELDS:
        await event_type.add_property(
            _node_id(f"{EVENT_TYPE_NAME}.{name}", idx),
            ua.QualifiedName(name, idx),
            ua.get_default_value(variant_type),
            varianttype=variant_type,
        )
    return event_type.nodeid


async def _event_generator(server: Server, obj: Node, tag, space: AddressSpace) -> EventGenerator:
    if tag.identifier != tag.station:
        raise ValueError(
            _("%(node)s: a result_event tag must be the machine object itself")
            % {"node": tag.node_id}
        )
    return await server.get_event_generator(space.event_type, obj.nodeid)


async def _add_simulator_object(server: Server, idx: int, methods: tuple[MethodSpec, ...]) -> None:
    simulator = await server.nodes.objects.add_object(
        _node_id("Simulator", idx), ua.QualifiedName("Simulator", idx)
    )
    for spec in methods:
        arguments = [
            ua.Argument(
                Name=name,
                DataType=_standard(variant_type.value),
                ValueRank=ua.ValueRank.Scalar,
                Description=ua.LocalizedText(name),
            )
            for name, variant_type in spec.inputs
        ]
        output = ua.Argument(Name="Message", DataType=_standard(ua.ObjectIds.String), ValueRank=-1)
        await simulator.add_method(
            _node_id(f"Simulator.{spec.name}", idx),
            ua.QualifiedName(spec.name, idx),
            spec.callback,
            arguments,
            [output],
        )
