"""The running simulator seen by a real asyncua Client: data changes, result events, faults over
OPC UA methods, and a restart. Waits are bounded and say what they waited for; nothing is timed.
"""

import asyncio
import logging
import math
import re

import pytest
from asyncua import Client, ua

from opcua_bridge.simulator import BAD_SENSOR_FAILURE, load_plan
from opcua_bridge.simulator.model import LineModel

WAIT_S = 20.0
EVERY_WRITE = ua.DataChangeFilter(Trigger=ua.DataChangeTrigger.StatusValueTimestamp)


class Collector:
    """Subscription handler that keeps every notification."""

    def __init__(self) -> None:
        self.changes: dict[str, list[ua.DataValue]] = {}
        self.events: list = []

    def datachange_notification(self, node, val, data) -> None:
        self.changes.setdefault(node.nodeid.to_string(), []).append(data.monitored_item.Value)

    def event_notification(self, event) -> None:
        self.events.append(event)

    def values(self, node_id: str) -> list:
        return [dv.Value.Value for dv in self.changes.get(node_id, [])]


async def wait_until(predicate, what: str, timeout_s: float = WAIT_S) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not predicate():
        if loop.time() > deadline:
            pytest.fail(f"waited {timeout_s} s for {what}")
        await asyncio.sleep(0.02)


async def subscribe(client: Client, node_ids: list[str], every_write: bool = False):
    collector = Collector()
    subscription = await client.create_subscription(20, collector)
    for node_id in node_ids:
        node = client.get_node(node_id)
        # asyncua's server notifies only changes of value or status unless asked for every
        # write (trigger StatusValueTimestamp): `_subscribe` is the client's way to pass a filter.
        mfilter = EVERY_WRITE if every_write else None
        await subscription._subscribe(node, mfilter=mfilter, queuesize=1000)
    return collector


async def call(client: Client, method: str, *args):
    simulator = client.get_node("ns=2;s=Simulator")
    return await simulator.call_method(f"2:{method}", *args)


def test_data_changes_carry_increasing_source_timestamps_and_match_what_was_written(simulator):
    node_id = "ns=2;s=COAT-01.ArealLoading"

    async def receive():
        async with Client(simulator.endpoint) as client:
            collector = await subscribe(client, [node_id], every_write=True)
            await wait_until(lambda: len(collector.values(node_id)) >= 40, "40 data changes")
            return collector.changes[node_id]

    received = asyncio.run(receive())
    written = simulator.call(simulator.sim.written, node_id)

    stamps = [dv.SourceTimestamp for dv in received]
    assert all(stamp is not None for stamp in stamps)
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
    # Every notification is one write, in order, with nothing skipped after the first.
    by_stamp = {entry.source_timestamp.replace(tzinfo=None): entry for entry in written}
    seqs = [by_stamp[stamp.replace(tzinfo=None)].seq for stamp in stamps]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    assert [dv.Value.Value for dv in received] == [
        by_stamp[s.replace(tzinfo=None)].value for s in stamps
    ]


def test_the_server_writes_the_models_sequence_for_a_seed(start_simulator):
    running = start_simulator(seed=5)
    node_id = "ns=2;s=DRY-01.DewPoint"

    async def wait_for_writes():
        await wait_until(lambda: len(running.sim.written(node_id)) >= 10, "10 writes")
        return [entry.value for entry in running.sim.written(node_id)][:10]

    served = running.run(wait_for_writes())
    model = LineModel(load_plan(), seed=5)
    expected = []
    for _ in range(10):
        result = model.step(5.0)
        expected += [w.value for w in result.writes if w.channel == "dew_point_c"]
    assert served == expected


