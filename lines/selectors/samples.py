"""The one reader of telemetry: hot rows (lines.Sample) and segments (lines.SampleSegment) as one.

A reader says what it wants in a `Where` and gets `Sample` instances back: hot ones as stored,
compacted ones decoded (unsaved, carrying their stored ids), so it cannot tell them apart.

What every function promises:
- The samples are exactly those the equivalent ORM filter on lines.Sample would return had
  nothing been compacted; `usable=True` is lines.selectors.telemetry.usable_samples (accepted,
  Good status, a value within the ingest's bound; lines.sample_segments.usable_mask).
- `samples` answers oldest first by (source_time, id); `newest` newest first by
  (source_time, id) descending; `oldest` as `samples` but at most n; `count` the number of them.
- Hot rows are read first, then segments, and a sample found in both is kept once (the hot row):
  a compaction committing between the two reads moves rows from the first to the second, never
  out of both.
- Segments are found by their cheapest key: a unit through SegmentUnit, a station, parameter or
  node through the segment's key, a time window through its first and last time, ids through
  first_id and last_id; only the segments that can hold an answer are decoded (`newest` and
  `oldest` stop decoding once no further segment can come before the n found). Each read costs one
  query more than the hot-only read it replaces (the segments' look-up), none when `hot_only`.
- `attach` meets select_related needs (station, unit, batch) with one query per relation for the
  decoded samples (hot ones come joined).
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar, cast

import numpy as np
from django.db.models import F, ForeignKey, Model, QuerySet

from lines import sample_segments as ss
from lines import telemetry_codec as codec
from lines.models import IngestBatch, Sample, SampleSegment, SegmentUnit, Station, Unit
from lines.selectors.telemetry import usable_samples

DECODE_BATCH = 16  # segments whose data one query loads, when reading only as many as needed
DECODED = "_samples_decoded"  # where a row read without its data keeps it once decoded


@dataclass(frozen=True)
class Where:
    """What a reader asks for; None means no condition. Times are source times."""

    units: Sequence[int] | None = None
    stations: Sequence[int] | None = None
    station_kind: str | None = None
    parameters: Sequence[str] | None = None
    node_id: str | None = None
    ids: Sequence[int] | None = None
    since: datetime | None = None  # source_time >= since (> when since_open)
    since_open: bool = False
    until: datetime | None = None  # source_time < until (<= when until_closed)
    until_closed: bool = False
    usable: bool = False
    source: str | None = None
    rejected: bool | None = None  # True: only rejected ones; False: none of them
    positioned: bool = False  # a web position (position_m) recorded

    def empty(self) -> bool:
        return any(
            v is not None and len(v) == 0
            for v in (self.units, self.stations, self.parameters, self.ids)
        )


_M = TypeVar("_M", Sample, SampleSegment)


def _of_series(q: QuerySet[_M], where: Where) -> QuerySet[_M]:
    """The series part of `where` (station, kind, parameter, node): the same fields on a hot row
    and on a segment."""
    if where.stations is not None:
        q = q.filter(station_id__in=list(where.stations))
    if where.station_kind is not None:
        q = q.filter(station__kind=where.station_kind)
    if where.parameters is not None:
        q = q.filter(parameter__in=list(where.parameters))
    if where.node_id is not None:
        q = q.filter(node_id=where.node_id)
    return q


def hot(where: Where) -> QuerySet[Sample]:
    """The hot rows matching `where` (unordered)."""
    q = Sample.objects.all()
    if where.units is not None:
        q = q.filter(unit_id__in=list(where.units))
    q = _of_series(q, where)
    if where.ids is not None:
        q = q.filter(id__in=list(where.ids))
    if where.since is not None:
        q = q.filter(**{"source_time__gt" if where.since_open else "source_time__gte": where.since})
    if where.until is not None:
        q = q.filter(
            **{"source_time__lte" if where.until_closed else "source_time__lt": where.until}
        )
    if where.usable:
        q = usable_samples(q)
    if where.source is not None:
        q = q.filter(source=where.source)
    if where.rejected is True:
        q = q.exclude(rejected_reason="")
    elif where.rejected is False:
        q = q.filter(rejected_reason="")
    if where.positioned:
        q = q.filter(position_m__isnull=False)
    return q


def segments(where: Where, *, data: bool = False) -> QuerySet[SampleSegment]:
    """The segments that can hold a sample matching `where` (unordered; their samples loaded
    only with `data`, when every one found will be decoded)."""
    q = (
        SampleSegment.objects.defer("minutes")
        if data
        else SampleSegment.objects.defer("data", "minutes")
    )
    if where.units is not None:
        held = SegmentUnit.objects.filter(unit_id__in=list(where.units)).values("segment_id")
        q = q.filter(id__in=held)
    q = _of_series(q, where)
    if where.ids is not None:
        q = q.filter(first_id__lte=max(where.ids), last_id__gte=min(where.ids))
    if where.since is not None:
        q = q.filter(**{"last_time__gt" if where.since_open else "last_time__gte": where.since})
    if where.until is not None:
        q = q.filter(**{"first_time__lte" if where.until_closed else "first_time__lt": where.until})
    if where.usable:
        q = q.filter(usable__gt=0)
    if where.rejected is True:  # a rejected sample is never usable
        q = q.filter(count__gt=F("usable"))
    return q


def mask(where: Where, seg: codec.Segment) -> np.ndarray:
    """Which of a decoded segment's samples match `where` (its key already matched)."""
    keep = np.ones(len(seg), dtype=bool)
    if where.units is not None:
        keep &= ~seg.unit_null & np.isin(seg.unit, np.array(list(where.units), dtype=np.int64))
    if where.ids is not None:
        keep &= np.isin(seg.id, np.array(list(where.ids), dtype=np.int64))
    if where.since is not None:
        at = ss.microseconds(where.since)
        keep &= seg.source_us > at if where.since_open else seg.source_us >= at
    if where.until is not None:
        at = ss.microseconds(where.until)
        keep &= seg.source_us <= at if where.until_closed else seg.source_us < at
    if where.usable:
        keep &= ss.usable_mask(seg)
    if where.source is not None:
        sources = np.full(len(seg), ss.PLC, dtype=object)
        for i, source in seg.source.items():
            sources[i] = source
        keep &= sources == where.source
    if where.rejected is not None:
        rejected = np.zeros(len(seg), dtype=bool)
        rejected[list(seg.reason)] = True
        keep &= rejected if where.rejected else ~rejected
    if where.positioned:
        keep &= ~seg.position_null
    return keep


