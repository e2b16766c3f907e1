"""Telemetry storage forms, measured: `python -m bench.telemetry_storage --samples N` (PostgreSQL).

Issue #17, item 1, measurement only: the product's sample table is not touched. The run makes
the schema `bench_storage` in the DATABASE_URL database (dropped at the start of every run, kept
at the end for a look), loads the demo mix (bench/telemetry_mix.py) into copies of the product's
table (`LIKE lines_sample INCLUDING ALL`: same columns, same indexes), one for the noisy and one
for the slowly changing signals, and from those rows builds, per tag and time bucket:
  arrays-lz4 / arrays-pglz  one row per segment, PostgreSQL arrays (times as int deltas, values
                            float8[], statuses where not Good, unit and batch as runs, text and
                            rejections where present), TOAST compression lz4 or pglz; built in SQL
  blob-<codec>              one row per segment, lines/telemetry_codec.py's encoding (delta of
                            delta times, decimal or XOR values, byte planes) compressed with
                            zlib, lzma, and zstd and lz4 when the Python packages are there;
                            built in Python from one binary COPY of the rows
Every segment table has the key index (station, parameter, bucket) and a GIN index over the
segment's unit ids. Sizes are pg_total_relation_size (heap, TOAST, indexes). References: the rows
(today), `pg_dump -Fc` of the rows, Parquet with zstd (pyarrow, if importable).

Checked before any figure is printed: every segment read back from the database and decoded is
bit for bit the generated data (ids, times, server times, values, statuses, units, positions,
batches, text, reasons, sources, users); the run stops otherwise.

Timed: compaction (SQL and Python), one unit's samples (rows vs segments), a min/max downsample of
one tag over --series-days days (1,000 pixels of whole minutes, from rows, from segments, from a
1-minute min/max rollup per tag and hour; scaled linearly to 30 days). Prints a table
and writes JSON to <MES_VAR_DIR or var>/bench/telemetry-storage-<UTC>.json. bench/README.md has
the figures; docs/telemetry.md the choice.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from bench.postgres_main import run_on_postgresql

SCHEMA = "bench_storage"
GROUPS = ("noisy", "slow")
ORIGIN = "TIMESTAMPTZ '2000-01-01 00:00:00+00'"
PIXELS = 1000


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.telemetry_storage", description=__doc__)
    parser.add_argument("--samples", type=int, default=300_000, help="demo-mix samples")
    parser.add_argument("--buckets", default="600,3600", help="segment lengths, seconds")
    parser.add_argument("--series-days", type=float, default=1.0, help="downsample series, days")
    parser.add_argument("--units", type=int, default=20, help="units read")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-dump", action="store_true", help="no pg_dump reference")
    parser.add_argument("--out-dir", type=Path, help="where the JSON goes (default: <var>/bench)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    return run_on_postgresql("telemetry_storage", run, parse(argv), show=print_report)


def run(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import connection

    from bench import telemetry_mix as mixes
    from lines import telemetry_codec as codec

    buckets = [int(b) for b in args.buckets.split(",")]
    report: dict[str, Any] = {
        "samples_asked": args.samples,
        "buckets_s": buckets,
        "compressors": [c for c in codec.COMPRESSORS if c != "none"],
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "postgresql": _one("SHOW server_version"),
    }
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}")
    began = time.perf_counter()
    mix = mixes.demo_mix(args.samples, seed=args.seed)
    report["generate_s"] = round(time.perf_counter() - began, 1)
    report["samples"] = len(mix)
    report["tags"] = len(mix.tags)
    report["line_hours"] = round(mix.line_seconds / 3600, 2)
    report["rejected"] = len(mix.reason)
    report["not_good"] = int((mix.status != 0).sum())
    slow_rows = np.array(mix.slow, dtype=bool)[mix.tag]
    parts = {"noisy": _subset(mix, ~slow_rows), "slow": _subset(mix, slow_rows)}
    report["group_samples"] = {g: len(parts[g]) for g in GROUPS}
    sizes: dict[str, dict[str, int]] = {}
    payload: dict[str, dict[str, int]] = {}
    timings: dict[str, Any] = {}

    began = time.perf_counter()
    for g in GROUPS:
        rows_create(f"rows_{g}")
        copy_rows(f"rows_{g}", parts[g])
    timings["rows_load_s"] = round(time.perf_counter() - began, 1)
    analyze([f"rows_{g}" for g in GROUPS])
    sizes["rows"] = {g: relation_size(f"rows_{g}") for g in GROUPS}

    main = "zstd" if "zstd" in codec.COMPRESSORS else "zlib"
    report["main_codec"] = main
    for b in buckets:
        for g in GROUPS:
            keys = {tag_key: i for i, tag_key in enumerate(parts[g].tags)}
            expected = {(k.tag, k.bucket_us): k.segment for k in mixes.segments(parts[g], b)}
            for method in ("lz4", "pglz"):
                name = f"arr_{method}_{g}_{b}"
                seconds, n = compact_sql(f"rows_{g}", name, b, method)
                timings.setdefault(f"sql_{method}_{b}", []).append((n, seconds))
                sizes.setdefault(f"arrays-{method} {_label(b)}", {})[g] = relation_size(name)
                check(expected, read_arrays(name, keys), name)
            fetched_s, encoded_s, written_s, blobs = compact_python(
                f"rows_{g}", f"blob_{main}_{g}_{b}", b, main, keys
            )
            timings.setdefault(f"python_{main}_{b}", []).append(
                (len(parts[g]), fetched_s, encoded_s, written_s)
            )
            for comp in codec.COMPRESSORS:
                name = f"blob_{comp}_{g}_{b}"
                if comp != main:
                    blobs_write(
                        name,
                        [(k, codec.encode(seg, comp)) for k, seg in blobs],
                        segments=[seg for _, seg in blobs],
                    )
                sizes.setdefault(f"blob-{comp} {_label(b)}", {})[g] = relation_size(name)
                payload.setdefault(f"blob-{comp} {_label(b)}", {})[g] = int(
                    _one(f"SELECT coalesce(sum(octet_length(payload)), 0) FROM {SCHEMA}.{name}")
                )
                check(expected, read_blobs(name, keys), name)
            name = f"blob_{main}xor_{g}_{b}"
            blobs_write(
                name,
                [(k, codec.encode(seg, main, decimal=False)) for k, seg in blobs],
                segments=[seg for _, seg in blobs],
            )
            sizes.setdefault(f"blob-{main}, XOR only {_label(b)}", {})[g] = relation_size(name)
            check(expected, read_blobs(name, keys), name)
            print(f"  {g} {_label(b)}: built and checked", flush=True)
    report["lossless"] = "every segment of every form decoded bit for bit (checked)"
    report["sizes"] = sizes
    report["bytes_per_sample"] = {
        form: {
            **{g: round(per[g] / max(1, len(parts[g])), 2) for g in GROUPS},
            "all": round(sum(per.values()) / len(mix), 2),
        }
        for form, per in sizes.items()
    }
    report["payload_bytes_per_sample"] = {
        form: round(sum(per.values()) / len(mix), 2) for form, per in payload.items()
    }
    analyze([name for name in _tables() if not name.startswith("rows_")])
    report["parquet"] = parquet_sizes(parts)
    if not args.skip_dump:
        report["pg_dump_fc"] = pg_dump_size([f"rows_{g}" for g in GROUPS], len(mix))
    report["compaction"] = compaction_summary(timings)
    report["rows_load_s"] = timings["rows_load_s"]
    report["unit_read"] = unit_reads(mix, buckets, main, args.units, args.seed)
    report["downsample"] = downsample(args.series_days, main, args.seed)
    return report


# ----- the rows -----------------------------------------------------------------------------


def _one(sql: str, params: list | None = None) -> Any:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def _label(bucket_s: int) -> str:
    return f"{bucket_s // 3600} h" if bucket_s % 3600 == 0 else f"{bucket_s // 60} min"


def _subset(mix, mask: np.ndarray):
    """The rows under mask, as a Mix of their own (text columns re-keyed)."""
    from bench.telemetry_mix import Mix

    rows = np.flatnonzero(mask)

    def sparse(d: dict) -> dict:
        out = {}
        for r, v in d.items():
            at = int(np.searchsorted(rows, r))
            if at < len(rows) and rows[at] == r:
                out[at] = v
        return out

    return Mix(
        tags=mix.tags,
        slow=mix.slow,
        **{
            name: getattr(mix, name)[rows]
            for name in (
                "tag",
                "id",
                "source_us",
                "server_us",
                "value",
                "value_null",
                "status",
                "unit",
                "unit_null",
                "batch",
                "batch_null",
                "position",
                "position_null",
            )
        },  # fmt: skip
        raw=sparse(mix.raw),
        reason=sparse(mix.reason),
        source=sparse(mix.source),
        user=sparse(mix.user),
        stations=mix.stations,
        line_seconds=mix.line_seconds,
    )


def rows_create(name: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {SCHEMA}.{name} (LIKE public.lines_sample INCLUDING ALL)")


_COPY_COLUMNS = (
    ("id", "int8"), ("station_id", "int8"), ("parameter", "text"), ("node_id", "text"),
    ("batch_id", "int8"), ("raw_value", "text"), ("value", "float8"),
    # Binary timestamp and timestamptz are the same int64 (us since 2000-01-01 UTC): naive
    # datetimes made by numpy in C, sent as timestamp, land as the UTC instants they are.
    ("source_time", "timestamp"), ("server_time", "timestamp"), ("status_code", "int8"),
    ("unit_id", "int8"), ("position_m", "float8"), ("source", "text"),
    ("recorded_by_id", "int4"), ("rejected_reason", "text"),
)  # fmt: skip


def copy_rows(name: str, mix, chunk: int = 500_000) -> None:
    """COPY the mix's rows, a chunk at a time (Python lists of 20 M rows would not fit)."""
    from django.db import connection

    columns_sql = ", ".join(c for c, _ in _COPY_COLUMNS)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(
            f"COPY {SCHEMA}.{name} ({columns_sql}) FROM STDIN (FORMAT BINARY)"
        ) as copy,
    ):
        copy.set_types([kind for _, kind in _COPY_COLUMNS])
        for start in range(0, len(mix), chunk):
            for row in _row_chunk(mix, start, min(len(mix), start + chunk)):
                copy.write_row(row)


