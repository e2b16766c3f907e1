"""Ended periods are kept (oee/selectors/periods.py) and every write that could change one removes
it (oee/services/period_summaries.py, oee/signals.py): what is read from a kept period is what
computing it again would give."""

import io
from datetime import UTC, datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from lines.ingest import batch_ingest
from lines.models import Operation, Tag
from oee.models import (
    DowntimeReason,
    IdealCycle,
    LineClock,
    PeriodSummary,
    ShiftPattern,
    StateChange,
)
from oee.selectors.machine_time import computed, groups, line_clock
from oee.selectors.pareto import line_pareto
from oee.selectors.periods import station_figures
from oee.services.stop_reasons import stop_reason_assign
from tests.factories import make_cell
from tests.lines.ingest_helpers import T0, batch, sample

STATE = "ns=2;s=STACK.MachineState"

# Three whole UTC days that ended days ago (the test plant has no calendar: a period is a day).
DAY = datetime.combine(timezone.now().date() - timedelta(days=5), time(), tzinfo=UTC)


def at(hours: float) -> datetime:
    return DAY + timedelta(hours=hours)


@pytest.fixture
def stacker(plant):
    station = plant.station("stacking")
    for hours, state, category in [
        (0, "6", "running"),
        (10, "11", "down"),  # a 30 min stop, no code
        (10.5, "6", "running"),
        (23 + 59 / 60, "11", "down"),  # 3 min across midnight: 1 min, then 2 min
        (24 + 2 / 60, "6", "running"),
    ]:
        StateChange.objects.create(
            station=station, at=at(hours), plc_state=state, category=category
        )
    return station


def three_days(station):
    return station_figures(station, DAY, at(72), "day")


def test_an_ended_day_is_kept_once_and_read_back(stacker):
    first = three_days(stacker)

    assert PeriodSummary.objects.filter(station=stacker).count() == 3
    kept = PeriodSummary.objects.get(station=stacker, start=DAY)
    assert kept.figures["down_s"] == 31 * 60
    assert [r.figures for r in three_days(stacker)] == [r.figures for r in first]
    # Read back, not computed again: a mark put in the kept row shows.
    PeriodSummary.objects.filter(pk=kept.pk).update(figures={**kept.figures, "down_s": 1.0})
    assert three_days(stacker)[0].figures.down_s == 1.0
    assert PeriodSummary.objects.filter(station=stacker).count() == 3


def test_what_is_kept_is_what_computing_gives(stacker):
    clock = line_clock(stacker.line)
    spans = list(groups(clock, DAY, at(72), "day"))
    three_days(stacker)

    assert [r.figures for r in three_days(stacker)] == [
        row.figures for row, _ in computed(stacker, clock, spans)
    ]


def test_a_stop_across_midnight_is_judged_by_its_whole_length_in_both_days(stacker):
    first, second, _ = three_days(stacker)

    # 3 min is no micro-stop (threshold 120 s), though one day sees 1 min of it, the next 2
    assert (first.figures.down_s, first.figures.micro_stop_s) == (31 * 60, 0)
    assert (second.figures.down_s, second.figures.micro_stop_s) == (2 * 60, 0)


def test_a_late_state_change_removes_the_periods_it_may_change(stacker):
    three_days(stacker)

    StateChange.objects.create(station=stacker, at=at(30), plc_state="9", category="down")

    assert list(PeriodSummary.objects.filter(station=stacker).values_list("start", flat=True)) == [
        DAY
    ]
    _, second, third = three_days(stacker)
    assert second.figures.down_s == 2 * 60 + 18 * 3600  # down from 06:00 to the day's end
    assert third.figures.down_s == 24 * 3600


def test_a_late_batch_through_the_ingest_removes_them_too(stacker):
    Tag.objects.create(node_id=STATE, station=stacker, role="machine_state")
    three_days(stacker)

    late = (at(36) - T0).total_seconds()
    batch_ingest(batch=batch([sample(STATE, 9, late), sample(STATE, 6, late + 3600)]))

    assert PeriodSummary.objects.filter(station=stacker, start__gt=DAY).count() == 0
    assert three_days(stacker)[1].figures.down_s == 2 * 60 + 3600


def test_a_reason_given_later_moves_the_stop_in_the_pareto(stacker, operator):
    jam = DowntimeReason.objects.create(code="jam", name="Stacker jam")
    before = line_pareto(stacker.line, DAY, at(72))
    assert [(b.key, b.seconds) for b in before][:1] == [("unassigned", 30 * 60 + 3 * 60)]

    stop_reason_assign(
        station=stacker, start=at(10), end=at(10.5), reason=jam, replaces=[], by=operator
    )

    after = {b.key: b.seconds for b in line_pareto(stacker.line, DAY, at(72))}
    assert after == {"jam": 30 * 60, "unassigned": 3 * 60}