def _whole(where: Where, row: SampleSegment) -> bool:
    """Whether every sample of a matching segment matches (its key did; no per-sample test)."""
    per_sample = (where.units, where.ids, where.source, where.rejected)
    if any(v is not None for v in per_sample) or where.positioned:
        return False
    if where.since is not None and not (
        row.first_time > where.since if where.since_open else row.first_time >= where.since
    ):
        return False
    return where.until is None or (
        row.last_time <= where.until if where.until_closed else row.last_time < where.until
    )


def _decoded(
    rows: Iterable[SampleSegment], *, until: Callable[[SampleSegment], bool] | None = None
) -> Iterator[tuple[SampleSegment, codec.Segment]]:
    """Each row with its decoded samples, the data of rows read without it loaded DECODE_BATCH
    rows per query; stops at the first row `until` says is not needed."""
    pending: list[SampleSegment] = []
    stopped = False

    def needless(row: SampleSegment) -> bool:
        return until is not None and until(row)

    def load() -> Iterator[tuple[SampleSegment, codec.Segment]]:
        nonlocal stopped
        data = dict(
            SampleSegment.objects.filter(id__in=[r.pk for r in pending]).values_list("id", "data")
        )
        for r in pending:
            if needless(r):  # `until` only turns true, the rows after it are not needed either
                stopped = True
                return
            r.__dict__[DECODED] = seg = codec.decode(bytes(data[r.pk]))
            yield r, seg

    for row in rows:
        if stopped or needless(row):
            break  # the rows read before it and not yet decoded still are
        if DECODED in row.__dict__:  # the same rows read twice (the API's count, then its page)
            yield row, row.__dict__[DECODED]
            continue
        if "data" not in row.get_deferred_fields():
            yield row, codec.decode(bytes(row.data))
            continue
        pending.append(row)
        if len(pending) == DECODE_BATCH:
            yield from load()
            pending = []
    if pending and not stopped:
        yield from load()


def _matching(where: Where, row: SampleSegment, seg: codec.Segment) -> list[Sample]:
    return ss.to_samples(row, seg, np.flatnonzero(mask(where, seg)))


def _key(s: Sample) -> tuple[datetime, int]:
    return (s.source_time, s.pk)


def _merge(hot_rows: Iterable[Sample], decoded: Iterable[Sample]) -> list[Sample]:
    found = {s.pk: s for s in decoded}
    found.update({s.pk: s for s in hot_rows})  # the hot row wins a race with compaction
    return sorted(found.values(), key=_key)