def _row_chunk(mix, a: int, b: int):
    def nullable(values: np.ndarray, null: np.ndarray) -> list:
        out = values.tolist()
        for i in np.flatnonzero(null).tolist():
            out[i] = None
        return out

    tags = mix.tag[a:b].tolist()
    span = range(a, b)
    columns = [
        mix.id[a:b].tolist(),
        [mix.tags[t][0] for t in tags], [mix.tags[t][1] for t in tags],
        [mix.tags[t][2] for t in tags],
        nullable(mix.batch[a:b], mix.batch_null[a:b]),
        [mix.raw.get(i, "") for i in span],
        nullable(mix.value[a:b], mix.value_null[a:b]),
        mix.source_us[a:b].astype("datetime64[us]").astype(object).tolist(),
        mix.server_us[a:b].astype("datetime64[us]").astype(object).tolist(),
        mix.status[a:b].tolist(),
        nullable(mix.unit[a:b], mix.unit_null[a:b]),
        nullable(mix.position[a:b], mix.position_null[a:b]),
        [mix.source.get(i, "plc") for i in span],
        [mix.user.get(i) for i in span],
        [mix.reason.get(i, "") for i in span],
    ]  # fmt: skip
    return zip(*columns, strict=True)


def analyze(names: list[str]) -> None:
    """Planner statistics, as autovacuum keeps them in production (it is off on this machine)."""
    from django.db import connection

    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(f"ANALYZE {SCHEMA}.{name}")


def _tables() -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", [SCHEMA])
        return [name for (name,) in cursor.fetchall()]


def relation_size(name: str) -> int:
    return int(_one("SELECT pg_total_relation_size(%s::regclass)", [f"{SCHEMA}.{name}"]))


# ----- segments built in SQL: arrays --------------------------------------------------------

# One pass over the rows sorted per segment; each aggregate takes its input in that order (the
# sorted subquery; PostgreSQL 15 would sort again for every array_agg(... ORDER BY)). The check
# after every build proves the order held.
_ORDERED = """
SELECT o.*,
       (row_number() OVER w - 1)::int4 AS i,
       t_us - lag(t_us, 1, t_us) OVER w AS dt,
       id - lag(id, 1, 0::int8) OVER w AS did,
       (row_number() OVER w = 1 OR unit_id IS DISTINCT FROM lag(unit_id) OVER w) AS unit_new,
       (row_number() OVER w = 1 OR batch_id IS DISTINCT FROM lag(batch_id) OVER w) AS batch_new,
       batch_id - coalesce(lag(batch_id) OVER w, 0) AS bdelta
FROM (SELECT r.*, date_bin(%(bucket)s::interval, source_time, {origin}) AS bucket,
             (extract(epoch FROM source_time) * 1000000)::int8 AS t_us,
             (extract(epoch FROM server_time) * 1000000)::int8 AS st_us
      FROM {rows} r) o
WINDOW w AS (PARTITION BY station_id, parameter, node_id, bucket ORDER BY source_time, id)
ORDER BY station_id, parameter, node_id, bucket, source_time, id
"""

