"""The demo line's telemetry as sample rows, for bench.telemetry_storage: made by the simulator's
process model (LineModel, 10 Hz), attributed and rejected as the ingest would. No Django.

What a row gets, and why (docs/telemetry.md, "Compact storage at rest: the measured choice"):
- times: the 100 ms grid plus the PLC's scan jitter (0-3 ms, 1 ms resolution, one draw per
  station and step: one PLC scan stamps all its values), server time 1-5 ms later at 1 us
  resolution (the asyncua simulator stamps both at its tick; a real server does not);
- a batch per 0.2 s (the bridge's default publishing at the demo rate), ids in arrival order;
- unit attribution: the serial in the station (cells), the roll and its metre on COAT-01, none in
  the dry room; the serials themselves stored as text (raw_value), as the ingest stores them;
- faults as the ingest bench injects them (a spike on COAT-01's areal loading every 2,000
  steps), plus a bad status (BadSensorFailure, 1 s) every 5,000 steps and NaN (0.5 s) every
  7,000 steps on a rotating channel, the first ones early (steps 300 and 600) so that a small
  run has them too, stored rejected with the ingest's reason;
- the stacker's and EOL tester's result events as samples of their cell (event_columns), and a
  manual measurement every 3,000 steps (source "manual", a user, no batch).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

from lines.telemetry_codec import Segment
from opcua_bridge.simulator import FaultKind, load_plan
from opcua_bridge.simulator.catalog import (
    ROLE_MACHINE_STATE,
    ROLE_STOP_REASON,
    ROLE_UNIT_ID,
    ROLE_WEB_POSITION,
)
from opcua_bridge.simulator.model import LineModel, ResultEvent, Write

T0_US = int(datetime(2026, 11, 2, tzinfo=UTC).timestamp()) * 1_000_000
STEP_S = 0.1
SLOW_CHANNELS = {
    ROLE_UNIT_ID,
    ROLE_WEB_POSITION,
    ROLE_MACHINE_STATE,
    ROLE_STOP_REASON,
    "sheet_count",
}
EVENT_BOOKKEEPING = {"serial", "result", "sequence", "feed_roll"}
MANUAL_PARAMETER = "cell_thickness_manual_mm"


@dataclass
class Mix:
    """Sample rows in id order, as numpy columns; text columns sparse ({row: text})."""

    tags: list[tuple[int | None, str, str]]  # (station id, parameter, node id) per tag index
    slow: list[bool]  # per tag index: a slowly changing signal (counter, constant, state, serial)
    tag: np.ndarray  # int32 tag index
    id: np.ndarray
    source_us: np.ndarray
    server_us: np.ndarray
    value: np.ndarray
    value_null: np.ndarray
    status: np.ndarray
    unit: np.ndarray
    unit_null: np.ndarray
    batch: np.ndarray
    batch_null: np.ndarray
    position: np.ndarray
    position_null: np.ndarray
    raw: dict[int, str] = field(default_factory=dict)
    reason: dict[int, str] = field(default_factory=dict)
    source: dict[int, str] = field(default_factory=dict)
    user: dict[int, int] = field(default_factory=dict)
    stations: dict[str, int] = field(default_factory=dict)
    line_seconds: float = 0.0

    def __len__(self) -> int:
        return len(self.id)


def demo_mix(samples: int, seed: int = 7, first_id: int = 1) -> Mix:
    """At least `samples` rows (whole steps) of the demo line at 10 Hz."""
    plan = load_plan()
    model = LineModel(plan, seed=seed)
    rng = random.Random(seed)
    nodes = {(t.station, t.channel): f"ns=2;s={t.identifier}" for t in plan.tags}
    stations: dict[str, int] = {}
    for station, _ in nodes:
        stations.setdefault(station, len(stations) + 1)
    tag_index: dict[tuple[int | None, str, str], int] = {}
    slow: list[bool] = []
    numeric = sorted(model.numeric_channels())
    units: dict[str, int] = {}
    current: dict[str, int] = {}
    web_m: float | None = None
    cols: dict[str, list] = {
        k: [] for k in ("tag", "src", "srv", "val", "st", "unit", "batch", "pos")
    }
    raw: dict[int, str] = {}
    reason: dict[int, str] = {}
    source: dict[int, str] = {}
    user: dict[int, int] = {}

    def tag_of(station: str, parameter: str, node: str, is_slow: bool) -> int:
        key = (stations[station], parameter, node)
        if key not in tag_index:
            tag_index[key] = len(tag_index)
            slow.append(is_slow)
        return tag_index[key]

    def add(tag: int, src: int, srv: int, val, st: int, unit, batch, pos) -> int:
        row = len(cols["tag"])
        for name, item in zip(cols, (tag, src, srv, val, st, unit, batch, pos), strict=True):
            cols[name].append(item)
        return row

    step = 0
    while len(cols["tag"]) < samples:
        step += 1
        if step % 2000 == 100:
            model.inject(FaultKind.SPIKE, "COAT-01", "areal_loading_mg_cm2", 0.0, 3.0)
        if step % 5000 == 300:
            station, channel = numeric[(step // 5000) % len(numeric)]
            model.inject(FaultKind.BAD_STATUS, station, channel, 1.0)
        if step % 7000 == 600:
            station, channel = numeric[(step // 7000 * 3) % len(numeric)]
            model.inject(FaultKind.NAN, station, channel, 0.5)
        result = model.step(STEP_S)
        grid = T0_US + round(result.time_s * 1e6)
        batch = 1 + step // 2
        jitter: dict[str, int] = {}
        for item in result.items:
            station = item.station
            if station not in jitter:
                jitter[station] = rng.randrange(4) * 1000
            src = grid + jitter[station]
            if isinstance(item, ResultEvent):
                cell = units.setdefault(str(item.fields["serial"]), len(units) + 1000)
                node = nodes[(station, "result_event")]
                for name, raw_field in item.fields.items():
                    if name in EVENT_BOOKKEEPING or not isinstance(raw_field, int | float):
                        continue
                    tag = tag_of(station, name, node, False)
                    add(tag, src, src, float(raw_field), 0, cell, batch, None)
                continue
            assert isinstance(item, Write)
            channel = item.channel
            is_slow = channel in SLOW_CHANNELS
            parameter = "" if channel in SLOW_CHANNELS - {"sheet_count"} else channel
            tag = tag_of(station, parameter, nodes[(station, channel)], is_slow)
            srv = src + rng.randrange(1000, 5000)
            if channel == ROLE_UNIT_ID:
                row = add(tag, src, srv, None, 0, None, batch, None)
                if item.value:
                    raw[row] = str(item.value)
                    current[station] = units.setdefault(str(item.value), len(units) + 1000)
                else:  # the station is empty
                    current.pop(station, None)
                continue
            if channel == ROLE_WEB_POSITION:
                web_m = float(item.value)
            pos = web_m if station == "COAT-01" else None
            value = float(item.value)
            if item.status != 0:
                row = add(tag, src, srv, None, item.status, current.get(station), batch, pos)
                reason[row] = f"OPC UA status 0x{item.status:08X}"
            elif value != value:
                row = add(tag, src, srv, None, 0, current.get(station), batch, pos)
                raw[row], reason[row] = "NaN", "not a finite number"
            else:
                add(tag, src, srv, value, 0, current.get(station), batch, pos)
        if step % 3000 == 900:
            tag = tag_of("WIP-01", MANUAL_PARAMETER, "", False)
            value = round(rng.gauss(8.1, 0.02), 3)
            row = add(tag, grid, grid, value, 0, current.get("WIP-01"), None, None)
            source[row], user[row] = "manual", 1 + step % 3
    n = len(cols["tag"])
    val = cols["val"]
    unit = cols["unit"]
    batches = cols["batch"]
    pos = cols["pos"]
    return Mix(
        tags=list(tag_index),
        slow=slow,
        tag=np.array(cols["tag"], dtype=np.int32),
        id=np.arange(first_id, first_id + n, dtype=np.int64),
        source_us=np.array(cols["src"], dtype=np.int64),
        server_us=np.array(cols["srv"], dtype=np.int64),
        value=np.array([0.0 if v is None else v for v in val], dtype=np.float64),
        value_null=np.array([v is None for v in val], dtype=bool),
        status=np.array(cols["st"], dtype=np.int64),
        unit=np.array([0 if u is None else u for u in unit], dtype=np.int64),
        unit_null=np.array([u is None for u in unit], dtype=bool),
        batch=np.array([0 if b is None else b for b in batches], dtype=np.int64),
        batch_null=np.array([b is None for b in batches], dtype=bool),
        position=np.array([0.0 if p is None else p for p in pos], dtype=np.float64),
        position_null=np.array([p is None for p in pos], dtype=bool),
        raw=raw,
        reason=reason,
        source=source,
        user=user,
        stations=stations,
        line_seconds=step * STEP_S,
    )


ORIGIN_US = int(datetime(2000, 1, 1, tzinfo=UTC).timestamp()) * 1_000_000  # date_bin's origin


@dataclass
class Keyed:
    """A segment with its key: tag index and bucket start (us)."""

    tag: int
    bucket_us: int
    segment: Segment


def segments(mix: Mix, bucket_s: int) -> list[Keyed]:
    """The mix cut per tag and time bucket, each in (source time, id) order."""
    bucket_us = bucket_s * 1_000_000
    bucket = (mix.source_us - ORIGIN_US) // bucket_us
    order = np.lexsort((mix.id, mix.source_us, bucket, mix.tag))
    tag_o, bucket_o = mix.tag[order], bucket[order]
    change = np.ones(len(order), dtype=bool)
    change[1:] = (tag_o[1:] != tag_o[:-1]) | (bucket_o[1:] != bucket_o[:-1])
    starts = np.flatnonzero(change)
    ends = np.append(starts[1:], len(order))
    where = np.empty(len(order), dtype=np.int64)
    where[order] = np.arange(len(order))
    sparse: list[dict[str, dict]] = [
        {k: {} for k in ("raw", "reason", "source", "user")} for _ in starts
    ]
    for name in ("raw", "reason", "source", "user"):
        for row, text in getattr(mix, name).items():
            at = int(where[row])
            s = int(np.searchsorted(starts, at, side="right")) - 1
            sparse[s][name][at - int(starts[s])] = text
    out = []
    for s, (a, b) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        rows = order[a:b]
        out.append(
            Keyed(
                tag=int(tag_o[a]),
                bucket_us=ORIGIN_US + int(bucket_o[a]) * bucket_us,
                segment=Segment(
                    id=mix.id[rows],
                    source_us=mix.source_us[rows],
                    server_us=mix.server_us[rows],
                    value=mix.value[rows],
                    value_null=mix.value_null[rows],
                    status=mix.status[rows],
                    unit=mix.unit[rows],
                    unit_null=mix.unit_null[rows],
                    batch=mix.batch[rows],
                    batch_null=mix.batch_null[rows],
                    position=mix.position[rows],
                    position_null=mix.position_null[rows],
                    **sparse[s],
                ),
            )
        )
    return out
