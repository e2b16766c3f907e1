"""Compaction: hot sample rows older than the hot window become segments (docs/telemetry.md,
"Compact storage at rest" and "Compaction"). Lossless: a segment holds every column of every row
it replaced.

It walks bucket windows (BUCKET_SECONDS of source_time) oldest first, so memory holds one
window, never the whole hot table. A window is one transaction: its rows are read as columns
(on PostgreSQL one binary COPY read by numpy, not one model instance per row), each series'
segment is built (merged with the one stored for that series and bucket when late samples came
after it was written), the segments and unit rows are written in bulk, and exactly the rows read
are deleted by their ids. A kill leaves either the rows or the segments of a window; a row
stored while a window is compacted is not among the ids read and stays hot until the next run.
One compactor at a time: a PostgreSQL advisory lock, held for the run.
"""

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from lines import sample_segments as ss
from lines import telemetry_codec as codec
from lines.models import Sample, SampleSegment, SegmentUnit
from lines.models.telemetry_segment import BUCKET_SECONDS

COMPRESSOR = "zlib"
BUCKET = timedelta(seconds=BUCKET_SECONDS)
# Any key, fixed: pg_try_advisory_lock(LOCK_KEY) is held by the one compactor running.
LOCK_KEY = 0x4D45_5317
# Earliest source_time looked for: a PLC clock that never was set reports 1970 or 1601.
EARLIEST = datetime(1600, 1, 1, tzinfo=UTC)
# Fault injection for tests/lines/test_telemetry_compact_kill.py: seconds to sleep after a
# window's segments are written and its rows deleted, before the commit.
PAUSE_ENV = "MES_TELEMETRY_COMPACT_PAUSE_S"
Y2000_US = 946_684_800 * 1_000_000  # binary COPY's timestamps count from 2000-01-01


class CompactionBusy(Exception):
    """Another compactor holds the lock."""


@dataclass
class Compacted:
    buckets: int = 0
    segments: int = 0
    samples: int = 0
    merged: int = 0  # stored segments that late samples were merged into
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.samples / self.seconds if self.seconds > 0 else 0.0


@dataclass
class Verified:
    segments: int = 0
    samples: int = 0
    bad: list[str] = field(default_factory=list)


def hot_cutoff(hot_hours: float, now: datetime | None = None) -> datetime:
    """Start of the bucket holding now - hot window: buckets before it are complete."""
    return ss.bucket_of((now or timezone.now()) - timedelta(hours=hot_hours))


def samples_compact(
    *, before: datetime, max_buckets: int | None = None, dry_run: bool = False
) -> Compacted:
    """Compact every hot sample with source_time < before, bucket window by bucket window,
    oldest first; at most max_buckets windows. Raises CompactionBusy if another runs."""
    done = Compacted()
    began = time.perf_counter()
    with _only_compactor():
        for start in _windows(before):
            end = min(start + BUCKET, before)
            if dry_run:
                count, series = _window_count(start, end)
                done.samples += count
                done.segments += series
            else:
                segments, samples, merged = _window_compact(start, end)
                done.segments += segments
                done.samples += samples
                done.merged += merged
            done.buckets += 1
            if max_buckets is not None and done.buckets >= max_buckets:
                break
    done.seconds = time.perf_counter() - began
    return done


@contextmanager
def _only_compactor() -> Iterator[None]:
    if connection.vendor != "postgresql":
        yield  # embedded mode: one process, nothing to race
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
        if not cursor.fetchone()[0]:
            raise CompactionBusy("another telemetry compaction is running")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])


# ----- which windows -------------------------------------------------------------------------


def _any(start: datetime, end: datetime) -> bool:
    return Sample.objects.filter(source_time__gte=start, source_time__lt=end).exists()


