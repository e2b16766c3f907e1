"""Compaction (lines/services/telemetry_compaction.py, manage.py telemetry_compact): lossless,
idempotent, late samples merged; in both modes."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lines import sample_segments as ss
from lines import telemetry_codec as codec
from lines.models import Sample, SampleSegment, SegmentUnit
from lines.services.telemetry_compaction import hot_cutoff, samples_compact
from tests.factories import make_user
from tests.lines.compact_helpers import BASE, mix_store, per_bucket, sample, segment_buckets, stored

pytestmark = pytest.mark.django_db


@pytest.fixture
def mix(plant):
    return mix_store(plant, make_user("mia.manual"))


def test_every_column_of_every_sample_survives(mix):
    before = stored()
    old = [s for s in Sample.objects.all() if s.source_time < hot_cutoff(24)]
    expected = per_bucket(old)

    done = samples_compact(before=hot_cutoff(24))

    assert done.samples == len(old) == len(mix) - 1
    assert stored() == before
    assert segment_buckets() == expected
    assert done.segments == len(expected) and done.buckets == 3
    assert list(Sample.objects.values_list("value", flat=True)) == [21.0]  # the hot one stays
    # Units are found by their segments without decoding.
    cell_segments = SegmentUnit.objects.filter(unit_id=mix[1 + 90].unit_id)
    assert {u.segment.series for u in cell_segments} == {
        ss.series_key(mix[91].station_id, "stacking_pressure_mpa", "ns=2;s=STACK.Pressure"),
        ss.series_key(mix[91].station_id, "cell_thickness_mm", ""),
    }


def test_a_second_run_changes_nothing(mix):
    samples_compact(before=hot_cutoff(24))
    first = list(SampleSegment.objects.values_list("id", "checksum", "compacted_at"))

    again = samples_compact(before=hot_cutoff(24))

    assert (again.buckets, again.segments, again.samples) == (0, 0, 0)
    assert list(SampleSegment.objects.values_list("id", "checksum", "compacted_at")) == first


def test_late_samples_merge_into_their_bucket(plant, mix):
    samples_compact(before=hot_cutoff(24))
    segments = SampleSegment.objects.count()
    coater = plant.station("coating")
    late = Sample.objects.bulk_create(
        [
            sample(
                coater,
                "areal_loading_mg_cm2",
                "ns=2;s=COAT.ArealLoading",
                3.5,
                19.5,
                raw_value="late",
            )
        ]  # fmt: skip
    )
    everything = stored()

    done = samples_compact(before=hot_cutoff(24))

    assert (done.buckets, done.segments, done.samples, done.merged) == (1, 1, 1, 1)
    assert SampleSegment.objects.count() == segments
    assert stored() == everything
    row = SampleSegment.objects.get(series__contains="ArealLoading", bucket=BASE)
    seg = codec.decode(bytes(row.data))
    assert row.count == 61 and ss.checksum(seg) == row.checksum
    # In time order: the late sample (3.5 s) sits between those of 0 s and 10 s.
    assert [s.pk for s in ss.to_samples(row, seg)][1] == late[0].pk


def test_max_buckets_stops_after_so_many_windows(mix):
    done = samples_compact(before=hot_cutoff(24), max_buckets=2)

    assert done.buckets == 2
    assert set(SampleSegment.objects.values_list("bucket", flat=True)) == {
        BASE, BASE + timedelta(minutes=10)
    }  # fmt: skip
    assert Sample.objects.filter(source_time__gte=BASE + timedelta(minutes=20)).count() == 5


def test_the_command_compacts_counts_and_verifies(mix):
    out = StringIO()
    call_command("telemetry_compact", "--dry-run", stdout=out)
    assert "would compact" in out.getvalue() and f"{len(mix) - 1} samples" in out.getvalue()
    assert not SampleSegment.objects.exists()

    out = StringIO()
    call_command("telemetry_compact", "--hot-hours", "24", stdout=out)
    assert f"3 buckets, 10 segments, {len(mix) - 1} samples" in out.getvalue()

    out = StringIO()
    call_command("telemetry_compact", "--verify", stdout=out)
    assert f"verified 10 segments, {len(mix) - 1} samples: 0 bad" in out.getvalue()

    broken = SampleSegment.objects.order_by("id").first()
    SampleSegment.objects.filter(pk=broken.pk).update(checksum="0" * 64)
    with pytest.raises(CommandError, match="1 segments failed"):
        call_command("telemetry_compact", "--verify", stdout=StringIO(), stderr=StringIO())
    # A time range leaves the broken segment's bucket out.
    out = StringIO()
    after = (broken.bucket + timedelta(minutes=10)).isoformat()
    call_command("telemetry_compact", "--verify", "--since", after, stdout=out)
    assert " 0 bad" in out.getvalue()


def test_the_task_compacts_what_the_hot_window_leaves(mix, settings):
    from lines.tasks import telemetry_compact

    settings.TELEMETRY_HOT_HOURS = 24
    settings.TELEMETRY_COMPACT_REST = 0
    report = telemetry_compact.apply(kwargs={"max_buckets": 1}).get()

    assert (report["buckets"], report["segments"]) == (1, 4)
    assert SampleSegment.objects.filter(bucket=BASE).count() == 4


@pytest.mark.parametrize(
    "args",
    [
        ["--rest", "-1"],
        ["--hot-hours", "-2"],
        ["--max-buckets", "0"],
        ["--workers", "0"],
        ["--verify", "--since", "2026-11-01"],
    ],  # fmt: skip
)
def test_the_command_refuses_what_makes_no_sense(args):
    with pytest.raises(CommandError):
        call_command("telemetry_compact", *args, stdout=StringIO())


def test_a_row_whose_id_is_compacted_already_is_refused_not_stored_twice(plant, mix):
    samples_compact(before=hot_cutoff(24))
    first = mix[0]  # compacted: its id is in the areal loading's first segment
    again = sample(first.station, first.parameter, first.node_id, 1.0, 5.0)
    again.pk = first.pk
    Sample.objects.bulk_create([again])
    segments = segment_buckets()

    with pytest.raises(RuntimeError, match="in its stored segment already"):
        samples_compact(before=hot_cutoff(24))

    assert segment_buckets() == segments
    assert Sample.objects.filter(pk=first.pk).exists()