_SEGMENT_KEY = """
    id bigserial PRIMARY KEY,
    station_id bigint,
    parameter varchar(64) NOT NULL,
    node_id varchar(255) NOT NULL,
    bucket timestamptz NOT NULL,
    n int4 NOT NULL,
    t0_us int8 NOT NULL,
    t1_us int8 NOT NULL,
    vmin float8,
    vmax float8,
    units int8[] NOT NULL
"""

_ARRAY_COLUMNS = (
    ("id_delta", "int8[]", "array_agg(did)"),
    ("dt", "int8[]", "array_agg(dt)"),
    ("server_dt", "int8[]", "array_agg(st_us - t_us)"),
    ("vals", "float8[]", "array_agg(value) FILTER (WHERE value IS NOT NULL)"),
    # NULL when every value is NULL (a serial's tag): no index list as long as the segment
    ("val_null", "int4[]",
     "CASE WHEN count(value) > 0 THEN coalesce(array_agg(i) FILTER (WHERE value IS NULL), '{}') END"),
    ("status_at", "int4[]", "array_agg(i) FILTER (WHERE status_code <> 0)"),
    ("status", "int8[]", "array_agg(status_code) FILTER (WHERE status_code <> 0)"),
    ("unit_at", "int4[]", "array_agg(i) FILTER (WHERE unit_new)"),
    ("unit_ids", "int8[]", "array_agg(unit_id) FILTER (WHERE unit_new)"),
    ("batch_at", "int4[]", "array_agg(i) FILTER (WHERE batch_new)"),
    # the change from the previous run's batch (from 0 after a NULL run): small numbers
    ("batch_delta", "int8[]", "array_agg(bdelta) FILTER (WHERE batch_new)"),
    ("pos", "float8[]", "array_agg(position_m) FILTER (WHERE position_m IS NOT NULL)"),
    ("pos_null", "int4[]",
     "CASE WHEN count(position_m) > 0 "
     "THEN coalesce(array_agg(i) FILTER (WHERE position_m IS NULL), '{}') END"),
    ("raw_at", "int4[]", "array_agg(i) FILTER (WHERE raw_value <> '')"),
    ("raw", "text[]", "array_agg(raw_value) FILTER (WHERE raw_value <> '')"),
    ("reason_at", "int4[]", "array_agg(i) FILTER (WHERE rejected_reason <> '')"),
    ("reason", "text[]", "array_agg(rejected_reason) FILTER (WHERE rejected_reason <> '')"),
    ("source_at", "int4[]", "array_agg(i) FILTER (WHERE source <> 'plc')"),
    ("source", "text[]", "array_agg(source) FILTER (WHERE source <> 'plc')"),
    ("user_at", "int4[]", "array_agg(i) FILTER (WHERE recorded_by_id IS NOT NULL)"),
    ("user_id", "int8[]", "array_agg(recorded_by_id) FILTER (WHERE recorded_by_id IS NOT NULL)"),
)  # fmt: skip

_SEGMENT_AGGREGATES = """
    station_id, parameter, node_id, bucket, count(*)::int4, min(t_us), max(t_us),
    min(value), max(value),
    coalesce(array_agg(DISTINCT unit_id) FILTER (WHERE unit_id IS NOT NULL), '{}')
"""


def segment_indexes(cursor, name: str) -> None:
    cursor.execute(
        f"CREATE INDEX {name}_key ON {SCHEMA}.{name} (station_id, parameter, bucket);"
        f"CREATE INDEX {name}_units ON {SCHEMA}.{name} USING gin (units)"
    )


