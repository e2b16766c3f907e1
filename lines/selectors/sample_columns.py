"""Telemetry as columns: the samples a `Where` matches, hot and compacted, as numpy arrays.

lines.selectors.samples answers Sample instances, and building them is most of what a read of
one cell costs (3,600 of them: ~30 ms of a ~45 ms read on this machine, decoding and the queries
the rest). A reader that only summarises (a unit's report and passport: count, unusable, min,
mean, max per station and parameter) takes the columns instead and builds nothing per sample.

The promises of lines.selectors.samples hold here too: the same samples (a hot row wins over its
compacted copy), ordered by (source time, id).
"""

from dataclasses import dataclass, fields

import numpy as np

from lines import sample_segments as ss
from lines.selectors.samples import Where, hot, mask, segments
from lines.selectors.telemetry import MAX_ABS_VALUE
from lines.telemetry_codec import Segment, decode

NO_STATION = NO_UNIT = -1


@dataclass(frozen=True)
class Columns:
    """One entry per sample, in (source time, id) order."""

    id: np.ndarray  # int64
    source_us: np.ndarray  # int64, microseconds since the epoch
    station_id: np.ndarray  # int64, NO_STATION where the sample has none
    unit_id: np.ndarray  # int64, NO_UNIT where the sample has none
    parameter: np.ndarray  # object (str)
    value: np.ndarray  # float64, NaN where the value is NULL
    status: np.ndarray  # int64
    rejected: np.ndarray  # bool: a rejection reason is recorded

    def __len__(self) -> int:
        return len(self.id)

    def within_bound(self) -> np.ndarray:
        """lines.selectors.telemetry.is_usable_value as a mask: a value, finite and within the
        ingest's bound (NaN, infinities and NULL are not)."""
        with np.errstate(invalid="ignore"):
            return np.abs(self.value) <= MAX_ABS_VALUE

    def usable(self) -> np.ndarray:
        """lines.selectors.telemetry.usable_samples as a mask: accepted, Good, within bound."""
        return self.within_bound() & (self.status == 0) & ~self.rejected


_HOT_FIELDS = ("id", "source_time", "station_id", "unit_id", "parameter", "value", "status_code")


def columns(where: Where) -> Columns:
    """Every sample matching `where`, as columns."""
    if where.empty():
        return _joined([])
    parts = [_hot(where)]
    # Sources and positions are what `mask` may ask of the columns a summary needs not decode.
    detail = where.source is not None or where.positioned
    for station_id, parameter, blob in segments(where, data=True).values_list(
        "station_id", "parameter", "data"
    ):
        seg = decode(bytes(blob), detail=detail)
        parts.append(_compacted(station_id, parameter, seg, np.flatnonzero(mask(where, seg))))
    return _joined(parts)


def _hot(where: Where) -> Columns:
    found = list(hot(where).values_list(*_HOT_FIELDS, "rejected_reason"))
    if not found:
        return _joined([])
    ids, times, stations, units, parameters, values, statuses, reasons = zip(*found, strict=True)
    return Columns(
        id=np.array(ids, dtype=np.int64),
        source_us=np.array([ss.microseconds(t) for t in times], dtype=np.int64),
        station_id=np.array([NO_STATION if s is None else s for s in stations], dtype=np.int64),
        unit_id=np.array([NO_UNIT if u is None else u for u in units], dtype=np.int64),
        parameter=np.array(parameters, dtype=object),
        value=np.array([np.nan if v is None else v for v in values], dtype=np.float64),
        status=np.array(statuses, dtype=np.int64),
        rejected=np.array([bool(r) for r in reasons], dtype=bool),
    )


def _compacted(station_id: int | None, parameter: str, seg: Segment, at: np.ndarray) -> Columns:
    rejected = np.zeros(len(seg), dtype=bool)
    rejected[list(seg.reason)] = True
    n = len(at)
    return Columns(
        id=seg.id[at],
        source_us=seg.source_us[at],
        station_id=np.full(n, NO_STATION if station_id is None else station_id, dtype=np.int64),
        unit_id=np.where(seg.unit_null[at], NO_UNIT, seg.unit[at]),
        parameter=np.full(n, parameter, dtype=object),
        value=np.where(seg.value_null[at], np.nan, seg.value[at]),
        status=seg.status[at],
        rejected=rejected[at],
    )


def _joined(parts: list[Columns]) -> Columns:
    """One Columns in (source time, id) order; a sample in two parts kept once, the first
    (the hot row: a compaction committing between the reads copies it into a segment)."""
    names = [f.name for f in fields(Columns)]
    if not parts:
        kinds = (np.int64, np.int64, np.int64, np.int64, object, np.float64, np.int64, bool)
        return Columns(*(np.zeros(0, dtype=kind) for kind in kinds))
    joined = {name: np.concatenate([getattr(p, name) for p in parts]) for name in names}
    _, first = np.unique(joined["id"], return_index=True)
    order = first[np.lexsort((joined["id"][first], joined["source_us"][first]))]
    return Columns(**{name: column[order] for name, column in joined.items()})