def test_a_simulator_of_some_machines_serves_theirs_with_the_whole_lines_values(start_simulator):
    """`stations`: one process per machine's PLC. The coater's simulator serves the coater's
    nodes (the values a whole-line simulator with the same seed writes) and no stacker node."""
    running = start_simulator(seed=5, stations=("COAT-01",))
    coater, stacker = "ns=2;s=COAT-01.ArealLoading", "ns=2;s=STACK-01.Alignment"

    async def wait_for_writes():
        await wait_until(lambda: len(running.sim.written(coater)) >= 10, "10 coater writes")
        return [entry.value for entry in running.sim.written(coater)][:10]

    async def read():
        async with Client(running.endpoint) as client:
            value = await client.get_node(coater).read_value()
            with pytest.raises(ua.UaStatusCodeError):
                await client.get_node(stacker).read_value()
        return value

    served = running.run(wait_for_writes())
    assert isinstance(asyncio.run(read()), float)
    assert running.sim.written(stacker) == []
    model = LineModel(load_plan(), seed=5)
    expected = []
    while len(expected) < 10:
        result = model.step(5.0)
        expected += [w.value for w in result.writes if w.channel == "areal_loading_mg_cm2"]
    assert served == expected[:10]


def test_an_unknown_machine_is_refused(free_port):
    from opcua_bridge.simulator import LineSimulator

    with pytest.raises(ValueError, match="no such machine: PRESS-99"):
        LineSimulator(endpoint=f"opc.tcp://127.0.0.1:{free_port}/", stations=("PRESS-99",))


def test_result_events_carry_serials_and_consecutive_feed_metres(simulator):
    async def receive():
        async with Client(simulator.endpoint) as client:
            collector = Collector()
            subscription = await client.create_subscription(20, collector)
            event_type = client.get_node("ns=2;s=ResultReadyEventType")
            await subscription.subscribe_events(
                client.get_node("ns=2;s=STACK-01"), event_type, queuesize=1000
            )
            await wait_until(lambda: len(collector.events) >= 5, "5 ResultReady events")
            return collector.events

    events = asyncio.run(receive())

    first = events[0]
    assert first.serial.startswith("CELL-SIM-")
    assert first.result in ("OK", "NOK")
    assert first.feed_roll == "MR-DEMO-01-A"
    assert first.sheet_count in (20, 21)
    assert first.ocv_v is None  # the stacker leaves the EOL tester's fields null
    assert first.Time is not None
    sequences = [event.sequence for event in events]
    assert sequences == list(range(sequences[0], sequences[0] + len(events)))
    for before, after in zip(events, events[1:], strict=False):
        assert after.feed_from_m == pytest.approx(before.feed_to_m)
        assert after.feed_to_m - after.feed_from_m == pytest.approx(1.2)
        assert after.Time > before.Time
    emitted = simulator.call(simulator.sim.emitted, "STACK-01")
    by_serial = {fields["serial"]: fields for fields in emitted}
    for event in events:
        assert by_serial[event.serial]["feed_from_m"] == event.feed_from_m


def test_eol_events_carry_ocv_acir_and_capacity(simulator):
    async def receive():
        async with Client(simulator.endpoint) as client:
            collector = Collector()
            subscription = await client.create_subscription(20, collector)
            event_type = client.get_node("ns=2;s=ResultReadyEventType")
            await subscription.subscribe_events(client.get_node("ns=2;s=EOL-01"), event_type)
            await wait_until(lambda: len(collector.events) >= 2, "2 EOL events")
            return collector.events

    event = asyncio.run(receive())[0]

    assert event.serial.startswith("CELL-SIM-")
    assert event.ocv_v == pytest.approx(3.65, abs=0.01)
    assert event.acir_mohm == pytest.approx(1.2, abs=0.3)
    assert event.capacity_ah == pytest.approx(10.0, abs=0.3)
    assert event.feed_roll is None