def compact_sql(rows: str, name: str, bucket_s: int, method: str) -> tuple[float, int]:
    """Build the arrays form of `rows` in one INSERT ... SELECT; (seconds, samples)."""
    from django.db import connection

    columns = ",\n".join(f"{c} {kind}" for c, kind, _ in _ARRAY_COLUMNS)
    aggregates = ", ".join(agg for _, _, agg in _ARRAY_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {SCHEMA}.{name} ({_SEGMENT_KEY}, {columns})")
        for c, _, _ in _ARRAY_COLUMNS:
            cursor.execute(f"ALTER TABLE {SCHEMA}.{name} ALTER COLUMN {c} SET COMPRESSION {method}")
        segment_indexes(cursor, name)
        ordered = _ORDERED.format(origin=ORIGIN, rows=f"{SCHEMA}.{rows}")
        # A compaction job's own memory for its sorts (the default 4 MB spills them to disk).
        cursor.execute("SET work_mem = '64MB'")
        began = time.perf_counter()
        cursor.execute(
            f"INSERT INTO {SCHEMA}.{name} (station_id, parameter, node_id, bucket, n, t0_us, "
            f"t1_us, vmin, vmax, units, {', '.join(c for c, _, _ in _ARRAY_COLUMNS)}) "
            f"SELECT {_SEGMENT_AGGREGATES}, {aggregates} FROM ({ordered}) s "
            "GROUP BY station_id, parameter, node_id, bucket",
            {"bucket": f"{bucket_s} seconds"},
        )
        seconds = time.perf_counter() - began
        cursor.execute("RESET work_mem")
        cursor.execute(f"SELECT coalesce(sum(n), 0) FROM {SCHEMA}.{name}")
        return seconds, int(cursor.fetchone()[0])


def _array(blob: bytes | None, dtype: str) -> np.ndarray:
    """A NULL-free int4/int8/float8 array from array_send's bytes: after the header, each
    element is a 4-byte length and the big-endian value."""
    if blob is None:
        return np.zeros(0, dtype=dtype)
    ndim = int.from_bytes(blob[0:4], "big")
    if ndim == 0:
        return np.zeros(0, dtype=dtype)
    if int.from_bytes(blob[4:8], "big"):
        raise ValueError("array with NULLs")
    n = int.from_bytes(blob[12:16], "big")
    size = np.dtype(dtype).itemsize
    elements = np.frombuffer(blob, dtype=np.dtype([("len", ">i4"), ("v", f">{dtype[0]}{size}")]),
                             count=n, offset=12 + 8 * ndim)  # fmt: skip
    return elements["v"].astype(dtype)


_SENT = {
    "id_delta": "int8", "dt": "int8", "server_dt": "int8", "vals": "float64",
    "val_null": "int32", "pos": "float64", "pos_null": "int32", "batch_at": "int32",
    "batch_delta": "int8",
}  # fmt: skip
_AS_LIST = ("status_at", "status", "unit_at", "unit_ids", "raw_at", "raw", "reason_at", "reason",
            "source_at", "source", "user_at", "user_id")  # fmt: skip


def arrays_select(name: str, where: str = "") -> str:
    sent = ", ".join(f"array_send({c})" for c in _SENT)
    listed = ", ".join(_AS_LIST)
    return (
        f"SELECT station_id, parameter, node_id, (extract(epoch FROM bucket) * 1000000)::int8, "
        f"n, t0_us, {sent}, {listed} FROM {SCHEMA}.{name} {where}"
    )


_DTYPE = {"int8": "int64", "int32": "int32", "float64": "float64"}


def arrays_decode(row: tuple):
    """A segment of the arrays form back as a codec.Segment."""
    from lines.telemetry_codec import Segment

    n, t0 = row[4], row[5]
    sent = dict(zip(_SENT, row[6 : 6 + len(_SENT)], strict=True))
    listed = dict(zip(_AS_LIST, row[6 + len(_SENT) :], strict=True))
    a = {c: _array(sent[c], _DTYPE[kind]) for c, kind in _SENT.items() if c != "batch_delta"}
    source_us = t0 + np.cumsum(a["dt"])
    value_null = np.ones(n, dtype=bool)
    value = np.zeros(n)
    if sent["val_null"] is not None:
        value_null[:] = False
        value_null[a["val_null"]] = True
        value[~value_null] = a["vals"]
    position_null = np.ones(n, dtype=bool)
    position = np.zeros(n)
    if sent["pos_null"] is not None:
        position_null[:] = False
        position_null[a["pos_null"]] = True
        position[~position_null] = a["pos"]
    status = np.zeros(n, dtype=np.int64)
    status[listed["status_at"] or []] = listed["status"] or []
    unit, unit_null = _runs_back(listed["unit_at"], listed["unit_ids"], n, deltas=False)
    batch, batch_null = _runs_back(
        a["batch_at"].tolist(),
        _batch_deltas(sent["batch_delta"]),
        n,
        deltas=True,
    )

    def texts(at, values) -> dict:
        return dict(zip(at or [], values or [], strict=True))

    return Segment(
        id=np.cumsum(a["id_delta"]),
        source_us=source_us,
        server_us=source_us + a["server_dt"],
        value=value,
        value_null=value_null,
        status=status,
        unit=unit,
        unit_null=unit_null,
        batch=batch,
        batch_null=batch_null,
        position=position,
        position_null=position_null,
        raw=texts(listed["raw_at"], listed["raw"]),
        reason=texts(listed["reason_at"], listed["reason"]),
        source=texts(listed["source_at"], listed["source"]),
        user=texts(listed["user_at"], listed["user_id"]),
    )


def _batch_deltas(blob: bytes | None) -> list:
    """batch_delta may hold NULLs (a manual sample has no batch): parse it element by element."""
    if blob is None:
        return []
    ndim = int.from_bytes(blob[0:4], "big")
    if ndim == 0:
        return []
    n = int.from_bytes(blob[12:16], "big")
    at, out = 12 + 8 * ndim, []
    for _ in range(n):
        length = int.from_bytes(blob[at : at + 4], "big", signed=True)
        at += 4
        if length < 0:
            out.append(None)
        else:
            out.append(int.from_bytes(blob[at : at + 8], "big", signed=True))
            at += 8
    return out


def _runs_back(at: list | None, values: list | None, n: int, *, deltas: bool):
    at, values = at or [], values or []
    out = np.zeros(n, dtype=np.int64)
    null = np.zeros(n, dtype=bool)
    ends = [*at[1:], n]
    previous = 0
    for start, end, v in zip(at, ends, values, strict=True):
        if v is None:
            null[start:end] = True
            previous = 0
            continue
        current = previous + v if deltas else v
        out[start:end] = current
        previous = current
    return out, null


def read_arrays(name: str, keys: dict) -> dict:
    from django.db import connection

    out = {}
    with connection.cursor() as cursor:
        cursor.execute(arrays_select(name))
        for row in cursor.fetchall():
            out[(keys[(row[0], row[1], row[2])], row[3])] = arrays_decode(row)
    return out


# ----- segments built in Python: the codec --------------------------------------------------

_COPY_ROWS = """
COPY (SELECT t.k, r.id, r.source_time, r.server_time, coalesce(r.value, 0), r.value IS NULL,
             r.status_code, coalesce(r.unit_id, 0), r.unit_id IS NULL, coalesce(r.batch_id, 0),
             r.batch_id IS NULL, coalesce(r.position_m, 0), r.position_m IS NULL
      FROM {rows} r JOIN pg_temp.bench_tag_keys t
        ON t.station_id = coalesce(r.station_id, -1) AND t.parameter = r.parameter
       AND t.node_id = r.node_id)
TO STDOUT (FORMAT BINARY)
"""
# Binary COPY: a 19-byte header, then per row a field count and, per field, its length and
# value (big-endian; timestamps as int64 microseconds since 2000-01-01). Nothing is NULL, so
# every row has the same size and numpy reads them all at once.
_FIELDS = [("k", ">i4"), ("id", ">i8"), ("t", ">i8"), ("st", ">i8"), ("value", ">f8"),
           ("vnull", "u1"), ("status", ">i8"), ("unit", ">i8"), ("unull", "u1"),
           ("batch", ">i8"), ("bnull", "u1"), ("pos", ">f8"), ("pnull", "u1")]  # fmt: skip
_ROW = np.dtype(
    [("count", ">i2")]
    + [x for name, kind in _FIELDS for x in ((f"{name}_len", ">i4"), (name, kind))]
)
Y2000_US = 946_684_800 * 1_000_000


def compact_python(rows: str, name: str, bucket_s: int, compressor: str, keys: dict):
    """Build the codec form of `rows`: the rows as one binary COPY (fixed width, each with its
    tag as a number; read by numpy), the few text fields by a second query, numpy's sort into
    segment order, the codec, COPY of the segments.
    Returns (fetch s, sort + encode s, write s, [(key row, Segment)])."""
    from django.db import connection

    from lines import telemetry_codec as codec

    table = f"{SCHEMA}.{rows}"
    began = time.perf_counter()
    with connection.cursor() as cursor:
        # The tags (in the product: the tag map, plus the keys of unknown nodes), numbered, so
        # that the rows travel with an int and are sorted by numpy, not by PostgreSQL's text
        # comparisons (a sort by station, parameter, node was most of the fetch).
        cursor.execute(
            "DROP TABLE IF EXISTS pg_temp.bench_tag_keys; CREATE TEMP TABLE bench_tag_keys AS "
            "SELECT (row_number() OVER ())::int4 AS k, coalesce(station_id, -1) AS station_id, "
            f"parameter, node_id FROM (SELECT DISTINCT station_id, parameter, node_id FROM {table}) d"
        )
        cursor.execute(
            "SELECT k, nullif(station_id, -1), parameter, node_id FROM pg_temp.bench_tag_keys"
        )
        tag_keys = {
            k: (station, parameter, node) for k, station, parameter, node in cursor.fetchall()
        }
        cursor.execute(
            f"SELECT id, raw_value, rejected_reason, source, recorded_by_id FROM {table} "
            "WHERE raw_value <> '' OR rejected_reason <> '' OR source <> 'plc' "
            "OR recorded_by_id IS NOT NULL"
        )
        texts = cursor.fetchall()
        chunks = []
        with cursor.cursor.copy(_COPY_ROWS.format(rows=table)) as copy:
            for chunk in copy:
                chunks.append(bytes(chunk))
    data = b"".join(chunks)
    n = (len(data) - 19 - 2) // _ROW.itemsize
    unsorted = np.frombuffer(data, dtype=_ROW, count=n, offset=19)
    fetched_s = time.perf_counter() - began
    began = time.perf_counter()
    bucket_us = bucket_s * 1_000_000
    times = unsorted["t"].astype(np.int64)  # since 2000-01-01, date_bin's origin here
    k = unsorted["k"].astype(np.int64)
    bucket = times // bucket_us * bucket_us
    order = np.lexsort((unsorted["id"], times, bucket, k))
    stream, k, bucket = unsorted[order], k[order], bucket[order]
    change = np.ones(n, dtype=bool)
    change[1:] = (k[1:] != k[:-1]) | (bucket[1:] != bucket[:-1])
    starts = np.flatnonzero(change)
    ends = np.append(starts[1:], n)
    cols = {
        "id": stream["id"].astype(np.int64),
        "t": stream["t"].astype(np.int64) + Y2000_US,
        "st": stream["st"].astype(np.int64) + Y2000_US,
        "value": stream["value"].astype(np.float64),
        "vnull": stream["vnull"].astype(bool),
        "status": stream["status"].astype(np.int64),
        "unit": stream["unit"].astype(np.int64),
        "unull": stream["unull"].astype(bool),
        "batch": stream["batch"].astype(np.int64),
        "bnull": stream["bnull"].astype(bool),
        "pos": stream["pos"].astype(np.float64),
        "pnull": stream["pnull"].astype(bool),
    }
    sparse: list[dict[str, dict]] = [{x: {} for x in ("raw", "reason", "source", "user")}
                                     for _ in starts]  # fmt: skip
    if texts:
        by_id = np.argsort(cols["id"])
        for row_id, raw, reason, source, user in texts:
            at = int(by_id[np.searchsorted(cols["id"], row_id, sorter=by_id)])
            s = int(np.searchsorted(starts, at, side="right")) - 1
            local = at - int(starts[s])
            for field_name, v, default in (("raw", raw, ""), ("reason", reason, ""),
                                           ("source", source, "plc"), ("user", user, None)):  # fmt: skip
                if v != default:
                    sparse[s][field_name][local] = v
    segments, encoded = [], []
    for s, (a, b) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        seg = codec.Segment(
            id=cols["id"][a:b], source_us=cols["t"][a:b], server_us=cols["st"][a:b],
            value=cols["value"][a:b], value_null=cols["vnull"][a:b], status=cols["status"][a:b],
            unit=cols["unit"][a:b], unit_null=cols["unull"][a:b], batch=cols["batch"][a:b],
            batch_null=cols["bnull"][a:b], position=cols["pos"][a:b],
            position_null=cols["pnull"][a:b], **sparse[s],
        )  # fmt: skip
        key = (*tag_keys[int(k[a])], int(bucket[a]) + Y2000_US)
        segments.append((key, seg))
        encoded.append((key, codec.encode(seg, compressor)))
    encoded_s = time.perf_counter() - began
    began = time.perf_counter()
    blobs_write(name, encoded, segments=[seg for _, seg in segments])
    written_s = time.perf_counter() - began
    return fetched_s, encoded_s, written_s, segments


def blobs_write(name: str, encoded: list, segments: list | None = None) -> None:
    """COPY the encoded segments into a new segment table (payload stored as is: EXTERNAL,
    PostgreSQL does not compress it again)."""
    from django.db import connection

    from lines import telemetry_codec as codec

    if segments is None:
        segments = [codec.decode(blob, only_times_values=False) for _, blob in encoded]
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {SCHEMA}.{name} ({_SEGMENT_KEY}, payload bytea NOT NULL)")
        cursor.execute(f"ALTER TABLE {SCHEMA}.{name} ALTER COLUMN payload SET STORAGE EXTERNAL")
        segment_indexes(cursor, name)
        columns = ("station_id", "parameter", "node_id", "bucket", "n", "t0_us", "t1_us",
                   "vmin", "vmax", "units", "payload")  # fmt: skip
        with cursor.cursor.copy(
            f"COPY {SCHEMA}.{name} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)"
        ) as copy:
            copy.set_types(["int8", "text", "text", "timestamp", "int4", "int8", "int8",
                            "float8", "float8", "int8[]", "bytea"])  # fmt: skip
            for (key, blob), seg in zip(encoded, segments, strict=True):
                present = seg.value[~seg.value_null]
                copy.write_row(
                    (
                        key[0], key[1], key[2],
                        np.datetime64(int(key[3]), "us").astype(object),
                        len(seg), int(seg.source_us.min()), int(seg.source_us.max()),
                        float(present.min()) if len(present) else None,
                        float(present.max()) if len(present) else None,
                        sorted(set(seg.unit[~seg.unit_null].tolist())),
                        blob,
                    )
                )  # fmt: skip


def read_blobs(name: str, keys: dict) -> dict:
    from django.db import connection

    from lines import telemetry_codec as codec

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT station_id, parameter, node_id, (extract(epoch FROM bucket) * 1000000)::int8,"
            f" payload FROM {SCHEMA}.{name}"
        )
        return {(keys[row[:3]], row[3]): codec.decode(row[4]) for row in cursor.fetchall()}


