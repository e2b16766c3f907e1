"""The simulator's address space, as a real asyncua Client browses it."""

import asyncio

from asyncua import Client, ua

from opcua_bridge.simulator import NAMESPACE_URI, load_plan
from opcua_bridge.simulator.address_space import PLC_TYPES

H63_UNIT_ID = (ord("H") << 16) | (ord("6") << 8) | ord("3")  # UNECE mg/cm2


async def browse_names(node) -> list[str]:
    return [(await child.read_browse_name()).Name for child in await node.get_children()]


def test_each_machine_has_identification_state_and_operation_mode(shared_simulator):
    async def check():
        async with Client(shared_simulator.endpoint) as client:
            assert await client.get_namespace_index(NAMESPACE_URI) == 2
            objects = await browse_names(client.nodes.objects)
            machines = ["COAT-01", "STACK-01", "WIP-01", "SEAL-01", "FORM-01", "EOL-01", "DRY-01"]
            assert set(machines) <= set(objects)
            for station in machines:
                names = await browse_names(client.get_node(f"ns=2;s={station}"))
                assert {"Identification", "MachineryItemState", "OperationMode"} <= set(names)

            identification = client.get_node("ns=2;s=COAT-01.Identification")
            type_definition = await identification.read_type_definition()
            assert type_definition == ua.NodeId(ua.ObjectIds.FolderType)
            assert sorted(await browse_names(identification)) == [
                "Manufacturer",
                "Model",
                "ProductInstanceUri",
                "SerialNumber",
            ]
            model = await client.get_node("ns=2;s=COAT-01.Identification.Model").read_value()
            assert (
                model == "Slot-die coater with 4-zone dryer; Beta-ray areal-weight gauge (mg/cm2)"
            )
            uri = client.get_node("ns=2;s=COAT-01.Identification.ProductInstanceUri")
            assert await uri.read_value() == "urn:cell-line-mes:simulator:COAT-01"
            state = client.get_node("ns=2;s=COAT-01.MachineryItemState")
            assert await state.read_value() == "Executing"
            mode = client.get_node("ns=2;s=COAT-01.OperationMode")
            assert await mode.read_value() == "Processing"

    asyncio.run(check())


def test_a_process_value_is_an_analog_item_with_units_and_range(shared_simulator):
    async def check():
        async with Client(shared_simulator.endpoint) as client:
            loading = client.get_node("ns=2;s=COAT-01.ArealLoading")
            assert await loading.read_type_definition() == ua.NodeId(ua.ObjectIds.AnalogItemType)
            assert await loading.read_data_type() == ua.NodeId(ua.ObjectIds.Double)
            properties = {
                (await prop.read_browse_name()).Name: await prop.read_value()
                for prop in await loading.get_properties()
            }
            assert properties["EURange"] == ua.Range(Low=0.0, High=50.0)
            units = properties["EngineeringUnits"]
            assert units.NamespaceUri == "http://www.opcfoundation.org/UA/units/un/cefact"
            assert units.UnitId == H63_UNIT_ID
            assert units.DisplayName.Text == "mg/cm²"
            position = client.get_node("ns=2;s=COAT-01.WebPosition.EURange")
            assert await position.read_value() == ua.Range(Low=0.0, High=1200.0)

    asyncio.run(check())


def test_every_tag_of_the_tag_map_exists_and_every_value_tag_is_written(shared_simulator):
    plan = load_plan()

    async def check():
        async with Client(shared_simulator.endpoint) as client:
            for tag in plan.tags:
                node = client.get_node(tag.node_id)
                node_class = await node.read_node_class()
                if tag.role == "result_event":
                    assert node_class == ua.NodeClass.Object, tag.node_id
                    notifier = await node.read_event_notifier()
                    assert ua.EventNotifier.SubscribeToEvents in notifier, tag.node_id
                elif tag.role in PLC_TYPES:  # the closed loop's nodes, typed as a PLC's
                    data_value = await node.read_data_value()
                    assert data_value.Value.VariantType == PLC_TYPES[tag.role][0], tag.node_id
                else:
                    assert node_class == ua.NodeClass.Variable, tag.node_id
                    data_value = await node.read_data_value()
                    assert data_value.StatusCode.is_good(), tag.node_id
                    assert data_value.SourceTimestamp is not None, tag.node_id

    asyncio.run(check())
    written = shared_simulator.call(
        lambda: {tag.node_id for tag in plan.tags if shared_simulator.sim.written(tag.node_id)}
    )
    process = {t.node_id for t in plan.tags if t.role not in ("result_event", *PLC_TYPES)}
    assert written == process
    log = shared_simulator.call(shared_simulator.sim.written, "ns=2;s=COAT-01.ArealLoading")
    assert log[0].seq == 1


def test_the_result_event_type_is_a_base_event_subtype_with_the_contract_fields(shared_simulator):
    async def check():
        async with Client(shared_simulator.endpoint) as client:
            event_type = client.get_node("ns=2;s=ResultReadyEventType")
            (parent,) = await event_type.get_referenced_nodes(
                refs=ua.ObjectIds.HasSubtype, direction=ua.BrowseDirection.Inverse
            )
            assert parent.nodeid == ua.NodeId(ua.ObjectIds.BaseEventType)
            fields = await browse_names(event_type)
            for name in ("serial", "result", "sequence", "feed_roll", "feed_from_m", "feed_to_m"):
                assert name in fields
            for name in ("alignment_mm", "overhang_mm", "sheet_count"):
                assert name in fields
            for name in ("ocv_v", "acir_mohm", "capacity_ah"):
                assert name in fields

    asyncio.run(check())


def test_the_simulator_object_offers_the_fault_methods(shared_simulator):
    async def check():
        async with Client(shared_simulator.endpoint) as client:
            methods = await client.get_node("ns=2;s=Simulator").get_methods()
            return sorted([(await method.read_browse_name()).Name for method in methods])

    assert asyncio.run(check()) == [
        "ChangeRoll",
        "ClearFaults",
        "InjectBadStatus",
        "InjectDrift",
        "InjectJam",
        "InjectNaN",
        "InjectSpike",
        "InjectStuck",
        "Restart",
    ]


def test_the_flow_machines_report_a_packml_state_and_a_stop_reason_as_read_only_dints(
    shared_simulator,
):
    async def check():
        async with Client(shared_simulator.endpoint) as client:
            found = {}
            for station in ("STACK-01", "WIP-01", "SEAL-01", "FORM-01", "EOL-01"):
                for name in ("PackMLState", "StopReason"):
                    node = client.get_node(f"ns=2;s={station}.{name}")
                    value = await node.read_data_value()
                    access = await node.read_attribute(ua.AttributeIds.UserAccessLevel)
                    writable = ua.AccessLevel.CurrentWrite in ua.AccessLevel.parse_bitfield(
                        access.Value.Value
                    )
                    found[(station, name)] = (value.Value.VariantType, writable)
            return found

    found = asyncio.run(check())
    assert set(found.values()) == {(ua.VariantType.Int32, False)}
    assert len(found) == 10
