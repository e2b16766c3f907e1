"""Machine states through the ingest into state changes, and the OEE and downtime API over them
(docs/oee.md). The figures here are recomputed by hand in the comments."""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from lines.ingest import batch_ingest
from lines.models import Operation, Tag
from oee.models import IdealCycle, LineClock, ShiftPattern, StateChange, StateOverride
from tests.factories import make_cell
from tests.lines.ingest_helpers import T0, batch, sample

STATE, REASON = "ns=2;s=STACK.MachineState", "ns=2;s=STACK.StopReason"


@pytest.fixture
def stacker(plant):
    station = plant.station("stacking")
    Tag.objects.create(node_id=STATE, station=station, role="machine_state")
    Tag.objects.create(node_id=REASON, station=station, role="stop_reason")
    return station


def minutes(m: float) -> datetime:
    return T0 + timedelta(minutes=m)


def test_states_are_stored_once_with_their_category_whatever_the_plc_said(stacker):
    StateOverride.objects.create(station=stacker, plc_state="JAM", category="down")
    samples = [
        sample(STATE, 6, 0),  # PackML Execute
        sample(STATE, 9, 60),  # Aborted
        sample(REASON, "17", 60),
        sample(STATE, "Jammed", 120),  # no table knows it
        sample(STATE, "JAM", 180),  # the station's own override
        sample(STATE, 6, 240, status=0x80000000),  # Bad: the state is unknown
    ]
    batch_ingest(batch=batch(samples))
    batch_ingest(batch=batch(samples))  # the bridge re-sent it under a new batch id

    stored = list(StateChange.objects.order_by("at").values_list("plc_state", "category"))
    assert stored == [
        ("6", "running"),
        ("9", "down"),
        ("Jammed", "unmapped"),
        ("JAM", "down"),
        ("status 0x80000000", "no_data"),
    ]


def _shift_of_states(stacker) -> None:
    """08:00-16:00 at T0's day... run relative to T0: a 45 min jam with reason 17 after an hour,
    a 1 min micro-stop at 3 h, and running until the end."""
    batch_ingest(
        batch=batch(
            [
                sample(STATE, 6, 0),
                sample(STATE, 11, 3600),
                sample(REASON, 17, 3600),
                sample(STATE, 6, 3600 + 45 * 60),
                sample(REASON, 0, 3600 + 45 * 60),
                sample(STATE, 9, 3 * 3600),
                sample(STATE, 6, 3 * 3600 + 60),
            ]
        )
    )


def _operations(plant, stacker, count: int, failed: int) -> None:
    step = plant.step("stacking")
    for n in range(count):
        cell = make_cell(plant, f"C-{n:04d}")
        done = minutes(10 + n * 0.05)
        Operation.objects.create(
            unit=cell,
            station=stacker,
            step=step,
            started_at=done - timedelta(seconds=20),
            completed_at=done,
            result="failed" if n < failed else "passed",
        )


def test_the_oee_of_four_hours_recomputed_by_hand(api, operator, plant, stacker):
    _shift_of_states(stacker)
    _operations(plant, stacker, count=400, failed=8)
    IdealCycle.objects.create(station_kind="stacking", seconds=24)
    api.force_authenticate(operator)

    response = api.get(
        "/api/v1/oee/",
        {"station": stacker.code, "start": minutes(0).isoformat(), "end": minutes(240).isoformat()},
    )

    assert response.status_code == 200, response.json()
    (row,) = response.json()
    # planned 240 min (no calendar); the jam 45 min is down; the 1 min stop is a micro-stop
    assert row["planned_s"] == 240 * 60
    assert row["down_s"] == 45 * 60
    assert row["micro_stop_s"] == 60
    assert row["run_s"] == 195 * 60
    assert row["availability"] == pytest.approx(195 / 240)
    assert row["performance"] == pytest.approx(400 * 24 / (195 * 60))
    assert row["quality"] == pytest.approx(392 / 400)
    assert row["oee"] == pytest.approx(195 / 240 * 400 * 24 / 11700 * 0.98)
    assert (row["processed"], row["good_first_time"]) == (400, 392)

    stops = api.get(
        "/api/v1/downtimes/",
        {"station": stacker.code, "start": minutes(0).isoformat(), "end": minutes(240).isoformat()},
    ).json()
    assert [(s["duration_s"], s["plc_code"], s["micro_stop"]) for s in stops] == [
        (45 * 60, "17", False),
        (60, "", True),
    ]


