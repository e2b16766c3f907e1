"""A jam in the simulator's pure model: the cell flow stops, the PLCs report PackML states.

No server here: LineModel is stepped directly, as the server shell does once per tick.
"""

import pytest

from opcua_bridge.simulator import load_plan, scenario
from opcua_bridge.simulator.model import FLOW, LineModel

STEP_S = 5.0
CYCLE_S = 30.0  # cell_cycle_s of fixtures/demo_tags.toml


@pytest.fixture(scope="module")
def plan():
    return load_plan()


def state_writes(model: LineModel, steps: int, answer: bool = False):
    """Step the model; return the state and reason writes (time, station, channel, value) in
    order, the stacker's result events and every request asked (answered OK when `answer`)."""
    writes, stacked, asked = [], [], []
    for _ in range(steps):
        result = model.step(STEP_S)
        writes += [
            (result.time_s, w.station, w.channel, w.value)
            for w in result.writes
            if w.channel in ("machine_state", "stop_reason")
        ]
        stacked += [e.fields["serial"] for e in result.events if e.station == "STACK-01"]
        for request in result.requests:
            asked.append((result.time_s, request))
            if answer:
                model.answer(request, 1)
    return writes, stacked, asked


def test_a_stacker_jam_holds_the_stacker_with_its_code_and_starves_the_rest(plan):
    model = LineModel(plan, seed=3)
    first, stacked_before, _ = state_writes(model, 12)  # 60 s: two cells stacked
    model.inject_jam("STACK-01", 60.0, 17)
    # Injected between the steps at 60 and 65 s: reported from 65 s, for 60 s.
    during, stacked_during, _ = state_writes(model, 12)  # line time 65..120 s: jammed
    after, stacked_after, _ = state_writes(model, 13)  # from 125 s, where the jam ends

    # Every flow machine starts in Execute with no reason, reported once.
    assert {(s, c, v) for _, s, c, v in first} == {
        *((station, "machine_state", 6) for station in FLOW),
        *((station, "stop_reason", 0) for station in FLOW),
    }
    assert len(first) == 2 * len(FLOW)
    # The jam: the stacker's code before its Held, the others Suspended; nothing more meanwhile.
    assert [(s, c, v) for _, s, c, v in during] == [
        ("STACK-01", "stop_reason", 17),
        ("STACK-01", "machine_state", 11),
        *((station, "machine_state", 5) for station in FLOW[1:]),
    ]
    assert stacked_during == []
    # It ends after 60 line seconds: Execute first, then the code back to 0.
    assert [(t, s, c, v) for t, s, c, v in after if s == "STACK-01"] == [
        (125.0, "STACK-01", "machine_state", 6),
        (125.0, "STACK-01", "stop_reason", 0),
    ]
    assert {(s, v) for _, s, c, v in after if c == "machine_state"} == {(s, 6) for s in FLOW}
    # The flow lost the jam's two cycles (and the 5 s before it was seen): it resumes where it
    # stopped, with the same cells.
    unjammed = LineModel(plan, seed=3)
    _, reference, _ = state_writes(unjammed, 12 + 12 + 13)
    assert stacked_before + stacked_after == reference[: len(stacked_before + stacked_after)]
    assert len(reference) - len(stacked_before + stacked_after) == 60.0 / CYCLE_S


def test_an_interlocked_line_asks_nothing_while_jammed_and_resumes_after(plan):
    model = LineModel(plan, seed=3, interlocked=("STACK-01", "WIP-01"))
    _, stacked_before, _ = state_writes(model, 12, answer=True)
    jam_start = model.time_s
    model.inject_jam("STACK-01", 45.0, 17)
    _, stacked_during, asked_during = state_writes(model, 9, answer=True)
    _, stacked_after, asked_after = state_writes(model, 12, answer=True)

    assert stacked_before and stacked_after
    assert stacked_during == []
    assert asked_during == []  # no check-in or check-out while the stacker is held
    assert min(t for t, _ in asked_after) > jam_start + 45.0
    assert model.rejects == {}  # every cell answered in time: none refused


def test_clear_faults_ends_a_jam_and_a_jam_outside_the_flow_is_refused(plan):
    model = LineModel(plan, seed=3)
    state_writes(model, 2)
    model.inject_jam("STACK-01", 600.0, 17)
    state_writes(model, 2)
    assert model.clear_faults("STACK-01") == 1
    writes, _, _ = state_writes(model, 1)
    assert ("STACK-01", "machine_state", 6) in [(s, c, v) for _, s, c, v in writes]
    with pytest.raises(KeyError):
        model.inject_jam("COAT-01", 10.0, 17)
    with pytest.raises(ValueError):
        model.inject_jam("STACK-01", 0.0, 17)


class _WallClockLine:
    """The scenario's injector on the pure model at make demo's speed 5 (durations are wall
    seconds, as on the server); the process-value faults are left out."""

    def __init__(self, model: LineModel, speed: float) -> None:
        self.model, self.speed = model, speed

    def inject_jam(self, station: str, duration_s: float, reason_code: int) -> str:
        self.model.inject_jam(station, duration_s * self.speed, reason_code)
        return "jam"

    def __getattr__(self, name: str):
        return lambda *args, **kwargs: None


def test_the_demo_cycle_stops_the_stacker_twice_briefly_and_jams_it_45_s_with_code_17(plan):
    speed, cycle_s = 5.0, 120
    model = LineModel(plan, seed=1)
    line = _WallClockLine(model, speed)
    stops, started, code = [], None, ""
    for wall_s in range(2 * cycle_s):
        for step in scenario.DEMO:
            if step.at_s == wall_s % cycle_s:
                step.act(line)
        for write in model.step(speed).writes:  # one tick of 1 wall second
            if write.station != "STACK-01":
                continue
            if write.channel == "stop_reason" and write.value:
                code = str(write.value)
            if write.channel == "machine_state" and write.value == 11:
                started = wall_s
            if write.channel == "machine_state" and write.value == 6 and started is not None:
                stops.append((wall_s - started, code or "0"))
                started, code = None, ""
    # Per cycle: a 7 s stop (code 23) and a 5 s one (no code), micro-stops under the seeded 30 s
    # threshold, and the 45 s jam with code 17 (the second cycle's jam ends after the window).
    assert stops == [(7, "23"), (5, "0"), (45, "17"), (7, "23"), (5, "0")]
