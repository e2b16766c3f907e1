"""A jam in the simulator's pure model: the cell flow stops, the PLCs report PackML states.

No server here: LineModel is stepped directly, as the server shell does once per tick.
"""

import pytest

from opcua_bridge.simulator import load_plan
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
    during, stacked_during, _ = state_writes(model, 11)  # line time 65..115 s: jammed
    after, stacked_after, _ = state_writes(model, 13)  # from 120 s, where the jam ends

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
        (120.0, "STACK-01", "machine_state", 6),
        (120.0, "STACK-01", "stop_reason", 0),
    ]
    assert {(s, v) for _, s, c, v in after if c == "machine_state"} == {(s, 6) for s in FLOW}
    # The flow lost exactly the jam's two cycles: it resumes where it stopped.
    unjammed = LineModel(plan, seed=3)
    _, reference, _ = state_writes(unjammed, 36)
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
