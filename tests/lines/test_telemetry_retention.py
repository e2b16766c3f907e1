"""Retention by class: expired raw telemetry goes, a unit's samples and samples a quality record
refers to stay the product period, the hot window is never touched, and a dry run lists exactly
what --apply then removes."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command

from lines.models import Sample, SampleSegment, SegmentUnit
from lines.services.telemetry_compaction import samples_compact
from lines.services.telemetry_retention import (
    KEPT_QUALITY,
    KEPT_UNIT,
    PRODUCT,
    RAW,
    Policy,
    retention_run,
)
from quality.choices import FlagKind
from quality.models import Flag, SpcBaseline
from tests.factories import make_cell

pytestmark = pytest.mark.django_db

NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)  # on a bucket edge
HOT_DAYS = 7
OLD = NOW - timedelta(days=800)  # past 730 days of raw telemetry, within 15 years
ANCIENT = NOW - timedelta(days=365 * 16)  # past 15 years of product data


def _policy(now: datetime = NOW) -> Policy:
    return Policy(now=now, telemetry_days=730, product_years=15)


def _series(station, parameter: str, start: datetime, n: int, *, unit=None, every_s: int = 60):
    rows = [
        Sample(
            station=station,
            parameter=parameter,
            node_id=f"ns=2;s={parameter}",
            value=float(i),
            source_time=start + timedelta(seconds=i * every_s),
            server_time=start + timedelta(seconds=i * every_s),
            unit=unit,
        )
        for i in range(n)
    ]
    return Sample.objects.bulk_create(rows)


def _compact() -> None:
    samples_compact(before=NOW - timedelta(days=HOT_DAYS))


def _segments_of(station, parameter: str) -> list[SampleSegment]:
    return list(SampleSegment.objects.filter(station=station, parameter=parameter))


def test_expired_raw_telemetry_goes_and_a_units_samples_stay(plant):
    coater, former = plant.station("coating"), plant.station("formation")
    _series(coater, "oven_temp_c", OLD, 30)  # 30 min: 3 segments, no unit
    cell = make_cell(plant, "CELL-R1")
    _series(former, "ocv_v", OLD, 5, unit=cell)
    _series(coater, "oven_temp_c", NOW - timedelta(days=400), 10)  # raw, within 730 days
    _compact()
    assert len(_segments_of(coater, "oven_temp_c")) == 4

    report = retention_run(policy=_policy(), apply=True)

    assert report.removed[RAW].segments == 3 and report.removed[RAW].samples == 30
    left = _segments_of(coater, "oven_temp_c")
    assert [s.first_time for s in left] == [NOW - timedelta(days=400)]
    kept = _segments_of(former, "ocv_v")
    assert len(kept) == 1 and kept[0].units == 1
    assert report.kept[KEPT_UNIT].segments == 1 and report.kept[KEPT_UNIT].samples == 5
    assert SegmentUnit.objects.filter(unit_id=cell.pk).count() == 1


def test_a_units_samples_go_after_the_product_period(plant):
    former = plant.station("formation")
    cell = make_cell(plant, "CELL-OLD")
    _series(former, "ocv_v", ANCIENT, 5, unit=cell)
    _compact()
    segment = SampleSegment.objects.get()

    report = retention_run(policy=_policy(), apply=True)

    assert report.removed[PRODUCT].segments == 1
    assert not SampleSegment.objects.exists()
    assert not SegmentUnit.objects.filter(segment_id=segment.pk).exists()


def test_samples_a_flag_refers_to_stay_though_unattributed_and_expired(plant):
    coater = plant.station("coating")
    flagged, neighbour = [], []
    for i in range(10):  # two tags read together: their ids interleave
        flagged += _series(coater, "web_tension_n", OLD + timedelta(minutes=i), 1)
        neighbour += _series(coater, "oven_temp_c", OLD + timedelta(minutes=i), 1)
    _series(coater, "web_tension_n", OLD + timedelta(hours=3), 10)  # nothing refers to it
    Flag.objects.create(
        kind=FlagKind.DATA_QUALITY,
        station=coater,
        # a flag on another parameter (a roll's merged flag) may name the samples: the id counts
        parameter="coat_weight_gsm",
        sample_ids=[flagged[4].pk],
        # raised long after: only the id keeps the segment, not the flag's time window
        raised_at=NOW - timedelta(days=100),
    )
    _compact()
    other = SampleSegment.objects.get(parameter="oven_temp_c")
    assert other.first_id < flagged[4].pk < other.last_id  # in its id range, not in it

    report = retention_run(policy=_policy(), apply=True)

    left = _segments_of(coater, "web_tension_n")
    assert [(s.first_id, s.last_id) for s in left] == [(flagged[0].pk, flagged[-1].pk)]
    assert report.kept[KEPT_QUALITY].segments == 1
    assert report.removed[RAW].segments == 2
    assert not SampleSegment.objects.filter(parameter="oven_temp_c").exists()


def test_the_readings_around_a_flag_and_an_spc_baseline_period_stay(plant, quality_engineer):
    coater = plant.station("coating")
    _series(coater, "coat_weight_gsm", OLD, 10)  # a missing-measurement flag's context
    _series(coater, "coat_weight_gsm", OLD + timedelta(days=1), 10)  # nothing refers to it
    _series(coater, "slurry_viscosity", OLD, 10)  # the baseline's period
    Flag.objects.create(
        kind=FlagKind.MISSING_MEASUREMENT,
        station=coater,
        parameter="coat_weight_gsm",
        raised_at=OLD + timedelta(minutes=20),
    )
    SpcBaseline.objects.create(
        station=coater,
        parameter="slurry_viscosity",
        version=1,
        period_from=OLD,
        period_to=OLD + timedelta(minutes=9),
        readings=10,
        center=4.5,
        sigma=1.0,
        set_by=quality_engineer,
        set_at=OLD + timedelta(hours=1),
        reason="Phase I",
    )
    _compact()

    retention_run(policy=_policy(), apply=True)

    assert [s.first_time for s in _segments_of(coater, "coat_weight_gsm")] == [OLD]
    assert len(_segments_of(coater, "slurry_viscosity")) == 1


def test_hot_rows_of_the_hot_window_are_never_touched(plant):
    coater = plant.station("coating")
    hot = _series(coater, "oven_temp_c", NOW - timedelta(days=2), 20)
    stale = _series(coater, "oven_temp_c", OLD, 5)  # old, not compacted: raw, expired
    cell = make_cell(plant, "CELL-HOT")
    stale_cell = _series(coater, "oven_temp_c", OLD + timedelta(hours=1), 3, unit=cell)
    flagged = _series(coater, "oven_temp_c", OLD + timedelta(hours=2), 1)
    Flag.objects.create(
        kind=FlagKind.DATA_QUALITY,
        station=coater,
        parameter="oven_temp_c",
        sample_ids=[flagged[0].pk],
        raised_at=NOW - timedelta(days=100),
    )

    report = retention_run(policy=_policy(), apply=True)

    assert report.removed[RAW].rows == 5 and report.removed[RAW].segments == 0
    assert report.kept[KEPT_UNIT].rows == 3 and report.kept[KEPT_QUALITY].rows == 1
    left = set(Sample.objects.values_list("id", flat=True))
    assert left == {s.pk for s in hot} | {s.pk for s in stale_cell} | {flagged[0].pk}
    assert not left & {s.pk for s in stale}


def test_a_dry_run_removes_nothing_and_lists_what_apply_then_removes(plant):
    coater, former = plant.station("coating"), plant.station("formation")
    _series(coater, "oven_temp_c", OLD, 40)
    cell = make_cell(plant, "CELL-D1")
    _series(former, "ocv_v", OLD, 5, unit=cell)
    _series(former, "ocv_v", ANCIENT, 5, unit=make_cell(plant, "CELL-D0"))
    _compact()
    _series(coater, "oven_temp_c", OLD + timedelta(days=1), 7)  # stale hot rows
    _series(coater, "oven_temp_c", NOW - timedelta(days=1), 7)  # hot window
    segments = set(SampleSegment.objects.values_list("id", flat=True))
    rows = set(Sample.objects.values_list("id", flat=True))

    dry = retention_run(policy=_policy(), apply=False, batch=3)  # several batches

    assert set(SampleSegment.objects.values_list("id", flat=True)) == segments
    assert set(Sample.objects.values_list("id", flat=True)) == rows
    assert dry.removed[RAW].segments == 4 and dry.removed[RAW].rows == 7
    assert dry.removed[PRODUCT].segments == 1

    applied = retention_run(policy=_policy(), apply=True, batch=3)

    assert applied.removed == dry.removed and applied.kept == dry.kept
    assert applied.removed_segment_ids == dry.removed_segment_ids
    assert applied.removed_row_ids == dry.removed_row_ids
    gone_segments = segments - set(SampleSegment.objects.values_list("id", flat=True))
    gone_rows = rows - set(Sample.objects.values_list("id", flat=True))
    assert gone_segments == set(dry.removed_segment_ids)
    assert gone_rows == set(dry.removed_row_ids)
    again = retention_run(policy=_policy(), apply=False)
    assert again.removed[RAW].samples == 0 and again.removed[PRODUCT].samples == 0


def test_a_segment_changed_since_it_was_judged_is_left_for_the_next_run(plant, monkeypatch):
    from lines.services import telemetry_retention

    coater = plant.station("coating")
    _series(coater, "oven_temp_c", OLD, 5)
    _compact()
    real = telemetry_retention._segments_delete

    def merged_meanwhile(doomed):  # compaction merged a late sample into it
        SampleSegment.objects.update(compacted_at=NOW)
        real(doomed)

    monkeypatch.setattr(telemetry_retention, "_segments_delete", merged_meanwhile)
    retention_run(policy=_policy(), apply=True)

    assert SampleSegment.objects.count() == 1


def test_the_command_dry_runs_by_default_and_applies_on_request(plant, capsys):
    coater = plant.station("coating")
    _series(coater, "oven_temp_c", OLD, 20)
    _compact()
    as_of = NOW.isoformat()

    call_command("telemetry_retention", "--as-of", as_of)
    out = capsys.readouterr().out
    assert "would remove (dry run; --apply):" in out
    assert "raw telemetry: 2 segments and 0 hot rows, 20 samples" in out
    assert SampleSegment.objects.count() == 2

    call_command("telemetry_retention", "--as-of", as_of, "--apply")
    out = capsys.readouterr().out
    assert "removed:" in out and "raw telemetry: 2 segments and 0 hot rows, 20 samples" in out
    assert not SampleSegment.objects.exists()


def test_the_command_refuses_a_future_time_and_a_short_retention(settings):
    with pytest.raises(CommandError, match="future"):
        call_command("telemetry_retention", "--as-of", (NOW + timedelta(days=1)).isoformat())
    settings.MES_RETENTION_TELEMETRY_DAYS = 7
    with pytest.raises(CommandError, match="at least 31 days"):
        call_command("telemetry_retention")
    settings.MES_RETENTION_TELEMETRY_DAYS = 730
    settings.MES_RETENTION_PRODUCT_YEARS = 1
    with pytest.raises(CommandError, match="at least as long"):
        call_command("telemetry_retention")