def test_shifts_group_the_figures_and_breaks_are_not_planned_time(api, operator, plant, stacker):
    LineClock.objects.create(line=plant.line, time_zone="Europe/Berlin")
    local = T0.astimezone(ZoneInfo("Europe/Berlin"))
    ShiftPattern.objects.create(
        line=plant.line,
        name="early",
        start=time(local.hour, local.minute, local.second),
        hours=2,
        breaks=[{"start": f"{(local + timedelta(hours=1)).strftime('%H:%M:%S')}", "minutes": 30}],
    )
    _shift_of_states(stacker)
    api.force_authenticate(operator)

    response = api.get(
        "/api/v1/oee/",
        {
            "station": stacker.code,
            "start": minutes(0).isoformat(),
            "end": minutes(240).isoformat(),
            "group_by": "shift",
        },
    )

    assert response.status_code == 200, response.json()
    rows = response.json()
    assert [r["group"] for r in rows] == [f"{local:%Y-%m-%d} early"]
    # 2 h shift, its second hour's first 30 min a break: planned 90 min; the jam starts at 60 min,
    # in the break, and runs on 15 min into planned time after it
    assert rows[0]["planned_s"] == 90 * 60
    assert rows[0]["down_s"] == 15 * 60


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"station": "T-STACKING", "line": "T-LINE"}, "station"),
        ({}, "station"),
        ({"station": "T-STACKING", "group_by": "shift"}, "group_by"),
        ({"station": "T-STACKING", "group_by": "week"}, "group_by"),
        (
            {
                "station": "T-STACKING",
                "start": "2026-12-02T00:00:00Z",
                "end": "2026-12-01T00:00:00Z",
            },
            "end",
        ),
        (
            {
                "station": "T-STACKING",
                "start": "2024-01-01T00:00:00Z",
                "end": "2026-01-01T00:00:00Z",
            },
            "start",
        ),
    ],
)
def test_a_bad_query_is_a_translated_400_naming_its_field(api, operator, stacker, query, field):
    api.force_authenticate(operator)
    response = api.get("/api/v1/oee/", query, headers={"Accept-Language": "zh-hans"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert field in error["fields"]
    words = " ".join(error["fields"][field])
    assert re.search("[\u4e00-\u9fff]", words), words  # in Chinese, not English
    assert not re.search(r"\b(must|give|has|span|valid)\b", words, re.I), words


def test_an_unknown_station_is_a_404(api, operator, stacker):
    api.force_authenticate(operator)
    response = api.get("/api/v1/oee/", {"station": "NOPE"})
    assert response.status_code == 404
    assert response.json()["error"]["fields"] == {"station": [response.json()["error"]["message"]]}


def test_a_station_without_states_or_units_has_no_figures_not_zeros(api, operator, stacker):
    api.force_authenticate(operator)
    (row,) = api.get("/api/v1/oee/", {"station": stacker.code}).json()
    assert row["no_data_s"] == pytest.approx(24 * 3600)
    assert (row["availability"], row["performance"], row["quality"], row["oee"]) == (None,) * 4


def test_anonymous_callers_are_refused(api, stacker):
    assert api.get("/api/v1/oee/", {"station": stacker.code}).status_code in (401, 403)


def test_metrics_show_each_stations_state_and_its_oee_so_far(client, plant, stacker):
    StateChange.objects.create(
        station=stacker, at=timezone.now() - timedelta(hours=1), plc_state="6", category="running"
    )
    text = client.get("/metrics").content.decode()
    assert 'mes_station_state{station="T-STACKING",state="running"} 1' in text
    assert 'mes_station_state{station="T-COATING",state="no_data"} 1' in text
    assert 'mes_station_shift_oee{station="T-STACKING",shift="day",figure="availability"} 1' in text


def test_a_line_gets_a_row_of_its_own_after_its_stations(api, operator, plant, stacker):
    _shift_of_states(stacker)
    _operations(plant, stacker, count=400, failed=8)
    IdealCycle.objects.create(station_kind="stacking", seconds=24)
    api.force_authenticate(operator)

    rows = api.get(
        "/api/v1/oee/",
        {"line": plant.line.code, "start": minutes(0).isoformat(), "end": minutes(240).isoformat()},
    ).json()

    *stations, line = rows
    assert line["station"] is None
    assert len(stations) == plant.line.stations.count()
    # only the stacker reported states and made units: the line's row is its row
    (stacking,) = [r for r in stations if r["station"] == stacker.code]
    for key in ("planned_s", "run_s", "down_s", "availability", "performance", "quality", "oee"):
        assert line[key] == pytest.approx(stacking[key]), key
    assert sum(r["planned_s"] for r in stations) == line["planned_s"]