def test_stuck_fault_repeats_the_value(simulator):
    node_id = "ns=2;s=COAT-01.ArealLoading"

    async def scenario():
        async with Client(simulator.endpoint) as client:
            collector = await subscribe(client, [node_id], every_write=True)
            await wait_until(lambda: len(collector.values(node_id)) >= 2, "first values")
            answer = await call(client, "InjectStuck", "COAT-01", "areal_loading_mg_cm2", 0.5)
            before = len(collector.values(node_id))
            await wait_until(lambda: len(collector.values(node_id)) >= before + 6, "6 more")
            return answer, collector.changes[node_id][before:]

    answer, after = asyncio.run(scenario())

    assert answer == "stuck on COAT-01 areal_loading_mg_cm2"
    values = [dv.Value.Value for dv in after]
    repeats = max(sum(1 for _ in group) for group in _runs(values))
    assert repeats >= 3, values
    assert len({dv.SourceTimestamp for dv in after}) == len(after)


def _runs(values):
    run = [values[0]]
    for value in values[1:]:
        if value == run[-1]:
            run.append(value)
        else:
            yield run
            run = [value]
    yield run


def test_nan_and_bad_status_faults_reach_the_client(simulator):
    dew, h2s = "ns=2;s=DRY-01.DewPoint", "ns=2;s=DRY-01.H2S"

    async def scenario():
        async with Client(simulator.endpoint) as client:
            collector = await subscribe(client, [dew, h2s])
            await wait_until(lambda: collector.values(dew) and collector.values(h2s), "values")
            await call(client, "InjectNaN", "DRY-01", "dew_point_c", 0.3)
            await call(client, "InjectBadStatus", "DRY-01", "h2s_ppm", 0.3)
            await wait_until(
                lambda: any(math.isnan(v) for v in collector.values(dew) if v is not None),
                "a NaN dew point",
            )
            bad = BAD_SENSOR_FAILURE

            def bad_seen():
                return any(dv.StatusCode.value == bad for dv in collector.changes[h2s])

            await wait_until(bad_seen, "a BadSensorFailure H2S value")
            count = len(collector.changes[h2s])
            await wait_until(lambda: len(collector.changes[h2s]) >= count + 3, "recovery")
            return collector.changes[h2s]

    h2s_values = asyncio.run(scenario())

    bad = [dv for dv in h2s_values if not dv.StatusCode.is_good()]
    assert bad[0].StatusCode.name == "BadSensorFailure"
    assert bad[0].Value.Value is None
    assert h2s_values[-1].StatusCode.is_good()


def test_drift_moves_the_mean_and_clear_faults_ends_it(simulator):
    node_id = "ns=2;s=COAT-01.CoatingWidth"

    async def scenario():
        async with Client(simulator.endpoint) as client:
            collector = await subscribe(client, [node_id], every_write=True)
            await wait_until(lambda: len(collector.values(node_id)) >= 10, "10 values")
            before = collector.values(node_id)[:10]
            await call(client, "InjectDrift", "COAT-01", "coating_width_mm", 5.0, 0.1)
            start = len(collector.values(node_id))
            await wait_until(lambda: len(collector.values(node_id)) >= start + 15, "15 more")
            drifted = collector.values(node_id)[start + 5 : start + 15]
            cleared = await call(client, "ClearFaults", "COAT-01", "")
            return before, drifted, cleared

    before, drifted, cleared = asyncio.run(scenario())

    assert sum(before) / len(before) == pytest.approx(300.0, abs=0.2)
    assert sum(drifted) / len(drifted) == pytest.approx(305.0, abs=0.2)
    assert cleared == "1"


def test_spike_changes_one_value(simulator):
    node_id = "ns=2;s=COAT-01.DryThickness"

    async def scenario():
        async with Client(simulator.endpoint) as client:
            collector = await subscribe(client, [node_id], every_write=True)
            await wait_until(lambda: collector.values(node_id), "a first value")
            await call(client, "InjectSpike", "COAT-01", "dry_thickness_um", 50.0)
            start = len(collector.values(node_id))
            await wait_until(lambda: len(collector.values(node_id)) >= start + 5, "5 more")
            return collector.values(node_id)[start - 1 :]

    values = asyncio.run(scenario())

    assert [value > 150 for value in values].count(True) == 1, values