def check(expected: dict, got: dict, name: str) -> None:
    """Stop the run unless every segment read back is the generated one, bit for bit."""
    from lines.telemetry_codec import same

    if expected.keys() != got.keys():
        raise SystemExit(f"{name}: segments differ ({len(expected)} expected, {len(got)} read)")
    wrong = [key for key, seg in expected.items() if not same(seg, got[key])]
    if wrong:
        raise SystemExit(f"{name}: {len(wrong)} segments not lossless, e.g. {wrong[0]}")


# ----- references ---------------------------------------------------------------------------


def parquet_sizes(parts: dict) -> dict[str, Any]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        return {"skipped": "pyarrow not importable"}
    import tempfile

    out: dict[str, Any] = {"pyarrow": pa.__version__}
    total = 0
    for g, mix in parts.items():
        order = np.lexsort((mix.id, mix.source_us, mix.tag))
        tag = mix.tag[order]

        def nullable(values: np.ndarray, null: np.ndarray, kind, order=order) -> Any:
            return pa.array(values[order], type=kind, mask=null[order])

        n = len(mix)
        table = pa.table(
            {
                "id": pa.array(mix.id[order]),
                "station_id": pa.array([mix.tags[t][0] for t in tag.tolist()], pa.int64()),
                "parameter": pa.array([mix.tags[t][1] for t in tag.tolist()]).dictionary_encode(),
                "node_id": pa.array([mix.tags[t][2] for t in tag.tolist()]).dictionary_encode(),
                "batch_id": nullable(mix.batch, mix.batch_null, pa.int64()),
                "raw_value": pa.array([mix.raw.get(int(i), "") for i in order]),
                "value": nullable(mix.value, mix.value_null, pa.float64()),
                "source_time": pa.array(mix.source_us[order], pa.timestamp("us", tz="UTC")),
                "server_time": pa.array(mix.server_us[order], pa.timestamp("us", tz="UTC")),
                "status_code": pa.array(mix.status[order]),
                "unit_id": nullable(mix.unit, mix.unit_null, pa.int64()),
                "position_m": nullable(mix.position, mix.position_null, pa.float64()),
                "source": pa.array([mix.source.get(int(i), "plc") for i in order]),
                "recorded_by_id": pa.array([mix.user.get(int(i)) for i in order], pa.int64()),
                "rejected_reason": pa.array([mix.reason.get(int(i), "") for i in order]),
            }
        )
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "samples.parquet"
            pq.write_table(table, path, compression="zstd", row_group_size=1_000_000)
            size = path.stat().st_size
        out[g] = round(size / max(1, n), 2)
        total += size
    out["all"] = round(total / max(1, sum(len(m) for m in parts.values())), 2)
    return out


