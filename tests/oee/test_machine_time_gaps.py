"""The bridge's connection gaps in machine time (docs/oee.md, "no data"): a gap is no data in the
timeline whatever the last state said, it is no planned production time in the figures (it
lowers no availability), and overlapping or repeated gaps count once."""

from datetime import datetime, timedelta

import pytest

from lines.ingest import batch_ingest
from lines.models import Tag
from oee.selectors.gaps import station_gaps
from oee.selectors.machine_time import state_now, station_timeline
from oee.selectors.periods import station_figures
from tests.lines.ingest_helpers import T0, at, batch, sample

STATE = "ns=2;s=STACK.MachineState"
HOURS_4 = 4 * 3600


@pytest.fixture
def stacker(plant):
    station = plant.station("stacking")
    Tag.objects.create(node_id=STATE, station=station, role="machine_state")
    return station


def t(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def gap(start: float, end: float | None, station: str = "T-STACKING") -> dict:
    return {"start": at(start), "end": None if end is None else at(end), "stations": [station]}


def ingest(samples=(), gaps=(), source: str = "test-bridge") -> None:
    out = batch(samples)
    out["source"] = source
    if gaps:
        out["gaps"] = list(gaps)
    batch_ingest(batch=out)


def test_a_gap_is_no_data_and_lowers_no_availability(stacker):
    # down at 50 min, then the bridge loses its server from 1 h to 1.5 h; after the reconnect
    # the PLC says running. Without the gap the stop would run on to 1.5 h.
    ingest([sample(STATE, 6, 0), sample(STATE, 11, 3000), sample(STATE, 6, 5400)])
    ingest(gaps=[gap(3600, None)])  # the bridge tells of the loss at once
    ingest(gaps=[gap(3600, 5400)])  # and of its end once subscribed again

    timeline = station_timeline(stacker, t(0), t(HOURS_4))
    assert [(i.category, i.seconds) for i in timeline] == [
        ("running", 3000),
        ("down", 600),
        ("no_data", 1800),
        ("running", HOURS_4 - 5400),
    ]
    (row,) = station_figures(stacker, t(0), t(HOURS_4))
    figures = row.figures
    assert figures.no_data_s == 1800
    assert figures.planned_s == HOURS_4 - 1800  # no calendar: all time but the gap
    assert figures.down_s == 600
    # run / planned: the gap is neither run nor lost time
    assert figures.availability == pytest.approx((HOURS_4 - 1800 - 600) / (HOURS_4 - 1800))


def test_the_same_outage_with_no_gap_is_a_stop_that_runs_through_it(stacker):
    ingest([sample(STATE, 6, 0), sample(STATE, 11, 3000), sample(STATE, 6, 5400)])
    (row,) = station_figures(stacker, t(0), t(HOURS_4))
    assert row.figures.no_data_s == 0 and row.figures.down_s == 2400


def test_overlapping_repeated_and_open_gaps_count_once(stacker):
    ingest([sample(STATE, 6, 0)])
    ingest(gaps=[gap(3600, 4500)], source="bridge-a")
    ingest(gaps=[gap(4000, 5400)], source="bridge-b")  # a second bridge, overlapping
    ingest(gaps=[gap(3600, 4500)], source="bridge-a")  # re-sent under another batch id
    ingest(gaps=[gap(4200, 4300)], source="bridge-c")  # inside the others
    ingest(gaps=[gap(13000, None)], source="bridge-a")  # still open: to the window's end
    ingest(gaps=[gap(100, 200, station="T-COATING")])  # another station's

    assert len(station_gaps(stacker, t(0), t(HOURS_4))) == 4
    timeline = station_timeline(stacker, t(0), t(HOURS_4))
    assert sum(i.seconds for i in timeline) == HOURS_4  # still tiles the window exactly
    assert [(i.category, i.seconds) for i in timeline] == [
        ("running", 3600),
        ("no_data", 1800),
        ("running", 13000 - 5400),
        ("no_data", HOURS_4 - 13000),
    ]
    (row,) = station_figures(stacker, t(0), t(HOURS_4))
    assert row.figures.no_data_s == 1800 + HOURS_4 - 13000
    assert row.figures.availability == 1.0


def test_the_state_now_is_no_data_inside_an_open_or_a_recorded_gap(stacker):
    ingest([sample(STATE, 6, 0)])
    ingest(gaps=[gap(600, 1200)])
    ingest(gaps=[gap(3600, None)])

    assert state_now(stacker, t(300)) == "running"
    assert state_now(stacker, t(600)) == "no_data"
    assert state_now(stacker, t(1199)) == "no_data"
    assert state_now(stacker, t(1200)) == "running"  # the gap's end is outside it
    assert state_now(stacker, t(3599)) == "running"
    assert state_now(stacker, t(HOURS_4)) == "no_data"  # the bridge has not subscribed again
    ingest(gaps=[gap(3600, 3700)])
    assert state_now(stacker, t(HOURS_4)) == "running"
