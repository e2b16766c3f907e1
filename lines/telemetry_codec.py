"""A lossless columnar encoding of one telemetry segment (one tag's samples in one time bucket),
stored by the compaction (lines/services/telemetry_compaction.py, zlib) and measured by
bench.telemetry_storage. Pure numpy and the standard library: no Django.

Every column of `lines.Sample` is kept: ids, times (source and server, microseconds), values and
positions bit for bit (a float is rebuilt from its 64 bits or from an integer it provably came
from, never rounded), statuses where not Good, unit and batch attribution as runs, text and
rejection reasons where present, and the rare manual sample's source and user. `encode` refuses
nothing and `decode(encode(s)) == s` holds for any segment (tests/bench/test_telemetry_codec.py
checks it on the bench's demo mix and on generated edge cases: NaN payloads, -0.0, infinities,
nulls, int64 extremes).

Layout: b"TS1" + compressor byte + the compressed body. The body is a sequence of sections, each
an unsigned LEB128 length and its bytes. Integer columns are zigzag-encoded, stored at the
smallest width (1, 2, 4 or 8 bytes) that holds them, byte planes shuffled (all low bytes, then
all next bytes...: what Blosc and Parquet's BYTE_STREAM_SPLIT do) so the compressor sees runs.
"""

from __future__ import annotations

import lzma
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

MAGIC = b"TS1"
I64 = np.int64
U64 = np.uint64


@dataclass
class Segment:
    """One segment's samples in (source time, id) order; `*_null` mark SQL NULLs. Text columns
    are sparse: {index: text} for the samples where they are not the column's default."""

    id: np.ndarray  # int64
    source_us: np.ndarray  # int64, microseconds since the epoch
    server_us: np.ndarray  # int64
    value: np.ndarray  # float64 (meaningless where value_null)
    value_null: np.ndarray  # bool
    status: np.ndarray  # int64
    unit: np.ndarray  # int64 (meaningless where unit_null)
    unit_null: np.ndarray  # bool
    batch: np.ndarray  # int64
    batch_null: np.ndarray  # bool
    position: np.ndarray  # float64
    position_null: np.ndarray  # bool
    raw: dict[int, str] = field(default_factory=dict)  # raw_value where not ""
    reason: dict[int, str] = field(default_factory=dict)  # rejected_reason where not ""
    source: dict[int, str] = field(default_factory=dict)  # where not "plc"
    user: dict[int, int] = field(default_factory=dict)  # recorded_by where not NULL

    def __len__(self) -> int:
        return len(self.id)


def same(a: Segment, b: Segment) -> bool:
    """Bit-for-bit equality: floats compared as their 64-bit patterns where not NULL (NaN
    payloads and -0.0 included), NULL positions compared as NULLs."""
    if len(a) != len(b):
        return False
    for name in ("id", "source_us", "server_us", "status"):
        if not np.array_equal(getattr(a, name), getattr(b, name)):
            return False
    for name, kind in (("value", U64), ("unit", I64), ("batch", I64), ("position", U64)):
        null_a, null_b = getattr(a, f"{name}_null"), getattr(b, f"{name}_null")
        if not np.array_equal(null_a, null_b):
            return False
        col_a = np.ascontiguousarray(getattr(a, name)).view(kind)[~null_a]
        col_b = np.ascontiguousarray(getattr(b, name)).view(kind)[~null_b]
        if not np.array_equal(col_a, col_b):
            return False
    return a.raw == b.raw and a.reason == b.reason and a.source == b.source and a.user == b.user


# ----- compressors ---------------------------------------------------------------------------


def _optional_compressors() -> dict[str, tuple[int, Callable, Callable]]:
    found: dict[str, tuple[int, Callable, Callable]] = {}
    try:
        import zstandard  # type: ignore[import-not-found]  # optional: measured when installed

        zc, zd = zstandard.ZstdCompressor(level=9), zstandard.ZstdDecompressor()
        found["zstd"] = (3, zc.compress, zd.decompress)
    except ImportError:
        pass
    try:
        import lz4.frame  # type: ignore[import-not-found]  # optional: measured when installed

        found["lz4"] = (4, lz4.frame.compress, lz4.frame.decompress)
    except ImportError:
        pass
    return found


COMPRESSORS: dict[str, tuple[int, Callable[[bytes], bytes], Callable[[bytes], bytes]]] = {
    "none": (0, bytes, bytes),
    "zlib": (1, lambda b: zlib.compress(b, 6), zlib.decompress),
    "lzma": (2, lambda b: lzma.compress(b, preset=6), lzma.decompress),
    **_optional_compressors(),
}
_BY_ID = {ident: dec for ident, _, dec in COMPRESSORS.values()}


# ----- primitives ----------------------------------------------------------------------------


def _uvarint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _read_uvarint(buf: memoryview, at: int) -> tuple[int, int]:
    n = shift = 0
    while True:
        byte = buf[at]
        at += 1
        n |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return n, at
        shift += 7


def _zigzag(a: np.ndarray) -> np.ndarray:
    a = a.astype(I64, copy=False)
    return ((a << 1) ^ (a >> 63)).view(U64)


