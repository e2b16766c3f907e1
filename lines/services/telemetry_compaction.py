"""Compaction: hot sample rows older than the hot window become segments (docs/telemetry.md,
"Compact storage at rest" and "Compaction"). Lossless: a segment holds every column of every row
it replaced.

It walks bucket windows (BUCKET_SECONDS of source_time) oldest first, so memory holds one
window, never the whole hot table. A window is one transaction: its rows are taken as columns
(on PostgreSQL one DELETE ... RETURNING, grouped by series into a bytea each, read by numpy;
never a model instance per row; SQLite reads them, then deletes exactly the ids read), each
series' segment is built (merged with the one stored for that series and bucket when late
samples came after it was written), and the segments and unit rows are written in bulk. A kill
leaves either the rows or the segments of a window; a row stored while a window is compacted is
not among those taken and stays hot until the next run.
One compactor at a time: a PostgreSQL advisory lock, held for the run.
"""

import itertools
import os
import sys
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

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
Y2000_US = 946_684_800 * 1_000_000  # timestamptz_send counts from 2000-01-01


class CompactionBusy(Exception):
    """Another compactor holds the lock."""


@dataclass
class Compacted:
    buckets: int = 0
    segments: int = 0
    samples: int = 0
    merged: int = 0  # stored segments that late samples were merged into
    seconds: float = 0.0

    def add(self, segments: int, samples: int, merged: int) -> None:
        self.buckets += 1
        self.segments += segments
        self.samples += samples
        self.merged += merged

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
    *,
    before: datetime,
    max_buckets: int | None = None,
    dry_run: bool = False,
    rest: float = 0.0,
    workers: int = 1,
) -> Compacted:
    """Compact every hot sample with source_time < before, bucket window by bucket window,
    oldest first; at most max_buckets windows. After each window it sleeps `rest` times as long
    as the window took, leaving the CPUs to the ingest while it works through a backlog. With
    `workers` > 1 (PostgreSQL), so many windows are compacted at once, each in a thread and a
    connection of its own: PostgreSQL's half of a window (the take) overlaps Python's (encode,
    write). Raises CompactionBusy if another runs."""
    done = Compacted()
    began = time.perf_counter()
    with _only_compactor():
        starts = itertools.islice(_windows(before), max_buckets)
        if dry_run:
            for start in starts:
                count, series = _window_count(start, min(start + BUCKET, before))
                done.add(series, count, 0)
        elif workers > 1 and connection.vendor == "postgresql":
            _in_threads(starts, before, rest, workers, done)
        else:
            for start in starts:
                done.add(*_window_rested(start, before, rest))
    done.seconds = time.perf_counter() - began
    return done


def _window_rested(start: datetime, before: datetime, rest: float) -> tuple[int, int, int]:
    took = time.perf_counter()
    result = _window_compact(start, min(start + BUCKET, before))
    if rest > 0:
        time.sleep(rest * (time.perf_counter() - took))
    return result


def _in_threads(
    starts: Iterator[datetime], before: datetime, rest: float, workers: int, done: Compacted
) -> None:
    """At most `workers` windows at once; each window stays one transaction (of its thread's
    connection), so a kill still leaves every window's rows or its segments."""

    def one(start: datetime) -> tuple[int, int, int]:
        try:
            return _window_rested(start, before, rest)
        finally:
            connection.close()  # the thread's own

    with ThreadPoolExecutor(workers, thread_name_prefix="compact") as pool:
        running: set[Future] = set()
        for start in starts:  # probed in this thread, between the workers' windows
            running.add(pool.submit(one, start))
            if len(running) >= workers:
                finished, running = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    done.add(*future.result())
        for future in running:
            done.add(*future.result())


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
        taken = connection.vendor == "postgresql"
        rows = _take_postgresql(start, end) if taken else _read(start, end)
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
        deleted = len(rows) if taken else _delete(start, end, rows.cols["id"])
        if deleted != len(rows):
            raise RuntimeError(
                _("deleted %(deleted)d rows of %(read)d read: rolled back")
                % {"deleted": deleted, "read": len(rows)}
            )
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
    if len(np.unique(joined["id"])) != len(joined["id"]):
        # A row compacted already and still hot: the one-transaction windows exclude it, so
        # something else wrote it; refuse rather than store a sample twice.
        raise RuntimeError("a late sample's id is in its stored segment already: rolled back")
    order = np.lexsort((joined["id"], joined["source_us"]))
    back = np.empty_like(order)
    back[order] = np.arange(len(order))
    sparse: dict[str, dict] = {}
    for name in _SPARSE:
        moved = {int(back[i]): v for i, v in getattr(a, name).items()}
        moved |= {int(back[len(a) + i]): v for i, v in getattr(b, name).items()}
        sparse[name] = dict(sorted(moved.items()))
    fields: dict[str, Any] = {name: joined[name][order] for name in _ARRAYS} | sparse
    return codec.Segment(**fields)


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
    """Exactly the rows read, by id (SQLite; PostgreSQL deletes what it reads, _take_postgresql)."""
    table = Sample._meta.db_table
    deleted = 0
    with connection.cursor() as cursor:
        for a in range(0, len(ids), 10_000):
            part = [int(i) for i in ids[a : a + 10_000]]
            marks = ",".join(["%s"] * len(part))
            cursor.execute(f'DELETE FROM "{table}" WHERE id IN ({marks})', part)
            deleted += cursor.rowcount
    return deleted