def samples(where: Where, *, related: Sequence[str] = ()) -> list[Sample]:
    """Every sample matching `where`, oldest first by (source_time, id)."""
    if where.empty():
        return []
    hot_rows = list(hot(where).select_related(*related))
    rows = list(segments(where, data=True))
    decoded = [s for row, seg in _decoded(rows) for s in _matching(where, row, seg)]
    out = _merge(hot_rows, decoded)
    attach(decoded, related)
    return out


def newest(
    where: Where,
    n: int,
    *,
    related: Sequence[str] = (),
    found: Sequence[SampleSegment] | None = None,
) -> list[Sample]:
    """The n newest samples matching `where`, newest first by (source_time, id). `found`: the
    segments(where) already read (by `count` for the same page), not read again."""
    return _ends(where, n, related, newest=True, found=found)


def oldest(where: Where, n: int, *, related: Sequence[str] = ()) -> list[Sample]:
    """The n oldest samples matching `where`, oldest first by (source_time, id)."""
    return _ends(where, n, related, newest=False, found=None)


def latest(where: Where, *, related: Sequence[str] = ()) -> Sample | None:
    found = newest(where, 1, related=related)
    return found[0] if found else None


def _ends(
    where: Where,
    n: int,
    related: Sequence[str],
    *,
    newest: bool,
    found: Sequence[SampleSegment] | None,
) -> list[Sample]:
    if where.empty() or n <= 0:
        return []
    order = ("-source_time", "-id") if newest else ("source_time", "id")
    hot_rows = list(hot(where).select_related(*related).order_by(*order)[:n])
    if found is None:  # one query, its rows (with their data) fetched as far as needed
        ordered = segments(where, data=True).order_by("-last_time" if newest else "first_time")
        rows: Iterable[SampleSegment] = ordered.iterator(chunk_size=DECODE_BATCH)
    else:
        rows = sorted(found, key=lambda r: r.last_time if newest else r.first_time, reverse=newest)
    # The best n so far, in rank order; a segment's samples are in (source_time, id) order, so
    # only its first (or last) n matching ones can rank: no more are built.
    best = sorted(hot_rows, key=_key, reverse=newest)
    decoded: list[Sample] = []

    def done_before(row: SampleSegment) -> bool:
        # No sample of this segment (nor of any after it in this order) can rank within n.
        if len(best) < n:
            return False
        edge = best[n - 1].source_time
        return row.last_time < edge if newest else row.first_time > edge

    for row, seg in _decoded(rows, until=done_before):
        at = np.flatnonzero(mask(where, seg))
        at = at[::-1][:n] if newest else at[:n]
        known = {s.pk for s in best}
        fresh = [s for s in ss.to_samples(row, seg, at) if s.pk not in known]
        decoded += fresh
        best = sorted([*best, *fresh], key=_key, reverse=newest)[:n]
    chosen = {s.pk for s in decoded}
    attach([s for s in best if s.pk in chosen], related)
    return best


def count(where: Where, *, found: Sequence[SampleSegment] | None = None) -> int:
    """How many samples match `where`; a segment is decoded only when some of its samples may
    not match (a unit, id, source, rejected or position condition, or a time window cutting it)."""
    if where.empty():
        return 0
    total = hot(where).count()
    rows = list(segments(where)) if found is None else found
    whole = [r for r in rows if _whole(where, r)]
    total += sum(r.usable if where.usable else r.count for r in whole)
    seen = {r.pk for r in whole}
    total += sum(
        int(mask(where, seg).sum()) for _, seg in _decoded(r for r in rows if r.pk not in seen)
    )
    return total


def attach(decoded: Sequence[Sample], related: Sequence[str]) -> None:
    """Give decoded samples their station, unit and batch objects: one query per relation. A
    key naming no row (the keys have no database constraint) reads as None, as select_related's
    outer join gives it, and the key itself is kept."""
    models: dict[str, type[Model]] = {"station": Station, "unit": Unit, "batch": IngestBatch}
    for name in related:
        field = cast(ForeignKey, Sample._meta.get_field(name))
        ids = {getattr(s, field.attname) for s in decoded} - {None}
        if not ids:
            continue
        objects = models[name]._default_manager.in_bulk(ids)
        for s in decoded:
            key = getattr(s, field.attname)
            if key is not None:
                field.set_cached_value(s, objects.get(key))


def by_id(sample_id: int, *, related: Sequence[str] = ()) -> Sample | None:
    """The sample with this id, hot or compacted: segments are looked up only when no hot row
    has it."""
    found = Sample.objects.select_related(*related).filter(id=sample_id).first()
    if found is not None:
        return found
    where = Where(ids=[sample_id])
    decoded = [
        s
        for row, seg in _decoded(list(segments(where, data=True)))
        for s in _matching(where, row, seg)
    ]
    attach(decoded, related)
    return decoded[0] if decoded else None
