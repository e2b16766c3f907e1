"""The simulated line's server honours a DataChangeFilter deadband as OPC UA Part 4 says: percent
of the node's EURange, measured against the last value reported, and refused where it cannot
apply (a text node, a percent over 100)."""

import asyncio

from asyncua import Client, ua

ZONE = "ns=2;s=COAT-01.DryerZone1Temperature"  # AnalogItemType, EURange 0..200 degC
ROLL_ID = "ns=2;s=COAT-01.CurrentRollId"  # String


def _request(client: Client, node_id: str, handle: int, percent: float):
    params = ua.MonitoringParameters(
        ClientHandle=handle,
        SamplingInterval=0.0,
        QueueSize=100,
        DiscardOldest=True,
        Filter=ua.DataChangeFilter(
            Trigger=ua.DataChangeTrigger.StatusValue,
            DeadbandType=ua.DeadbandType.Percent,
            DeadbandValue=percent,
        ),
    )
    return ua.MonitoredItemCreateRequest(
        ItemToMonitor=ua.ReadValueId(
            NodeId=ua.NodeId.from_string(node_id), AttributeId=ua.AttributeIds.Value
        ),
        MonitoringMode=ua.MonitoringMode.Reporting,
        RequestedParameters=params,
    )


def test_a_percent_deadband_on_the_simulator_is_applied_and_a_misplaced_one_refused(
    shared_simulator,
):
    async def run() -> tuple[list, list[float]]:
        async with Client(shared_simulator.endpoint) as client:
            subscription = await client.create_subscription(20, handler=None, queue_maxsize=0)
            results = await subscription.create_monitored_items(
                [
                    _request(client, ZONE, 1_000_001, 0.5),  # 1 degC of 0..200
                    _request(client, ROLL_ID, 1_000_002, 1.0),
                    _request(client, ZONE, 1_000_003, 150.0),
                ]
            )
            values: list[float] = []
            async for event in subscription:
                values.append(event.data.monitored_item.Value.Value.Value)
                if len(values) == 6:
                    break
            return results, values

    results, values = asyncio.run(asyncio.wait_for(run(), timeout=60))

    assert isinstance(results[0], int)
    assert results[1:] == [
        ua.StatusCode(ua.StatusCodes.BadFilterNotAllowed),
        ua.StatusCode(ua.StatusCodes.BadDeadbandFilterInvalid),
    ]
    # the simulator's zone 1 noise is 0.6 degC: most changes stay within the 1 degC deadband
    assert all(
        abs(later - earlier) > 1.0 for earlier, later in zip(values, values[1:], strict=False)
    )