def test_a_late_operation_changes_the_kept_counts(plant, stacker):
    IdealCycle.objects.create(station_kind="stacking", seconds=30)
    assert three_days(stacker)[0].counts.processed == 0

    Operation.objects.create(
        unit=make_cell(plant, "C-LATE"),
        station=stacker,
        step=plant.step("stacking"),
        started_at=at(12),
        completed_at=at(12.01),
        result="passed",
    )

    assert three_days(stacker)[0].counts.processed == 1


def test_a_calendar_edit_removes_every_period_of_the_line(plant, stacker):
    three_days(stacker)
    LineClock.objects.create(line=plant.line, time_zone="UTC", micro_stop_s=240)

    assert PeriodSummary.objects.filter(station=stacker).count() == 0
    # the 3 min stop across midnight is a micro-stop now
    assert three_days(stacker)[0].figures.micro_stop_s == 60

    ShiftPattern.objects.create(line=plant.line, name="day", start=time(6), hours=12)
    assert PeriodSummary.objects.filter(station=stacker).count() == 0
    shifts = station_figures(stacker, DAY, at(72), "shift")
    assert [r.group for r in shifts][0].endswith("day")
    assert PeriodSummary.objects.filter(station=stacker).count() == 3  # the shifts now


def test_an_ideal_cycle_edit_removes_the_periods_of_its_kind(stacker):
    three_days(stacker)
    IdealCycle.objects.create(station_kind="stacking", seconds=30)
    assert PeriodSummary.objects.filter(station=stacker).count() == 0


def test_a_window_cut_inside_a_period_is_computed_not_kept(stacker):
    station_figures(stacker, at(1), at(47), "day")

    # the first and last day are cut by the window: only whole days are kept, and none here
    assert PeriodSummary.objects.filter(station=stacker).count() == 0


def test_a_period_that_has_not_ended_is_not_kept(stacker):
    now = timezone.now()
    station_figures(stacker, now - timedelta(days=1), now, "day")

    assert not PeriodSummary.objects.filter(station=stacker, end__gt=now).exists()


def test_the_summarise_command_keeps_the_ended_periods_ahead(stacker):
    call_command("oee_summarise", "--days", "7", stdout=io.StringIO())

    kept = set(PeriodSummary.objects.filter(station=stacker).values_list("start", flat=True))
    assert {DAY, at(24), at(48)} <= kept
    assert not PeriodSummary.objects.filter(end__gt=timezone.now()).exists()


def test_a_connection_gap_opened_and_closed_later_removes_the_periods_it_covers(stacker):
    three_days(stacker)
    gap = {"start": at(30).isoformat(), "stations": [stacker.code], "endpoint": "opc.tcp://plc"}

    batch_ingest(batch={**batch(), "gaps": [gap]})  # open: no data from 06:00 on day two
    assert PeriodSummary.objects.filter(station=stacker, start__gt=DAY).count() == 0
    assert three_days(stacker)[2].figures.no_data_s == 24 * 3600

    batch_ingest(batch={**batch(), "gaps": [{**gap, "end": at(31).isoformat()}]})  # closed
    assert PeriodSummary.objects.filter(station=stacker, start__gt=DAY).count() == 0
    _, second, third = three_days(stacker)
    assert (second.figures.no_data_s, third.figures.no_data_s) == (3600, 0)


def test_a_period_computed_while_a_late_write_landed_is_not_kept(stacker, monkeypatch):
    from oee.selectors import periods

    real = periods.computed

    def late_write_meanwhile(*args, **kwargs):
        got = real(*args, **kwargs)  # computed from what was there before the write
        StateChange.objects.create(station=stacker, at=at(30), plc_state="9", category="down")
        return got

    monkeypatch.setattr(periods, "computed", late_write_meanwhile)
    three_days(stacker)
    monkeypatch.setattr(periods, "computed", real)

    # nothing computed without the late state was kept: the next read has it
    assert PeriodSummary.objects.filter(station=stacker, start__gt=DAY).count() == 0
    assert three_days(stacker)[2].figures.down_s == 24 * 3600


def test_a_micro_stop_threshold_above_15_min_is_refused(plant):
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError, transaction

    clock = LineClock(line=plant.line, micro_stop_s=901)
    with pytest.raises(ValidationError):
        clock.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        clock.save()