def pg_dump_size(tables: list[str], samples: int) -> dict[str, Any]:
    from django.db import connection

    db = connection.settings_dict
    only = [a for t in tables for a in ("-t", f"{SCHEMA}.{t}")]
    command = ["pg_dump", "-Fc", "-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432),
               "-U", db["USER"], *only, db["NAME"]]  # fmt: skip
    began = time.perf_counter()
    with subprocess.Popen(command, stdout=subprocess.PIPE, env=os.environ | {
            "PGPASSWORD": db.get("PASSWORD") or ""}) as dump:  # fmt: skip
        assert dump.stdout is not None
        size = sum(len(chunk) for chunk in iter(lambda: dump.stdout.read(1 << 20), b""))
    return {
        "bytes_per_sample": round(size / max(1, samples), 2),
        "seconds": round(time.perf_counter() - began, 1),
    }


def compaction_summary(timings: dict) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, runs in timings.items():
        if key.startswith("sql_"):
            n = sum(r[0] for r in runs)
            s = sum(r[1] for r in runs)
            out[key] = {"samples": n, "seconds": round(s, 2), "samples_per_s": round(n / s)}
        elif key.startswith("python_"):
            n = sum(r[0] for r in runs)
            fetch, enc, write = (sum(r[i] for r in runs) for i in (1, 2, 3))
            total = fetch + enc + write
            out[key] = {
                "samples": n,
                "seconds": round(total, 2),
                "samples_per_s": round(n / total),
                "fetch_s": round(fetch, 2),
                "encode_s": round(enc, 2),
                "write_s": round(write, 2),
                "encode_samples_per_s": round(n / enc),
            }
    return out


# ----- reading: one unit --------------------------------------------------------------------


def _timed(run, items: list) -> tuple[dict[str, float], list]:
    times, results = [], []
    for item in items:
        began = time.perf_counter()
        results.append(run(item))
        times.append(time.perf_counter() - began)
    ordered = sorted(t * 1000 for t in times)
    return {
        "median_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)], 2),
    }, results