def _unzigzag(u: np.ndarray) -> np.ndarray:
    return ((u >> U64(1)) ^ (U64(0) - (u & U64(1)))).view(I64)


def _wrapping_diff(a: np.ndarray) -> np.ndarray:
    """Differences modulo 2**64 (first element kept): exact for any int64, overflow included;
    cumsum modulo 2**64 undoes it."""
    u = a.astype(I64, copy=False).view(U64)
    out = np.empty_like(u)
    if len(u):
        out[0] = u[0]
        np.subtract(u[1:], u[:-1], out=out[1:])
    return out.view(I64)


def _wrapping_cumsum(d: np.ndarray) -> np.ndarray:
    return np.cumsum(d.view(U64), dtype=U64).view(I64)


def _ints(a: np.ndarray) -> bytes:
    """Zigzag, the smallest of 1/2/4/8 bytes, byte planes shuffled."""
    u = _zigzag(np.asarray(a, dtype=I64))
    top = int(u.max()) if len(u) else 0
    width = 1 if top < 1 << 8 else 2 if top < 1 << 16 else 4 if top < 1 << 32 else 8
    planes = u.astype(f"<u{width}").view(np.uint8).reshape(-1, width).T
    return bytes([width]) + np.ascontiguousarray(planes).tobytes()


def _read_ints(body: bytes, n: int) -> np.ndarray:
    width = body[0]
    planes = np.frombuffer(body, dtype=np.uint8, offset=1).reshape(width, n)
    return _unzigzag(np.ascontiguousarray(planes.T).view(f"<u{width}").reshape(n).astype(U64))


def _mask(null: np.ndarray) -> bytes:
    """b"" when nothing is NULL, else a bit per sample."""
    return np.packbits(null).tobytes() if null.any() else b""


def _read_mask(body: bytes, n: int) -> np.ndarray:
    if not body:
        return np.zeros(n, dtype=bool)
    return np.unpackbits(np.frombuffer(body, dtype=np.uint8), count=n).astype(bool)


def _floats(values: np.ndarray, decimal: bool = True) -> bytes:
    """Decimal mode when every value is k-digit decimal exactly (v == float(i) / 10**k bit for
    bit, |i| < 2**53): the integers' deltas. Otherwise XOR with the previous value's bits."""
    v = np.asarray(values, dtype=np.float64)
    bits = v.view(U64)
    if decimal and len(v) and np.isfinite(v).all():
        for k in range(10):
            scaled = np.rint(v * 10.0**k)
            if np.abs(scaled).max() >= 2.0**53:
                break
            # The check runs the decoder's own arithmetic (through int64), so -0.0, which an
            # integer cannot carry, fails it and goes to XOR mode.
            as_int = scaled.astype(I64)
            if np.array_equal((as_int.astype(np.float64) / 10.0**k).view(U64), bits):
                return bytes([1, k]) + _ints(_wrapping_diff(as_int))
    xored = bits.copy()
    xored[1:] ^= bits[:-1]
    planes = xored.view(np.uint8).reshape(-1, 8).T
    return bytes([2]) + np.ascontiguousarray(planes).tobytes()


def _read_floats(body: bytes, n: int) -> np.ndarray:
    if body[0] == 1:
        k = body[1]
        scaled = _wrapping_cumsum(_read_ints(body[2:], n))
        return scaled.astype(np.float64) / 10.0**k
    planes = np.frombuffer(body, dtype=np.uint8, offset=1).reshape(8, n)
    xored = np.ascontiguousarray(planes.T).view(U64).reshape(n)
    return np.bitwise_xor.accumulate(xored).view(np.float64)


def _runs(values: np.ndarray, null: np.ndarray) -> bytes:
    """Run starts, the runs' NULL mask and their values' deltas (NULL runs as 0)."""
    n = len(values)
    key = np.where(null, I64(0), values.astype(I64))
    change = np.ones(n, dtype=bool)
    change[1:] = (key[1:] != key[:-1]) | (null[1:] != null[:-1])
    starts = np.flatnonzero(change)
    sections = [
        _ints(np.diff(starts, prepend=0)),
        _mask(null[starts]),
        _ints(_wrapping_diff(key[starts])),
    ]
    return _uvarint(len(starts)) + b"".join(_uvarint(len(s)) + s for s in sections)


def _read_runs(body: bytes, n: int) -> tuple[np.ndarray, np.ndarray]:
    view = memoryview(body)
    runs, at = _read_uvarint(view, 0)
    parts = []
    for _ in range(3):
        size, at = _read_uvarint(view, at)
        parts.append(bytes(view[at : at + size]))
        at += size
    starts = np.cumsum(_read_ints(parts[0], runs))
    run_null = _read_mask(parts[1], runs)
    run_values = _wrapping_cumsum(_read_ints(parts[2], runs))
    lengths = np.diff(np.append(starts, n))
    return np.repeat(run_values, lengths), np.repeat(run_null, lengths)