# ----- reading a window's rows as columns -----------------------------------------------------

# Per series, its rows of the window as one bytea: each row fixed-width, its columns in the
# *send functions' big-endian binary forms (timestamps count microseconds from 2000-01-01),
# NULLs as flags; numpy reads them at once, no Python object per row. The few rows with text,
# a source or a user come by a second query.
_COLUMNS = (
    ("id", "int8send(id)", ">i8"),
    ("source_us", "timestamptz_send(source_time)", ">i8"),
    ("server_us", "timestamptz_send(server_time)", ">i8"),
    ("value", "float8send(coalesce(value, 0))", ">f8"),
    ("status", "int8send(status_code)", ">i8"),
    ("unit", "int8send(coalesce(unit_id, 0))", ">i8"),
    ("batch", "int8send(coalesce(batch_id, 0))", ">i8"),
    ("position", "float8send(coalesce(position_m, 0))", ">f8"),
    ("value_null", "boolsend(value IS NULL)", "u1"),
    ("unit_null", "boolsend(unit_id IS NULL)", "u1"),
    ("batch_null", "boolsend(batch_id IS NULL)", "u1"),
    ("position_null", "boolsend(position_m IS NULL)", "u1"),
)
_ROW = np.dtype([(name, kind) for name, _, kind in _COLUMNS])
_TEXTS_WHERE = (
    "raw_value <> '' OR rejected_reason <> '' OR source <> 'plc' OR recorded_by_id IS NOT NULL"
)
_TEXTS = ("id", "raw_value", "rejected_reason", "source", "recorded_by_id")
# The window's rows deleted and returned by one statement, grouped by series: what is deleted is
# exactly what is read (a row stored meanwhile is neither), and the rows are found once.
_TAKE_SQL = (
    'WITH gone AS (DELETE FROM "{table}" WHERE source_time >= %s AND source_time < %s RETURNING *)'
    " SELECT station_id, parameter, node_id, string_agg("
    + " || ".join(expr for _, expr, _ in _COLUMNS)
    + ", ''::bytea), "
    + ", ".join(f"array_agg({c}) FILTER (WHERE {_TEXTS_WHERE})" for c in _TEXTS)
    + " FROM gone GROUP BY station_id, parameter, node_id"
)


def _take_postgresql(start: datetime, end: datetime) -> _Rows:
    """One statement: the window's rows deleted and read back grouped by series, as columns
    (the transaction's rollback restores them)."""
    table = Sample._meta.db_table
    with connection.cursor() as cursor:
        # A window's rows fit in memory by design: hashing them by series beats sorting them.
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute(_TAKE_SQL.format(table=table), [start, end])
        groups = cursor.fetchall()
    if not groups:
        return _Rows(keys=[], k=np.zeros(0, np.int64), cols={}, sparse={})
    keys = [(group[0], group[1], group[2]) for group in groups]
    rows = [np.frombuffer(bytes(group[3]), dtype=_ROW) for group in groups]
    packed = np.concatenate(rows)
    cols = {
        name: packed[name].astype(bool if kind == "u1" else kind.replace(">", "<"))
        for name, _, kind in _COLUMNS
    }
    cols["source_us"] += Y2000_US
    cols["server_us"] += Y2000_US
    k = np.repeat(np.arange(len(keys), dtype=np.int64), [len(r) for r in rows])
    texts = [row for group in groups if group[4] for row in zip(*group[4:], strict=True)]
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
