"""The simulated line PLCs: an asyncua server that behaves like the demo line's machines.

Public API (everything else in this package is internal):

    from opcua_bridge.simulator import LineSimulator, SimulatorOptions

    async with LineSimulator(endpoint="opc.tcp://127.0.0.1:48400/", speed=60, seed=1,
                             tick_s=0.05) as sim:
        sim.endpoint                       # the endpoint url it serves
        sim.namespace_index                # index of NAMESPACE_URI (2 in practice)
        sim.node_id("COAT-01", "areal_loading_mg_cm2")   # "ns=2;s=COAT-01.ArealLoading"
        sim.written(node_id)               # [Written(seq, value, source_timestamp, status)]
        sim.emitted("STACK-01")            # [{serial, result, sequence, feed_roll, ..., time}]
        sim.inject_drift(station, parameter, magnitude, duration_s)
        sim.inject_spike(station, parameter, magnitude)
        sim.inject_unload_shift(magnitude)   # the next stacked cell's X-ray after unloading
        sim.inject_stuck / inject_bad_status / inject_nan(station, parameter, duration_s)
        sim.change_roll("COAT-01")         # new mother roll now ("STACK-01": next feed roll)
        sim.clear_faults(station=None, parameter=None)
        await sim.restart(down_s=1.0)      # server gone for >= down_s, back on the same port
        sim.answers("WIP-01")              # [(CheckRequest, code)]: the MES's answers (interlocks)
        sim.rejects("STACK-01")            # cells the station refused to build on
        sim.plc_node_id("WIP-01", "reject_count")   # "ns=2;s=WIP-01.RejectCount" (also mes_link)

    await run_until_signalled(SimulatorOptions(...))   # what `manage.py simulate_line` runs

The in-process API is not thread-safe: call it on the simulator's event loop. Tests in
tests/opcua_bridge get fixtures from its conftest: `free_port`, `simulator` (a running one in a
background thread, speed 100, tick 0.05 s), `start_simulator(**options)`, `shared_simulator`;
`running.call(fn, *args)` / `running.run(coroutine)` execute on the simulator's loop.

Options (SimulatorOptions, or keyword arguments of LineSimulator): endpoint, speed (line
seconds per wall second), seed, tick_s (wall seconds between writes, default 1.0), certificate
and private_key (files: serve Basic256Sha256 SignAndEncrypt), users ({name: password}: refuse
anonymous and wrong passwords), allow_none (None = only on a loopback endpoint without a
certificate), line_file and tags_file (default fixtures/demo_line.toml and demo_tags.toml),
history_per_node (how many Written entries are kept per node), report_every_s (log line),
interlocks (STACK-01 and WIP-01 check every cell in and out with the MES: plc_side.py and
docs/integration-guide.md section 8), answer_timeout_s, mes_heartbeat_timeout_s, plc_heartbeat_s.

What a client sees (docs/telemetry.md is the contract):
- Node ids are those of fixtures/demo_tags.toml (`load_plan().tags`). Every tick writes every
  process value (Double, AnalogItemType with EURange and EngineeringUnits) and the web position;
  roll ids and serials (String) only when they change; "" means no unit in the station.
- Source timestamps strictly increase across all writes and events, in the order the PLC made
  them: a new serial sorts after the values of the previous cell and after its result event.
- Result events: type `ResultReadyEventType` (ns of NAMESPACE_URI, subtype of BaseEventType),
  emitted by the STACK-01 and EOL-01 objects; fields are in EVENT_FIELDS, a machine leaves the
  other machine's fields null.
- Faults: durations are wall seconds. drift ramps to magnitude over the duration and then holds
  until clear_faults; spike offsets the next value; stuck repeats the last good value; bad_status
  writes StatusCode BadSensorFailure with a null value; nan writes NaN with status Good.
  The same faults as methods of the `Simulator` object (InjectDrift(Station, Parameter,
  Magnitude, DurationS), InjectSpike, InjectStuck, InjectBadStatus, InjectNaN, ChangeRoll(Station),
  ClearFaults(Station, Parameter), Restart(DownS)); a refused argument is BadInvalidArgument.
- asyncua's server only notifies a data change when the value or status changes (default
  trigger StatusValue): a stuck value or the constant sheet count reaches a subscriber once,
  unless it subscribes with DataChangeFilter(Trigger=StatusValueTimestamp). To receive every
  written value, use that trigger and a queue_size covering the publishing interval.
- restart: sessions and subscriptions are gone (a PLC reboot); the nodes come back with their
  last DataValue (same source timestamp), so a re-subscribing client gets that value again as
  its first notification: deduplicate on (node, source timestamp). The line pauses while down.

The process model (model.py, faults.py, catalog.py) is pure and seeded and imports no asyncua:
same seed, speed and tick_s give the same value sequence. Nothing here touches the database.
"""

from .address_space import EVENT_FIELDS, EVENT_TYPE_NAME
from .catalog import LinePlan, TagEntry, load_plan
from .faults import BAD_SENSOR_FAILURE, FaultKind
from .security import SecurityConfigError
from .server import (
    APPLICATION_URI,
    LineSimulator,
    SimulatorOptions,
    Written,
    run_until_signalled,
)

NAMESPACE_URI = "urn:cell-line-mes:simulator"

__all__ = [
    "APPLICATION_URI",
    "BAD_SENSOR_FAILURE",
    "EVENT_FIELDS",
    "EVENT_TYPE_NAME",
    "NAMESPACE_URI",
    "FaultKind",
    "LinePlan",
    "LineSimulator",
    "SecurityConfigError",
    "SimulatorOptions",
    "TagEntry",
    "Written",
    "load_plan",
    "run_until_signalled",
]
