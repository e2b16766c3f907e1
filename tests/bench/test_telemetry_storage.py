"""The telemetry storage bench's encodings are lossless: decode(encode(x)) == x bit for bit, for
every value, time, status, unit, batch, position, text, rejection reason, source and user.

The codec on the bench's demo mix and on generated edge cases (any mode); the whole bench at a
tiny N on PostgreSQL, which stops unless every segment of every form read back from the
database equals the generated rows (services mode)."""

import argparse

import numpy as np
import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.telemetry_mix import demo_mix, segments
from lines import telemetry_codec as codec

DEMO_SAMPLES = 40_000


@pytest.fixture(scope="module")
def mix():
    return demo_mix(DEMO_SAMPLES, seed=3)


def test_the_demo_mix_has_what_the_codec_must_keep(mix):
    """Otherwise the round trip below would prove little."""
    assert len(mix) >= DEMO_SAMPLES
    assert (mix.status != 0).any()  # bad status, stored rejected
    assert any(r.startswith("OPC UA status") for r in mix.reason.values())
    assert "not a finite number" in mix.reason.values()  # NaN
    assert mix.value_null.any() and (~mix.value_null).any()
    assert mix.unit_null.any() and (~mix.unit_null).any()
    assert (~mix.position_null).any()  # roll metres on COAT-01
    assert any(v.startswith("CELL-SIM-") for v in mix.raw.values())  # serials as text
    assert "manual" in mix.source.values() and mix.user
    assert mix.batch_null.any()  # a manual sample has no batch
    assert any(mix.slow) and not all(mix.slow)


@pytest.mark.parametrize("compressor", sorted(codec.COMPRESSORS))
@pytest.mark.parametrize("bucket_s", [60, 600, 3600])
def test_every_segment_of_the_demo_mix_round_trips(mix, compressor, bucket_s):
    cut = segments(mix, bucket_s)
    assert sum(len(k.segment) for k in cut) == len(mix)
    for keyed in cut:
        blob = codec.encode(keyed.segment, compressor)
        assert codec.same(codec.decode(blob), keyed.segment), (keyed.tag, keyed.bucket_us)


def test_a_changed_value_is_seen():
    """The equality the round trips rely on sees one bit, and NULL against a value."""
    seg = _segment([1.5, 2.25, -0.0], nulls=[False, False, False])
    other = _segment([1.5, 2.25, 0.0], nulls=[False, False, False])
    assert codec.same(seg, seg) and not codec.same(seg, other)
    assert not codec.same(seg, _segment([1.5, 2.25, -0.0], nulls=[False, False, True]))


def test_decimal_values_take_the_integer_path_and_negative_zero_does_not():
    decimal = codec.encode(_segment([25.1613, 25.0001, 24.9999], nulls=[False] * 3), "none")
    signed_zero = codec.encode(_segment([0.1, -0.0, 0.2], nulls=[False] * 3), "none")
    assert codec.same(codec.decode(signed_zero), _segment([0.1, -0.0, 0.2], nulls=[False] * 3))
    assert len(decimal) < len(signed_zero)  # 3 small ints against 3 x 8 XOR bytes


def _segment(values, nulls):
    n = len(values)
    return codec.Segment(
        id=np.arange(1, n + 1, dtype=np.int64),
        source_us=np.arange(n, dtype=np.int64) * 100_000,
        server_us=np.arange(n, dtype=np.int64) * 100_000 + 1500,
        value=np.array(values, dtype=np.float64),
        value_null=np.array(nulls, dtype=bool),
        status=np.zeros(n, dtype=np.int64),
        unit=np.zeros(n, dtype=np.int64),
        unit_null=np.ones(n, dtype=bool),
        batch=np.ones(n, dtype=np.int64),
        batch_null=np.zeros(n, dtype=bool),
        position=np.zeros(n),
        position_null=np.ones(n, dtype=bool),
    )


INT64 = st.integers(-(2**63), 2**63 - 1)
BITS = st.integers(0, 2**64 - 1)  # any float64 bit pattern: NaN payloads, -0.0, infinities


@st.composite
def any_segment(draw):
    n = draw(st.integers(0, 60))

    def ints(strategy=INT64):
        return np.array(draw(st.lists(strategy, min_size=n, max_size=n)), dtype=np.int64)

    def floats():
        # decimal-looking values (the integer path) or any bit pattern (the XOR path)
        if draw(st.booleans()):
            k = draw(st.integers(0, 9))
            scaled = draw(st.lists(st.integers(-(2**53) + 1, 2**53 - 1), min_size=n, max_size=n))
            return np.array(scaled, dtype=np.float64) / 10.0**k
        return np.array(draw(st.lists(BITS, min_size=n, max_size=n)), dtype=np.uint64).view(
            np.float64
        )

    def mask():
        return np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)

    def sparse(values):
        at = draw(st.sets(st.integers(0, max(0, n - 1)), max_size=n)) if n else set()
        return {i: draw(values) for i in sorted(at)}

    runs = st.sampled_from([0, 1, 7, -(2**63), 2**63 - 1])  # runs of repeats, and extremes
    return codec.Segment(
        id=ints(),
        source_us=ints(),
        server_us=ints(),
        value=floats(),
        value_null=mask(),
        status=np.array(
            draw(
                st.lists(st.sampled_from([0, 0, 0, 0x808C0000, 2**40, -1]), min_size=n, max_size=n)
            ),
            dtype=np.int64,
        ),  # fmt: skip
        unit=ints(runs),
        unit_null=mask(),
        batch=ints(runs),
        batch_null=mask(),
        position=floats(),
        position_null=mask(),
        raw=sparse(st.text(min_size=1, max_size=12)),
        reason=sparse(st.text(min_size=1, max_size=12)),
        source=sparse(st.sampled_from(["manual", "x", "plc?"])),
        user=sparse(st.integers(-(2**31), 2**31 - 1)),
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seg=any_segment(), compressor=st.sampled_from(sorted(codec.COMPRESSORS)))
def test_any_segment_round_trips(seg, compressor):
    assert codec.same(codec.decode(codec.encode(seg, compressor)), seg)


@pytest.mark.services
@pytest.mark.db_owner  # the bench makes a schema of its own
@pytest.mark.django_db(transaction=True)
def test_the_bench_checks_every_form_against_the_rows():
    """The bench reads every segment of every form back from PostgreSQL and stops on the first
    one that differs from the generated rows; a finished run is the proof."""
    from bench import telemetry_storage

    args = argparse.Namespace(samples=30_000, buckets="60,600", series_days=0.01, units=3,
                              seed=5, skip_dump=True, out_dir=None)  # fmt: skip
    try:
        report = telemetry_storage.run(args)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA IF EXISTS {telemetry_storage.SCHEMA} CASCADE")
    assert report["lossless"].startswith("every segment")
    forms = report["bytes_per_sample"]
    assert {"rows", "arrays-lz4 1 min", "arrays-pglz 10 min", "blob-zlib 10 min"} <= forms.keys()
    assert report["unit_read"]["units"] >= 1
    assert report["downsample"]["points"] == 8640
