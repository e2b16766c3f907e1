"""Samples to a codec segment and back, and what a segment row says about its samples.

The one place that knows how a `lines.Sample` maps onto lines/telemetry_codec.py's columns: the
compaction builds segments with `to_segment`, every reader gets samples back with `to_samples`
(unsaved `Sample` instances with their ids: a reader cannot tell them from stored rows).
"""

import hashlib
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta

import numpy as np
from django.db.models.base import ModelState

from lines import telemetry_codec as codec
from lines.models import Sample, SampleSegment
from lines.models.telemetry_segment import BUCKET_SECONDS
from lines.telemetry_bounds import MAX_ABS_VALUE

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
PLC = "plc"


def series_key(station_id: int | None, parameter: str, node_id: str) -> str:
    return f"{station_id if station_id is not None else '-'}|{parameter}|{node_id}"


def bucket_of(moment: datetime) -> datetime:
    """Start of the BUCKET_SECONDS bucket holding `moment` (UTC)."""
    seconds = int((moment - EPOCH).total_seconds() // BUCKET_SECONDS) * BUCKET_SECONDS
    return EPOCH + timedelta(seconds=seconds)


def microseconds(moment: datetime) -> int:
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def moment_of(us: int) -> datetime:
    return EPOCH + timedelta(microseconds=int(us))


def to_segment(samples: Sequence[Sample]) -> codec.Segment:
    """One series' samples, in (source_time, id) order, as a codec segment."""
    rows = sorted(samples, key=lambda s: (s.source_time, s.pk))
    if not rows:
        return _empty()

    def floats(name: str) -> tuple[np.ndarray, np.ndarray]:
        raw = [getattr(s, name) for s in rows]
        null = np.array([v is None for v in raw], dtype=bool)
        return np.array([0.0 if v is None else v for v in raw], dtype=np.float64), null

    def ints(name: str) -> tuple[np.ndarray, np.ndarray]:
        raw = [getattr(s, name) for s in rows]
        null = np.array([v is None for v in raw], dtype=bool)
        return np.array([0 if v is None else v for v in raw], dtype=np.int64), null

    value, value_null = floats("value")
    position, position_null = floats("position_m")
    unit, unit_null = ints("unit_id")
    batch, batch_null = ints("batch_id")
    return codec.Segment(
        id=np.array([s.pk for s in rows], dtype=np.int64),
        source_us=np.array([microseconds(s.source_time) for s in rows], dtype=np.int64),
        server_us=np.array([microseconds(s.server_time) for s in rows], dtype=np.int64),
        value=value,
        value_null=value_null,
        status=np.array([s.status_code for s in rows], dtype=np.int64),
        unit=unit,
        unit_null=unit_null,
        batch=batch,
        batch_null=batch_null,
        position=position,
        position_null=position_null,
        raw={i: s.raw_value for i, s in enumerate(rows) if s.raw_value},
        reason={i: s.rejected_reason for i, s in enumerate(rows) if s.rejected_reason},
        source={i: s.source for i, s in enumerate(rows) if s.source != PLC},
        user={i: s.recorded_by_id for i, s in enumerate(rows) if s.recorded_by_id is not None},
    )


def _empty() -> codec.Segment:
    none, nothing = np.zeros(0, dtype=bool), np.zeros(0, dtype=np.int64)
    return codec.Segment(nothing, nothing, nothing, np.zeros(0), none, nothing, nothing, none,
                         nothing, none, np.zeros(0), none)  # fmt: skip


def to_samples(
    row: SampleSegment, seg: codec.Segment, only: Iterable[int] | None = None
) -> list[Sample]:
    """The segment's samples (or those at the indices `only`) as unsaved Sample instances
    carrying their stored ids. Built column-wise, each instance as Model.__init__ leaves it (its
    field values and a fresh state; Sample has no init signals' receivers) without its per-field
    descriptor calls: a reader may build tens of thousands, and __init__ cost 50 us each here."""
    at = np.arange(len(seg)) if only is None else np.fromiter(only, dtype=np.int64)

    def nullable(values: np.ndarray, null: np.ndarray, kind: type) -> list:
        pairs = zip(values[at].tolist(), null[at].tolist(), strict=True)
        return [None if n else kind(v) for v, n in pairs]

    spots = at.tolist()
    columns = {
        "id": seg.id[at].tolist(),
        "station_id": [row.station_id] * len(spots),
        "parameter": [row.parameter] * len(spots),
        "node_id": [row.node_id] * len(spots),
        "batch_id": nullable(seg.batch, seg.batch_null, int),
        "raw_value": [seg.raw.get(i, "") for i in spots],
        "value": nullable(seg.value, seg.value_null, float),
        "source_time": [moment_of(us) for us in seg.source_us[at].tolist()],
        "server_time": [moment_of(us) for us in seg.server_us[at].tolist()],
        "status_code": seg.status[at].tolist(),
        "unit_id": nullable(seg.unit, seg.unit_null, int),
        "position_m": nullable(seg.position, seg.position_null, float),
        "source": [seg.source.get(i, PLC) for i in spots],
        "recorded_by_id": [seg.user.get(i) for i in spots],
        "rejected_reason": [seg.reason.get(i, "") for i in spots],
    }
    ordered = [columns[name] for name in _ATTNAMES]
    return [
        _built(dict(zip(_ATTNAMES, values, strict=True))) for values in zip(*ordered, strict=True)
    ]


_ATTNAMES = [f.attname for f in Sample._meta.concrete_fields]


def _built(values: dict) -> Sample:
    sample = Sample.__new__(Sample)
    sample._state = ModelState()
    sample.__dict__.update(values)
    return sample


def checksum(seg: codec.Segment) -> str:
    """sha256 over every column of every sample, floats as their 64 bits, NULLs as masks: equal
    for the rows a segment was built from and for the segment decoded."""
    digest = hashlib.sha256()
    for array in (seg.id, seg.source_us, seg.server_us, seg.status):
        digest.update(np.ascontiguousarray(array, dtype=np.int64).tobytes())
    for values, null in (
        (seg.value, seg.value_null),
        (seg.unit, seg.unit_null),
        (seg.batch, seg.batch_null),
        (seg.position, seg.position_null),
    ):
        digest.update(np.ascontiguousarray(null, dtype=bool).tobytes())
        digest.update(np.ascontiguousarray(values).view(np.uint64)[~null].tobytes())
    for sparse in (seg.raw, seg.reason, seg.source, seg.user):
        digest.update(repr(sorted(sparse.items())).encode())
    return digest.hexdigest()


def usable_mask(seg: codec.Segment) -> np.ndarray:
    """The samples lines.selectors.telemetry.usable_samples would keep: accepted, Good status,
    a value within the ingest's bound (NaN and infinities are not)."""
    mask = ~seg.value_null & (seg.status == 0)
    with np.errstate(invalid="ignore"):
        mask &= np.abs(seg.value) <= MAX_ABS_VALUE
    for i in seg.reason:
        mask[i] = False
    return mask


def summary(seg: codec.Segment, bucket: datetime) -> dict:
    """The segment row's fields describing its samples (everything but key, data, checksum)."""
    usable = usable_mask(seg)
    values = seg.value[usable]
    minutes = []
    if len(values):
        offsets = (seg.source_us[usable] - microseconds(bucket)) // 60_000_000
        for minute in np.unique(offsets):
            chosen = values[offsets == minute]
            minutes.append(
                [int(minute), float(chosen.min()), float(chosen.max()), int(len(chosen))]
            )
    units = np.unique(seg.unit[~seg.unit_null])
    return {
        "first_time": moment_of(int(seg.source_us.min())),
        "last_time": moment_of(int(seg.source_us.max())),
        "first_id": int(seg.id.min()),
        "last_id": int(seg.id.max()),
        "count": len(seg),
        "usable": int(usable.sum()),
        "value_min": float(values.min()) if len(values) else None,
        "value_max": float(values.max()) if len(values) else None,
        "minutes": minutes,
        "units": len(units),
        "unit_ids": [int(u) for u in units],
    }
