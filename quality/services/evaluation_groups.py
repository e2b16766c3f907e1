"""What evaluation judges together: the values of one series (station, parameter, unit) under one
spec version, as numpy columns.

Groups come from stored Sample objects (manual measurements, tests) or from an ingest batch's
rows as columns (lines.ingest.SampleColumns, 1,000 values a batch: no model instance per value).
Both give the same groups in the same order: series in order of first value, then spec versions
in order of first value.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lines.ingest.columns import SampleColumns
from lines.models import Sample, Station, Unit
from quality.models import Spec, SpecVersion
from quality.selectors.spec_cache import SpecResolver
from quality.selectors.specs import VersionTimeline


@dataclass
class Group:
    """One series' values under one spec version; NaN stands for no value (and no position)."""

    station: Station
    spec: Spec
    version: SpecVersion
    unit: Unit | None
    ids: np.ndarray  # sample ids, int64
    values: np.ndarray  # float64
    statuses: np.ndarray  # int64, OPC UA status codes
    reasons: list[str]  # rejected_reason per value, "" for a usable one
    positions: np.ndarray  # float64, roll metres


def groups_of_samples(samples: Sequence[Sample]) -> list[Group]:
    """Groups of stored samples; give them with `station` and `unit` loaded to save queries."""
    series: dict[tuple, list[Sample]] = {}
    for sample in samples:  # one tuple and one append per sample: 100,000 samples per call
        key = (sample.station_id, sample.parameter, sample.unit_id)
        series.setdefault(key, []).append(sample)
    resolve, groups = SpecResolver(), []
    for members in series.values():
        station, unit = members[0].station, members[0].unit
        assert station is not None  # judged samples come from a station (the ingest's)
        spec = resolve.spec(station, members[0].parameter, unit)
        if spec is None:
            continue  # a parameter with no spec yet is stored, not judged
        timeline = resolve.timeline(spec)
        in_force = np.array([timeline.index(s.source_time) for s in members], dtype=np.int64)
        for version, picked in _by_version(timeline, in_force):
            chosen = [members[i] for i in picked]
            groups.append(
                Group(
                    station, spec, version, unit,
                    ids=np.array([s.pk for s in chosen], dtype=np.int64),
                    values=np.array([s.value for s in chosen], dtype=np.float64),
                    statuses=np.array([s.status_code for s in chosen], dtype=np.int64),
                    reasons=[s.rejected_reason for s in chosen],
                    positions=np.array([s.position_m for s in chosen], dtype=np.float64),
                )
            )  # fmt: skip
    return groups


def groups_of_rows(rows: SampleColumns) -> list[Group]:
    """Groups of an ingest batch's stored rows (those with a station)."""
    series: dict[tuple, list[int]] = {}
    for i, key in enumerate(zip(rows.station_id, rows.parameter, rows.unit_id, strict=True)):
        if key[0] is not None:
            series.setdefault(key, []).append(i)
    if not series:
        return []
    columns = _RowArrays(rows)
    units = Unit.objects.in_bulk({unit_id for _, _, unit_id in series if unit_id is not None})
    resolve, groups = SpecResolver(), []
    for (station_id, parameter, unit_id), members in series.items():
        station, unit = rows.stations[station_id], units.get(unit_id)
        spec = resolve.spec(station, parameter, unit)
        if spec is None:
            continue
        timeline = resolve.timeline(spec)
        picked_rows = np.array(members, dtype=np.int64)
        in_force = timeline.indexes_us(columns.times_us[picked_rows])
        for version, picked in _by_version(timeline, in_force):
            groups.append(columns.group(station, spec, version, unit, picked_rows[picked]))
    return groups


class _RowArrays:
    """The numeric columns of a batch's rows as numpy arrays, made once per batch."""

    def __init__(self, rows: SampleColumns) -> None:
        self.ids = np.array(rows.ids, dtype=np.int64)
        self.values = np.array(rows.value, dtype=np.float64)  # None -> NaN
        self.statuses = np.array(rows.status_code, dtype=np.int64)
        self.positions = np.array(rows.position_m, dtype=np.float64)
        self.times_us = np.array(rows.source_us, dtype=np.int64)
        self.reasons = rows.rejected_reason

    def group(self, station, spec, version, unit, at: np.ndarray) -> Group:  # noqa: ANN001
        return Group(
            station, spec, version, unit,
            ids=self.ids[at], values=self.values[at], statuses=self.statuses[at],
            reasons=[self.reasons[i] for i in at.tolist()], positions=self.positions[at],
        )  # fmt: skip


def _by_version(
    timeline: VersionTimeline, in_force: np.ndarray
) -> list[tuple[SpecVersion, np.ndarray]]:
    """(version, positions of its values), versions in order of their first value; a value from
    before the spec existed (index -1) is not judged."""
    found, first = np.unique(in_force, return_index=True)
    out = []
    for index in found[np.argsort(first, kind="stable")].tolist():
        if index >= 0:
            out.append((timeline.versions[index], np.flatnonzero(in_force == index)))
    return out