def unit_reads(mix, buckets: list[int], main: str, count: int, seed: int) -> dict[str, Any]:
    """A cell's samples (all its tags, both groups): ~1 min at one station plus the minutes it
    spends in the others. Rows through the (unit, parameter) index; segments through the GIN
    index over their unit ids, decoded, the unit's samples kept. Counts must agree."""
    from django.db import connection

    from lines import telemetry_codec as codec

    stack = mix.stations.get("STACK-01")
    tags = [i for i, key in enumerate(mix.tags) if key[0] == stack]
    at_stack = np.isin(mix.tag, tags) & ~mix.unit_null
    candidates = sorted(set(mix.unit[at_stack].tolist()))[1:-1]  # whole cells, not the edges
    units = random.Random(seed).sample(candidates, min(count, len(candidates)))
    if not units:
        return {"skipped": "no whole cell in the mix (more --samples)"}
    out: dict[str, Any] = {"units": len(units)}
    columns = ", ".join(c for c, _ in _COPY_COLUMNS)

    def rows(unit: int) -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                " UNION ALL ".join(
                    f"SELECT {columns} FROM {SCHEMA}.rows_{g} WHERE unit_id = %s" for g in GROUPS
                ),
                [unit] * len(GROUPS),
            )
            return len(cursor.fetchall())

    def blobs(table: str):
        def read(unit: int) -> int:
            with connection.cursor() as cursor:
                cursor.execute(
                    " UNION ALL ".join(
                        f"SELECT payload FROM {SCHEMA}.{table.format(g=g)} "
                        "WHERE units @> ARRAY[%s]::int8[]"
                        for g in GROUPS
                    ),
                    [unit] * len(GROUPS),
                )
                found = 0
                for (payload,) in cursor.fetchall():
                    seg = codec.decode(payload)
                    found += int(((seg.unit == unit) & ~seg.unit_null).sum())
                return found

        return read

    def arrays(table: str):
        def read(unit: int) -> int:
            with connection.cursor() as cursor:
                cursor.execute(
                    " UNION ALL ".join(
                        arrays_select(table.format(g=g), "WHERE units @> ARRAY[%s]::int8[]")
                        for g in GROUPS
                    ),
                    [unit] * len(GROUPS),
                )
                found = 0
                for row in cursor.fetchall():
                    seg = arrays_decode(row)
                    found += int(((seg.unit == unit) & ~seg.unit_null).sum())
                return found

        return read

    paths = {"rows": rows}
    for b in buckets:
        paths[f"blob-{main} {_label(b)}"] = blobs(f"blob_{main}_{{g}}_{b}")
        paths[f"arrays-lz4 {_label(b)}"] = arrays(f"arr_lz4_{{g}}_{b}")
    counts = None
    for label, path in paths.items():
        _timed(path, units[:3])  # warm the cache: the question is the read, not the disk
        figures, found = _timed(path, units)
        if counts is None:
            counts = found
            out["samples_per_unit_median"] = statistics.median(found)
        elif found != counts:
            raise SystemExit(f"unit read {label}: {found} samples, rows had {counts}")
        out[label] = figures
    return out


# ----- reading: a long series, downsampled --------------------------------------------------


def series_mix(days: float, seed: int):
    """One noisy tag (COAT-01's areal loading) at 10 Hz for `days`: AR(1) noise around 25.0
    rounded to 4 decimals, as the simulator's channel; times with the PLC's jitter."""
    from bench.telemetry_mix import T0_US, Mix

    n = int(days * 86400 * 10)
    rng = np.random.default_rng(seed)
    phi, sigma = 0.6, 0.1
    e = rng.normal(0.0, sigma * math.sqrt(1 - phi**2), n)
    noise = np.empty(n)
    level = 0.0
    for start in range(0, n, 1 << 16):  # a Python loop over floats, in chunks for the memory
        chunk = e[start : start + (1 << 16)].tolist()
        out = []
        for x in chunk:
            level = phi * level + x
            out.append(level)
        noise[start : start + len(out)] = out
    value = np.round(25.0 + noise, 4)
    source_us = T0_US + np.arange(n, dtype=np.int64) * 100_000 + rng.integers(0, 4, n) * 1000
    zeros, false = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=bool)
    return Mix(
        tags=[(1, "areal_loading_mg_cm2", "ns=2;s=COAT-01.ArealLoading")],
        slow=[False],
        tag=np.zeros(n, dtype=np.int32),
        id=np.arange(1, n + 1, dtype=np.int64),
        source_us=source_us,
        server_us=source_us + rng.integers(1000, 5000, n),
        value=value,
        value_null=false,
        status=zeros,
        unit=zeros,
        unit_null=~false,
        batch=1 + np.arange(n, dtype=np.int64) // 2,
        batch_null=false,
        position=np.zeros(n),
        position_null=~false,
    )


def downsample(days: float, main: str, seed: int) -> dict[str, Any]:
    """Min and max per pixel (1,000 over the span) of one tag over `days`, from rows (SQL
    GROUP BY over the series index), from the codec's 1 h segments (decoded with numpy), from
    the arrays' 1 h segments (array_send, numpy). The three answers must agree."""
    from django.db import connection

    from lines import telemetry_codec as codec

    mix = series_mix(days, seed)
    rows_create("rows_series")
    copy_rows("rows_series", mix)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {SCHEMA}.rows_series")
    keys = {mix.tags[0]: 0}
    *_, segs = compact_python("rows_series", f"blob_{main}_series", 3600, main, keys)
    compact_sql("rows_series", "arr_lz4_series", 3600, "lz4")
    rollup_write("rollup_series", segs)
    analyze(["rows_series", f"blob_{main}_series", "arr_lz4_series", "rollup_series"])
    # Pixels of whole minutes from a whole minute: each rollup slot falls in one pixel, so
    # all the paths answer the same question exactly.
    first = int(mix.source_us[0]) // SLOT_US * SLOT_US
    last = int(mix.source_us[-1]) + 1
    width = -(-(last - first) // PIXELS // SLOT_US) * SLOT_US
    a = np.datetime64(first, "us").astype(object)
    b = np.datetime64(last, "us").astype(object)

    def pixels(t_us: np.ndarray, values: np.ndarray) -> tuple[list, list]:
        idx = (t_us - first) // width
        order = np.argsort(idx, kind="stable")
        idx, values = idx[order], values[order]
        starts = np.flatnonzero(np.r_[True, idx[1:] != idx[:-1]])
        return (np.minimum.reduceat(values, starts).tolist(),
                np.maximum.reduceat(values, starts).tolist())  # fmt: skip

    def rows(_: int) -> tuple[list, list]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT ((extract(epoch FROM source_time) * 1000000)::int8 - %s) / %s AS px, "
                f"min(value), max(value) FROM {SCHEMA}.rows_series "
                "WHERE station_id = 1 AND parameter = 'areal_loading_mg_cm2' "
                "AND source_time >= %s AND source_time < %s AND value IS NOT NULL "
                "GROUP BY px ORDER BY px",
                [first, width, a, b],
            )
            found = cursor.fetchall()
        return [r[1] for r in found], [r[2] for r in found]

    def blobs(_: int) -> tuple[list, list]:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT payload FROM {SCHEMA}.blob_{main}_series WHERE station_id = 1 AND "
                "parameter = 'areal_loading_mg_cm2' AND bucket >= %s - interval '1 hour' "
                "AND bucket < %s ORDER BY bucket",
                [a, b],
            )
            decoded = [codec.decode(p, only_times_values=True) for (p,) in cursor.fetchall()]
        t = np.concatenate([s.source_us[~s.value_null] for s in decoded])
        v = np.concatenate([s.value[~s.value_null] for s in decoded])
        return pixels(t, v)

    def arrays(_: int) -> tuple[list, list]:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT t0_us, array_send(dt), array_send(vals), val_null IS NULL "
                f"FROM {SCHEMA}.arr_lz4_series WHERE station_id = 1 AND "
                "parameter = 'areal_loading_mg_cm2' AND bucket >= %s - interval '1 hour' "
                "AND bucket < %s ORDER BY bucket",
                [a, b],
            )
            found = cursor.fetchall()
        t = np.concatenate([t0 + np.cumsum(_array(dt, "int64")) for t0, dt, _, _ in found])
        v = np.concatenate([_array(vals, "float64") for _, _, vals, _ in found])
        return pixels(t, v)  # no NULL values in this series (val_null is '{}' throughout)

    def rollups(_: int) -> tuple[list, list]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT (extract(epoch FROM bucket) * 1000000)::int8, array_send(slot_min), "
                f"array_send(slot_max) FROM {SCHEMA}.rollup_series WHERE station_id = 1 AND "
                "parameter = 'areal_loading_mg_cm2' AND bucket >= %s - interval '1 hour' "
                "AND bucket < %s ORDER BY bucket",
                [a, b],
            )
            found = cursor.fetchall()
        lo = np.concatenate([_array(m, "float64") for _, m, _ in found])
        hi = np.concatenate([_array(m, "float64") for _, _, m in found])
        t = np.concatenate([start + np.arange(SLOTS) * SLOT_US for start, _, _ in found])
        full = lo <= hi  # a slot without values holds +inf, -inf
        idx = (t[full] - first) // width
        starts = np.flatnonzero(np.r_[True, idx[1:] != idx[:-1]])
        return (np.minimum.reduceat(lo[full], starts).tolist(),
                np.maximum.reduceat(hi[full], starts).tolist())  # fmt: skip

    out: dict[str, Any] = {
        "days": days,
        "points": len(mix),
        "pixels": PIXELS,
        "pixel_s": width // 1_000_000,
        "rollup_bytes_per_sample": round(relation_size("rollup_series") / len(mix), 3),
    }
    answers = {}
    for label, path in (("rows", rows), (f"blob-{main} 1 h", blobs), ("arrays-lz4 1 h", arrays),
                        ("1-min min/max rollup of the 1 h segments", rollups)):  # fmt: skip
        path(0)  # warm
        figures, results = _timed(path, [0, 1, 2])
        answers[label] = results[0]
        figures["30_days_ms (scaled)"] = round(figures["median_ms"] * 30 / days)
        out[label] = figures
    if len({json.dumps(v) for v in answers.values()}) != 1:
        raise SystemExit("downsample: the forms' min/max per pixel differ")
    return out