def test_roll_change_starts_a_new_mother_roll(simulator):
    roll, position = "ns=2;s=COAT-01.CurrentRollId", "ns=2;s=COAT-01.WebPosition"

    async def scenario():
        async with Client(simulator.endpoint) as client:
            collector = await subscribe(client, [roll, position])
            await wait_until(lambda: len(collector.values(position)) >= 3, "web positions")
            answer = await call(client, "ChangeRoll", "COAT-01")
            await wait_until(lambda: len(collector.values(roll)) >= 2, "the new roll id")
            return answer, collector.values(roll), collector.values(position)

    answer, rolls, positions = asyncio.run(scenario())

    assert answer == "MR-SIM-0002"
    assert rolls == ["MR-SIM-0001", "MR-SIM-0002"]
    assert any(after < before for before, after in zip(positions, positions[1:], strict=False))


def test_a_fault_on_an_unknown_parameter_is_refused_with_bad_invalid_argument(simulator):
    async def scenario():
        async with Client(simulator.endpoint) as client:
            with pytest.raises(ua.uaerrors.BadInvalidArgument):
                await call(client, "InjectNaN", "COAT-01", "no_such_parameter", 1.0)
            with pytest.raises(ua.uaerrors.BadInvalidArgument):
                await call(client, "ChangeRoll", "DRY-01")

    asyncio.run(scenario())
    assert simulator.call(simulator.sim.clear_faults) == 0


def test_restart_through_the_method_goes_away_and_comes_back_on_the_same_port(simulator):
    node_id = "ns=2;s=COAT-01.ArealLoading"

    async def scenario():
        async with Client(simulator.endpoint) as client:
            answer = await call(client, "Restart", 0.5)
            gone = False
            for _ in range(200):
                try:
                    await client.get_node(node_id).read_value()
                except (TimeoutError, ConnectionError, ua.UaError):
                    gone = True
                    break
                await asyncio.sleep(0.02)
            assert gone, "the server never went away"
        for _ in range(200):
            try:
                async with Client(simulator.endpoint, timeout=2) as again:
                    return answer, await again.get_node(node_id).read_data_value()
            except (TimeoutError, ConnectionError, OSError, ua.UaError):
                await asyncio.sleep(0.05)
        pytest.fail("the server did not come back")

    answer, data_value = asyncio.run(scenario())

    assert answer == "restarting, down for 0.5 s"
    assert data_value.StatusCode.is_good()
    written = simulator.call(simulator.sim.written, node_id)
    seqs = [entry.seq for entry in written]
    assert seqs == list(range(1, len(seqs) + 1))


def test_in_process_restart_keeps_the_endpoint_and_the_last_value(simulator):
    node_id = "ns=2;s=DRY-01.DewPoint"

    async def read():
        async with Client(simulator.endpoint) as client:
            return await client.get_node(node_id).read_data_value()

    simulator.run(simulator.sim.restart(down_s=0.2))
    after = asyncio.run(read())

    assert simulator.call(lambda: simulator.sim.is_serving)
    assert after.StatusCode.is_good()
    written = simulator.call(simulator.sim.written, node_id)
    assert after.SourceTimestamp.replace(tzinfo=None) in {
        entry.source_timestamp.replace(tzinfo=None) for entry in written
    }


def test_the_simulator_logs_what_it_produced(start_simulator, caplog):
    caplog.set_level(logging.INFO, logger="opcua_bridge.simulator")
    start_simulator(report_every_s=0.2)

    def reports():
        return [r.getMessage() for r in caplog.records if "result events" in r.getMessage()]

    asyncio.run(wait_until(lambda: reports(), "a report line"))

    assert re.fullmatch(
        r"last 0\.2 s: \d+ values, \d+ result events; roll MR-SIM-0001 at [\d.]+ m, "
        r"stacking CELL-SIM-\d{6}, 0 fault\(s\) active, line time \d+ s",
        reports()[0],
    ), reports()[0]