def _texts(sparse: dict[int, str]) -> bytes:
    if not sparse:
        return b""
    at = np.array(sorted(sparse), dtype=I64)
    strings = [sparse[int(i)].encode() for i in at]
    return (
        _uvarint(len(at))
        + _uvarint(len(ints := _ints(np.diff(at, prepend=0))))
        + ints
        + b"".join(_uvarint(len(s)) + s for s in strings)
    )


def _read_texts(body: bytes) -> dict[int, str]:
    if not body:
        return {}
    view = memoryview(body)
    count, at = _read_uvarint(view, 0)
    size, at = _read_uvarint(view, at)
    at_list = np.cumsum(_read_ints(bytes(view[at : at + size]), count)).tolist()
    at += size
    out = {}
    for i in at_list:
        length, at = _read_uvarint(view, at)
        out[i] = bytes(view[at : at + length]).decode()
        at += length
    return out


# ----- a segment -----------------------------------------------------------------------------


def encode(seg: Segment, compressor: str = "zlib", *, decimal: bool = True) -> bytes:
    """decimal=False: values always by XOR (what values that are no short decimals, such as an
    OPC UA Float widened to a double, would cost)."""
    n = len(seg)
    value_null, position_null = seg.value_null, seg.position_null
    time_deltas = _wrapping_diff(seg.source_us)
    users = {i: str(u) for i, u in seg.user.items()}
    sections = [
        _ints(_wrapping_diff(seg.id)),
        # delta of delta: a steady sampling period is a run of zeros
        _ints(_wrapping_diff(time_deltas)),
        _ints(_wrapping_diff(seg.server_us - seg.source_us)),
        _mask(value_null),
        _floats(seg.value[~value_null], decimal) if (~value_null).any() else b"",
        _texts({i: str(int(c)) for i, c in zip(*_nonzero(seg.status), strict=True)}),
        _runs(seg.unit, seg.unit_null),
        _runs(seg.batch, seg.batch_null),
        _mask(position_null),
        _floats(seg.position[~position_null], decimal) if (~position_null).any() else b"",
        _texts(seg.raw),
        _texts(seg.reason),
        _texts(seg.source),
        _texts(users),
    ]
    body = _uvarint(n) + b"".join(_uvarint(len(s)) + s for s in sections)
    ident, compress, _ = COMPRESSORS[compressor]
    return MAGIC + bytes([ident]) + compress(body)


def _nonzero(status: np.ndarray) -> tuple[list[int], list[int]]:
    at = np.flatnonzero(status)
    return at.tolist(), status[at].tolist()


def decode(blob: bytes, *, only_times_values: bool = False, detail: bool = True) -> Segment:
    """The segment back; with only_times_values, ids, times and values are rebuilt and the
    other columns left empty (what a chart needs); without detail, server times, batches,
    positions, raw values, sources and users are left empty (what a summary needs)."""
    if blob[:3] != MAGIC:
        raise ValueError("not a telemetry segment")
    body = memoryview(_BY_ID[blob[3]](blob[4:]))
    n, at = _read_uvarint(body, 0)
    parts = []
    while at < len(body):
        size, at = _read_uvarint(body, at)
        parts.append(bytes(body[at : at + size]))
        at += size
    ids = _wrapping_cumsum(_read_ints(parts[0], n))
    source_us = _wrapping_cumsum(_wrapping_cumsum(_read_ints(parts[1], n)))
    server_us = empty = np.zeros(0, dtype=I64)
    if detail:
        server_us = (
            source_us.view(U64) + _wrapping_cumsum(_read_ints(parts[2], n)).view(U64)
        ).view(I64)
    value_null = _read_mask(parts[3], n)
    value = np.zeros(n, dtype=np.float64)
    if parts[4]:
        value[~value_null] = _read_floats(parts[4], int((~value_null).sum()))
    if only_times_values:
        none = np.zeros(0, dtype=bool)
        return Segment(ids, source_us, server_us, value, value_null, empty, empty, none,
                       empty, none, np.zeros(0), none)  # fmt: skip
    status = np.zeros(n, dtype=I64)
    for i, code in _read_texts(parts[5]).items():
        status[i] = int(code)
    unit, unit_null = _read_runs(parts[6], n)
    if not detail:
        none = np.zeros(0, dtype=bool)
        return Segment(ids, source_us, server_us, value, value_null, status, unit, unit_null,
                       empty, none, np.zeros(0), none, reason=_read_texts(parts[11]))  # fmt: skip
    batch, batch_null = _read_runs(parts[7], n)
    position_null = _read_mask(parts[8], n)
    position = np.zeros(n, dtype=np.float64)
    if parts[9]:
        position[~position_null] = _read_floats(parts[9], int((~position_null).sum()))
    return Segment(
        id=ids,
        source_us=source_us,
        server_us=server_us,
        value=value,
        value_null=value_null,
        status=status,
        unit=unit,
        unit_null=unit_null,
        batch=batch,
        batch_null=batch_null,
        position=position,
        position_null=position_null,
        raw=_read_texts(parts[10]),
        reason=_read_texts(parts[11]),
        source=_read_texts(parts[12]),
        user={i: int(u) for i, u in _read_texts(parts[13]).items()},
    )


def float_bits(x: float) -> int:
    return struct.unpack("<Q", struct.pack("<d", x))[0]
