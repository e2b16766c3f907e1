"""Samples for the compaction tests: a realistic mix, every stored sample's columns (hot rows and
segments), and per series and bucket the count and checksum the rows give."""

import math
import struct
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from lines import sample_segments as ss
from lines import telemetry_codec as codec
from lines.models import IngestBatch, Sample, SampleSegment
from tests.factories import Plant, make_cell, make_roll

# Three days back, at a bucket start: well outside a 24 h hot window.
BASE = ss.bucket_of(datetime.now(UTC) - timedelta(days=3))


def bits(x: float | None) -> int | None:
    return None if x is None else struct.unpack("<Q", struct.pack("<d", x))[0]


def fields(s: Sample) -> tuple:
    """Every column, floats as their 64 bits (NaN payloads and -0.0 compared exactly)."""
    return (
        s.pk, s.station_id, s.parameter, s.node_id, s.batch_id, s.raw_value, bits(s.value),
        s.source_time, s.server_time, s.status_code, s.unit_id, bits(s.position_m), s.source,
        s.recorded_by_id, s.rejected_reason,
    )  # fmt: skip


def sample(station, parameter: str, node: str, seconds: float, value, **extra) -> Sample:
    at = BASE + timedelta(seconds=seconds)
    return Sample(
        station=station, parameter=parameter, node_id=node, value=value, source_time=at,
        server_time=at + timedelta(milliseconds=7), **extra,
    )  # fmt: skip


def mix_store(plant: Plant, user) -> list[Sample]:
    """Accepted values of two series over three buckets, a bad status rejected with its reason,
    NaN, a text raw value, an unknown node with no station, a manual sample with its user and
    source, roll samples with position_m and cell samples attributed to units."""
    coater, stacker = plant.station("coating"), plant.station("stacking")
    roll, cell = make_roll("R-COMPACT-1"), make_cell(plant, "C-COMPACT-1")
    batch = IngestBatch.objects.create(
        batch_id="00000000-0000-0000-0000-00000000c0de", received_at=BASE, samples=1
    )
    rows = []
    for i in range(90):  # 1.5 buckets of one sample per 10 s... and a third bucket below
        rows.append(
            sample(
                coater,
                "areal_loading_mg_cm2",
                "ns=2;s=COAT.ArealLoading",
                i * 10,
                20.0 + math.sin(i) / 7,
                unit=roll,
                position_m=i * 0.37,
                batch=batch,
            )  # fmt: skip
        )
    for i in range(40):
        rows.append(
            sample(
                stacker,
                "stacking_pressure_mpa",
                "ns=2;s=STACK.Pressure",
                5 + i * 31,
                1.5 + i * 0.001,
                unit=cell if i % 3 else None,
            )  # fmt: skip
        )
    pressure = (stacker, "stacking_pressure_mpa", "ns=2;s=STACK.Pressure")
    rows += [
        sample(*pressure, 61, 1.7, status_code=0x80340000, rejected_reason="bad status 0x80340000"),
        sample(*pressure, 62, float("nan"), rejected_reason="not a finite number"),
        sample(*pressure, 63, -0.0),
        sample(*pressure, 64, None, raw_value="n/a", rejected_reason="not a number"),
        sample(None, "", "ns=2;s=Nobody.Knows", 70, 3.0, rejected_reason="unknown node"),
        sample(
            None,
            "",
            "ns=2;s=Nobody.Knows",
            1300,
            None,
            raw_value="text",
            rejected_reason="unknown node",
        ),  # fmt: skip
        sample(stacker, "cell_thickness_mm", "", 100, 4.01, source="manual", recorded_by=user),
        sample(
            stacker,
            "cell_thickness_mm",
            "",
            1250,
            4.02,
            source="manual",
            recorded_by=user,
            unit=cell,
        ),  # fmt: skip
        sample(
            coater,
            "areal_loading_mg_cm2",
            "ns=2;s=COAT.ArealLoading",
            1205,
            1e300,
            rejected_reason="out of bounds",
            position_m=None,
        ),  # fmt: skip
    ]
    rows.append(  # hot: younger than the window, stays a row
        Sample(
            station=coater,
            parameter="areal_loading_mg_cm2",
            node_id="ns=2;s=COAT.ArealLoading",
            value=21.0,
            source_time=datetime.now(UTC),
            server_time=datetime.now(UTC),
        )  # fmt: skip
    )
    return Sample.objects.bulk_create(rows)


def stored() -> dict[int, tuple]:
    """Every stored sample, hot or compacted, by id; fails on an id stored twice."""
    out = {s.pk: fields(s) for s in Sample.objects.all()}
    for row in SampleSegment.objects.all():
        for s in ss.to_samples(row, codec.decode(bytes(row.data))):
            assert s.pk not in out, f"sample {s.pk} stored twice"
            out[s.pk] = fields(s)
    return out


def per_bucket(samples: list[Sample]) -> dict[tuple[str, datetime], tuple[int, str]]:
    """(series, bucket) -> (count, checksum) of the rows, as the reference mapping computes it."""
    groups: dict[tuple[str, datetime], list[Sample]] = defaultdict(list)
    for s in samples:
        key = ss.series_key(s.station_id, s.parameter, s.node_id)
        groups[(key, ss.bucket_of(s.source_time))].append(s)
    return {k: (len(v), ss.checksum(ss.to_segment(v))) for k, v in groups.items()}


def segment_buckets() -> dict[tuple[str, datetime], tuple[int, str]]:
    return {(r.series, r.bucket): (r.count, r.checksum) for r in SampleSegment.objects.all()}