SLOT_US = 60_000_000
SLOTS = 60


def rollup_write(name: str, segs: list) -> None:
    """Per 1 h segment, the min and max of each minute (+inf/-inf where none): 120 floats."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {SCHEMA}.{name} (station_id bigint, parameter varchar(64), "
            "bucket timestamptz, slot_min float8[], slot_max float8[], "
            "PRIMARY KEY (station_id, parameter, bucket))"
        )
        with cursor.cursor.copy(f"COPY {SCHEMA}.{name} FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(["int8", "text", "timestamp", "float8[]", "float8[]"])
            for key, seg in segs:
                keep = ~seg.value_null
                slot = (seg.source_us[keep] - key[3]) // SLOT_US
                lo, hi = np.full(SLOTS, np.inf), np.full(SLOTS, -np.inf)
                np.minimum.at(lo, slot, seg.value[keep])
                np.maximum.at(hi, slot, seg.value[keep])
                copy.write_row(
                    (key[0], key[1], np.datetime64(int(key[3]), "us").astype(object),
                     lo.tolist(), hi.tolist())
                )  # fmt: skip


# ----- output -------------------------------------------------------------------------------


def print_report(r: dict[str, Any]) -> None:
    print(
        f"\n{r['samples']:,} samples ({r['group_samples']['noisy']:,} noisy, "
        f"{r['group_samples']['slow']:,} slowly changing), {r['tags']} tags, "
        f"{r['line_hours']} line hours, {r['rejected']} rejected, {r['not_good']} not Good; "
        f"generated in {r['generate_s']} s, rows loaded in {r['rows_load_s']} s"
    )
    print(f"lossless: {r['lossless']}\n")
    print(
        f"{'form':28} {'noisy B/sample':>15} {'slow B/sample':>14} {'all B/sample':>13} {'vs rows':>8}"
    )
    base = r["bytes_per_sample"]["rows"]["all"]
    for form, per in r["bytes_per_sample"].items():
        print(f"{form:28} {per['noisy']:>15} {per['slow']:>14} {per['all']:>13} "
              f"{base / per['all']:>7.1f}x")  # fmt: skip
    pq = r["parquet"]
    if "all" in pq:
        print(f"{'parquet zstd (no index)':28} {pq['noisy']:>15} {pq['slow']:>14} {pq['all']:>13} "
              f"{base / pq['all']:>7.1f}x")  # fmt: skip
    if "pg_dump_fc" in r:
        d = r["pg_dump_fc"]["bytes_per_sample"]
        print(f"{'pg_dump -Fc of the rows':28} {'':>15} {'':>14} {d:>13} {base / d:>7.1f}x")
    print("\ncompaction:")
    for key, c in r["compaction"].items():
        extra = ""
        if "fetch_s" in c:
            extra = (f" (fetch {c['fetch_s']} s, sort + encode {c['encode_s']} s = "
                     f"{c['encode_samples_per_s']:,}/s, write {c['write_s']} s)")  # fmt: skip
        print(f"  {key:18} {c['samples_per_s']:>10,} samples/s  {c['seconds']} s{extra}")
    u = r["unit_read"]
    print(
        f"\none unit's samples ({u.get('units')} cells, median {u.get('samples_per_unit_median')} samples):"
    )
    for key, f in u.items():
        if isinstance(f, dict):
            print(f"  {key:22} median {f['median_ms']} ms, p95 {f['p95_ms']} ms")
    d = r["downsample"]
    print(
        f"\nmin/max downsample, 1 tag, {d['days']} days ({d['points']:,} points) to {d['pixels']} pixels:"
    )
    for key, f in d.items():
        if isinstance(f, dict):
            print(
                f"  {key:22} median {f['median_ms']} ms -> 30 days ~{f['30_days_ms (scaled)']} ms"
            )


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