def _windows(before: datetime) -> Iterator[datetime]:
    """Starts of the bucket windows holding samples before `before`, oldest first. Gaps (a line
    idle for days, a clock that reported 1970) are crossed by bisection, a few cheap probes
    (a BRIN index on source_time, lines 0021, answers them on PostgreSQL)."""
    low = ss.bucket_of(EARLIEST)
    while low < before:
        if not _any(low, low + BUCKET):
            if not _any(low, before):
                return
            # Smallest bucket end `high` with rows in [low, high): bisect over whole buckets.
            lo_n, hi_n = 1, -(-int((before - low).total_seconds()) // BUCKET_SECONDS)
            while lo_n < hi_n:
                mid = (lo_n + hi_n) // 2
                if _any(low, low + mid * BUCKET):
                    hi_n = mid
                else:
                    lo_n = mid + 1
            low += (lo_n - 1) * BUCKET
        yield low
        low += BUCKET


def _window_count(start: datetime, end: datetime) -> tuple[int, int]:
    rows = Sample.objects.filter(source_time__gte=start, source_time__lt=end)
    series = rows.values_list("station_id", "parameter", "node_id").distinct().count()
    return rows.count(), series


# ----- one window: read, build, write, delete -------------------------------------------------


@dataclass
class _Rows:
    """One window's rows as columns, and per row the index of its series in `keys`."""

    keys: list[tuple[int | None, str, str]]
    k: np.ndarray
    cols: dict[str, np.ndarray]
    sparse: dict[str, dict[int, object]]  # raw/reason/source/user: {row index: value}

    def __len__(self) -> int:
        return len(self.k)


def _window_compact(start: datetime, end: datetime) -> tuple[int, int, int]:
    """One transaction: (segments written, samples compacted, stored segments merged)."""
    with transaction.atomic():
        rows = (
            _read_postgresql(start, end) if connection.vendor == "postgresql" else _read(start, end)
        )
        if not len(rows):
            return 0, 0, 0
        bucket = ss.bucket_of(start)
        series_of = [ss.series_key(*key) for key in rows.keys]
        stored = {
            s.series: s
            for s in SampleSegment.objects.select_for_update().filter(
                bucket=bucket, series__in=series_of
            )
        }
        order = np.lexsort((rows.cols["id"], rows.cols["source_us"], rows.k))
        k_sorted = rows.k[order]
        bounds = np.flatnonzero(np.diff(k_sorted)) + 1
        starts = np.concatenate(([0], bounds)).tolist()
        ends = np.concatenate((bounds, [len(rows)])).tolist()
        # Each text, source or user to its segment and its place there.
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        sparse: list[dict[str, dict]] = [{name: {} for name in _SPARSE} for _ in starts]
        for name, values in rows.sparse.items():
            for row, value in values.items():
                at = int(rank[row])
                s = int(np.searchsorted(starts, at, side="right")) - 1
                sparse[s][name][at - starts[s]] = value
        now = timezone.now()
        new: list[tuple[SampleSegment, list[int]]] = []
        for s, (a, b) in enumerate(zip(starts, ends, strict=True)):
            k = int(k_sorted[a])
            seg = _segment(rows.cols, order[a:b], sparse[s])
            old = stored.get(series_of[k])
            if old is not None:
                seg = _merged(seg, codec.decode(bytes(old.data)))
            new.append(_segment_row(seg, rows.keys[k], series_of[k], bucket, now))
        if stored:
            SampleSegment.objects.filter(pk__in=[s.pk for s in stored.values()]).delete()
        made = SampleSegment.objects.bulk_create([row for row, _ in new], batch_size=500)
        SegmentUnit.objects.bulk_create(
            [
                SegmentUnit(segment_id=row.pk, unit_id=u)
                for row, (_, units) in zip(made, new, strict=True)
                for u in units
            ],
            batch_size=5000,
        )
        deleted = _delete(start, end, rows.cols["id"])
        if deleted != len(rows):
            raise RuntimeError(f"deleted {deleted} rows of {len(rows)} read: rolled back")
        pause = os.environ.get(PAUSE_ENV)
        if pause:
            print(
                f"compaction paused before commit ({start:%Y-%m-%d %H:%M})",
                file=sys.stderr,
                flush=True,
            )
            time.sleep(float(pause))
    return len(new), len(rows), len(stored)


def _segment(
    c: dict[str, np.ndarray], picked: np.ndarray, sparse: dict[str, dict]
) -> codec.Segment:
    return codec.Segment(
        id=c["id"][picked],
        source_us=c["source_us"][picked],
        server_us=c["server_us"][picked],
        value=c["value"][picked],
        value_null=c["value_null"][picked],
        status=c["status"][picked],
        unit=c["unit"][picked],
        unit_null=c["unit_null"][picked],
        batch=c["batch"][picked],
        batch_null=c["batch_null"][picked],
        position=c["position"][picked],
        position_null=c["position_null"][picked],
        **{name: dict(sorted(values.items())) for name, values in sparse.items()},
    )


_ARRAYS = ("id", "source_us", "server_us", "value", "value_null", "status", "unit", "unit_null",
           "batch", "batch_null", "position", "position_null")  # fmt: skip
_SPARSE = ("raw", "reason", "source", "user")


def _merged(a: codec.Segment, b: codec.Segment) -> codec.Segment:
    """Two segments of one series as one, in (source time, id) order."""
    joined = {name: np.concatenate((getattr(a, name), getattr(b, name))) for name in _ARRAYS}
    order = np.lexsort((joined["id"], joined["source_us"]))
    back = np.empty_like(order)
    back[order] = np.arange(len(order))
    sparse: dict[str, dict] = {}
    for name in _SPARSE:
        moved = {int(back[i]): v for i, v in getattr(a, name).items()}
        moved |= {int(back[len(a) + i]): v for i, v in getattr(b, name).items()}
        sparse[name] = dict(sorted(moved.items()))
    return codec.Segment(**{name: joined[name][order] for name in _ARRAYS}, **sparse)


def _segment_row(
    seg: codec.Segment,
    key: tuple[int | None, str, str],
    series: str,
    bucket: datetime,
    now: datetime,
) -> tuple[SampleSegment, list[int]]:
    fields = ss.summary(seg, bucket)
    unit_ids = fields.pop("unit_ids")
    station_id, parameter, node_id = key
    row = SampleSegment(
        **fields,
        station_id=station_id,
        parameter=parameter,
        node_id=node_id,
        series=series,
        bucket=bucket,
        checksum=ss.checksum(seg),
        data=codec.encode(seg, COMPRESSOR),
        compacted_at=now,
    )
    return row, unit_ids


def _delete(start: datetime, end: datetime, ids: np.ndarray) -> int:
    """Exactly the rows read, by id (the time range only lets PostgreSQL prune partitions)."""
    table = Sample._meta.db_table
    deleted = 0
    chunk = 100_000 if connection.vendor == "postgresql" else 10_000
    with connection.cursor() as cursor:
        for a in range(0, len(ids), chunk):
            part = [int(i) for i in ids[a : a + chunk]]
            if connection.vendor == "postgresql":
                cursor.execute(
                    f'DELETE FROM "{table}" WHERE source_time >= %s AND source_time < %s '
                    "AND id = ANY(%s)",
                    [start, end, part],
                )
            else:
                marks = ",".join(["%s"] * len(part))
                cursor.execute(f'DELETE FROM "{table}" WHERE id IN ({marks})', part)
            deleted += cursor.rowcount
    return deleted


# ----- reading a window's rows as columns -----------------------------------------------------

_KEY_SQL = "coalesce(station_id::text, '-') || '|' || parameter || '|' || node_id"
_COPY_SQL = """
COPY (SELECT hashtextextended({key}, 0), id, source_time, server_time, coalesce(value, 0),
             value IS NULL, status_code, coalesce(unit_id, 0), unit_id IS NULL,
             coalesce(batch_id, 0), batch_id IS NULL, coalesce(position_m, 0), position_m IS NULL
      FROM "{table}" WHERE source_time >= %s AND source_time < %s)
TO STDOUT (FORMAT BINARY)
"""
# Binary COPY: a 19-byte header, then per row a field count and per field its length and value
# (big-endian). Nothing is NULL, so every row has the same size and numpy reads them at once.
_FIELDS = [("h", ">i8"), ("id", ">i8"), ("source_us", ">i8"), ("server_us", ">i8"),
           ("value", ">f8"), ("value_null", "u1"), ("status", ">i8"), ("unit", ">i8"),
           ("unit_null", "u1"), ("batch", ">i8"), ("batch_null", "u1"), ("position", ">f8"),
           ("position_null", "u1")]  # fmt: skip
_ROW = np.dtype(
    [("count", ">i2")]
    + [x for name, kind in _FIELDS for x in ((f"{name}_len", ">i4"), (name, kind))]
)
_TEXTS_WHERE = (
    "(raw_value <> '' OR rejected_reason <> '' OR source <> 'plc' OR recorded_by_id IS NOT NULL)"
)


def _read_postgresql(start: datetime, end: datetime) -> _Rows:
    """The keys first, then the rows (a row of a series first seen in between is left out: it
    stays hot), then the few rows with text (those not among the rows read are ignored)."""
    table = Sample._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT hashtextextended({_KEY_SQL}, 0), station_id, parameter, node_id "
            f'FROM "{table}" WHERE source_time >= %s AND source_time < %s',
            [start, end],
        )
        found = cursor.fetchall()
        by_hash = {h: i for i, (h, *_) in enumerate(found)}
        if len(by_hash) != len(found):
            raise RuntimeError("two series share a 64-bit hash: cannot compact this window")
        keys = [(station, parameter, node) for _, station, parameter, node in found]
        chunks = []
        with cursor.cursor.copy(_COPY_SQL.format(key=_KEY_SQL, table=table), [start, end]) as copy:
            for chunk in copy:
                chunks.append(bytes(chunk))
        data = b"".join(chunks)
        n = max(0, (len(data) - 19 - 2) // _ROW.itemsize)
        raw = np.frombuffer(data, dtype=_ROW, count=n, offset=19) if n else np.zeros(0, _ROW)
        hashes = raw["h"].astype(np.int64)
        known = np.array(sorted(by_hash), dtype=np.int64)
        index = np.array([by_hash[int(h)] for h in known], dtype=np.int64)
        at = np.searchsorted(known, hashes)
        at[at >= len(known)] = 0
        keep = (known[at] == hashes) if len(known) else np.zeros(n, dtype=bool)
        raw, k = raw[keep], index[at[keep]]
        cols = {
            name: raw[name].astype(np.int64 if kind.endswith("i8") else np.float64)
            for name, kind in _FIELDS[1:]
            if kind != "u1"
        }
        cols |= {name: raw[name].astype(bool) for name, kind in _FIELDS if kind == "u1"}
        cols["source_us"] += Y2000_US
        cols["server_us"] += Y2000_US
        cursor.execute(
            f'SELECT id, raw_value, rejected_reason, source, recorded_by_id FROM "{table}" '
            f"WHERE source_time >= %s AND source_time < %s AND {_TEXTS_WHERE}",
            [start, end],
        )
        texts = cursor.fetchall()
    return _Rows(keys=keys, k=k, cols=cols, sparse=_sparse(cols["id"], texts))


def _read(start: datetime, end: datetime) -> _Rows:
    """Any other database (embedded SQLite: small): the ORM's tuples."""
    rows = list(
        Sample.objects.filter(source_time__gte=start, source_time__lt=end)
        .order_by()
        .values_list(
            "station_id",
            "parameter",
            "node_id",
            "id",
            "source_time",
            "server_time",
            "value",
            "status_code",
            "unit_id",
            "batch_id",
            "position_m",
            "raw_value",
            "rejected_reason",
            "source",
            "recorded_by_id",
        )  # fmt: skip
    )
    keys: dict[tuple, int] = {}
    k = np.array([keys.setdefault(r[:3], len(keys)) for r in rows], dtype=np.int64)

    def column(i: int, kind: type) -> tuple[np.ndarray, np.ndarray]:
        null = np.array([r[i] is None for r in rows], dtype=bool)
        zero = kind(0)
        return np.array([zero if r[i] is None else r[i] for r in rows], dtype=kind), null

    value, value_null = column(6, np.float64)
    unit, unit_null = column(8, np.int64)
    batch, batch_null = column(9, np.int64)
    position, position_null = column(10, np.float64)
    cols = {
        "id": np.array([r[3] for r in rows], dtype=np.int64),
        "source_us": np.array([ss.microseconds(r[4]) for r in rows], dtype=np.int64),
        "server_us": np.array([ss.microseconds(r[5]) for r in rows], dtype=np.int64),
        "value": value,
        "value_null": value_null,
        "status": np.array([r[7] for r in rows], dtype=np.int64),
        "unit": unit,
        "unit_null": unit_null,
        "batch": batch,
        "batch_null": batch_null,
        "position": position,
        "position_null": position_null,
    }
    texts = [
        (r[3], *r[11:]) for r in rows if r[11] or r[12] or r[13] != ss.PLC or r[14] is not None
    ]
    return _Rows(keys=list(keys), k=k, cols=cols, sparse=_sparse(cols["id"], texts))


def _sparse(ids: np.ndarray, texts: list[tuple]) -> dict[str, dict[int, object]]:
    """{column: {row index: value}} for the rows read that carry text, a source or a user."""
    out: dict[str, dict[int, object]] = {name: {} for name in _SPARSE}
    if not texts or not len(ids):
        return out
    by_id = np.argsort(ids)
    sorted_ids = ids[by_id]
    for row_id, raw, reason, source, user in texts:
        at = int(np.searchsorted(sorted_ids, row_id))
        if at >= len(sorted_ids) or sorted_ids[at] != row_id:
            continue  # stored after the rows were read: not compacted this time
        row = int(by_id[at])
        for name, value, default in (("raw", raw, ""), ("reason", reason, ""),
                                     ("source", source, ss.PLC), ("user", user, None)):  # fmt: skip
            if value != default:
                out[name][row] = value
    return out


# ----- verification ---------------------------------------------------------------------------


def segments_verify(*, since: datetime | None = None, until: datetime | None = None) -> Verified:
    """Decode every segment (of buckets in [since, until)) and check its count and checksum."""
    result = Verified()
    segments = SampleSegment.objects.order_by("bucket", "series")
    if since is not None:
        segments = segments.filter(bucket__gte=since)
    if until is not None:
        segments = segments.filter(bucket__lt=until)
    for row in segments.only("series", "bucket", "count", "checksum", "data").iterator(500):
        result.segments += 1
        try:
            seg = codec.decode(bytes(row.data))
        except Exception as exc:  # noqa: BLE001  # a corrupt blob is what is looked for
            result.bad.append(f"{row}: does not decode ({exc})")
            continue
        result.samples += len(seg)
        if len(seg) != row.count:
            result.bad.append(f"{row}: {len(seg)} samples, the row says {row.count}")
        elif ss.checksum(seg) != row.checksum:
            result.bad.append(f"{row}: checksum differs")
    return result
