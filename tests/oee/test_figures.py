from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from oee.figures import Counts, combined, oee_figures
from oee.states import STOPPED, Category
from oee.timeline import Change, tile

T0 = datetime(2026, 12, 1, 6, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_a_shift_recomputed_by_hand():
    # 8 h planned with a 30 min break; a 45 min jam, a 1 min micro-stop, 15 min starved.
    changes = [
        Change(at(0), Category.RUNNING),
        Change(at(60), Category.DOWN, reason="JAM"),
        Change(at(105), Category.RUNNING),
        Change(at(200), Category.DOWN),
        Change(at(201), Category.RUNNING),
        Change(at(300), Category.IDLE),
        Change(at(315), Category.RUNNING),
    ]
    planned = [(at(0), at(240)), (at(270), at(480))]  # break 240..270
    figures = oee_figures(
        tile(changes, at(0), at(480)),
        planned,
        Counts(processed=1500, good_first_time=1470, ideal_s=1500 * 15.0),
    )
    assert figures.planned_s == 450 * 60
    assert figures.down_s == 45 * 60
    assert figures.micro_stop_s == 60
    assert figures.idle_s == 15 * 60
    assert figures.run_s == (450 - 45 - 15) * 60  # the micro-stop is run time lost to speed
    assert figures.availability == 390 / 450
    assert figures.performance == 1500 * 15 / (390 * 60)
    assert figures.quality == 1470 / 1500
    assert figures.oee is not None
    assert abs(figures.oee - (390 / 450) * (1500 * 15 / 23400) * 0.98) < 1e-12


def test_stopped_is_down_inside_planned_time_and_nothing_outside():
    changes = [Change(at(0), STOPPED)]
    figures = oee_figures(tile(changes, at(0), at(120)), [(at(60), at(120))], Counts())
    assert figures.down_s == 60 * 60
    assert figures.planned_s == 60 * 60
    assert figures.availability == 0.0


def test_a_stop_across_a_break_is_two_stops():
    changes = [
        Change(at(0), Category.RUNNING),
        Change(at(59), Category.DOWN),
        Change(at(61.5), Category.RUNNING),
    ]
    planned = [(at(0), at(60)), (at(61), at(120))]
    figures = oee_figures(tile(changes, at(0), at(120)), planned, Counts(), micro_stop_s=120)
    assert figures.micro_stop_s == 90  # 60 s before the break, 30 s after: both short
    assert figures.down_s == 0


def test_no_data_and_planned_stops_are_neither_run_nor_lost():
    changes = [Change(at(0), Category.RUNNING), Change(at(30), Category.PLANNED_STOP)]
    figures = oee_figures(tile(changes, at(0), at(60), gaps=[(at(10), at(20))]), None, Counts())
    assert figures.planned_s == 20 * 60
    assert figures.no_data_s == 10 * 60
    assert figures.planned_stop_s == 30 * 60
    assert figures.availability == 1.0


def test_an_ideal_cycle_slower_than_reality_is_capped_and_said():
    figures = oee_figures(
        tile([Change(at(0), Category.RUNNING)], at(0), at(10)),
        None,
        Counts(processed=100, good_first_time=100, ideal_s=100 * 60.0),
    )
    assert figures.performance == 1.0
    assert figures.performance_capped


def test_no_planned_time_and_no_units_give_no_figure_not_zero_or_a_division_error():
    figures = oee_figures(tile([], at(0), at(10)), None, Counts())
    assert figures.availability is None
    assert figures.quality is None
    assert figures.oee is None


minutes = st.floats(min_value=-60, max_value=600, allow_nan=False)


@given(
    st.lists(st.tuples(minutes, st.sampled_from([*Category, STOPPED])), max_size=30),
    st.lists(st.tuples(minutes, minutes), max_size=4),
    st.integers(0, 5000),
    st.integers(-10, 6000),
    st.floats(min_value=0.1, max_value=600),
)
def test_figures_stay_between_0_and_100_percent_whatever_the_input(
    points, planned, processed, good, cycle
):
    intervals = tile([Change(at(m), c) for m, c in points], at(0), at(480))
    windows = [(at(min(a, b)), at(max(a, b))) for a, b in planned] or None
    figures = oee_figures(intervals, windows, Counts(processed, good, cycle * processed))
    for value in (figures.availability, figures.performance, figures.quality, figures.oee):
        assert value is None or 0.0 <= value <= 1.0
    for seconds in (figures.planned_s, figures.run_s, figures.down_s, figures.no_data_s):
        assert seconds >= 0
    assert figures.run_s <= figures.planned_s + 1e-6


def test_the_line_row_weighs_each_station_by_its_time_and_units():
    # A: 100 min planned, 20 down; 400 units of ideal 12 s. B: 100 min planned, 50 idle; 100
    # units of ideal 15 s, 10 failed first time.
    a = oee_figures(
        tile([Change(at(0), Category.RUNNING), Change(at(80), Category.DOWN)], at(0), at(100)),
        None,
        Counts(400, 400, 400 * 12),
    )
    b = oee_figures(
        tile([Change(at(0), Category.RUNNING), Change(at(50), Category.IDLE)], at(0), at(100)),
        None,
        Counts(100, 90, 100 * 15),
    )

    line, counts = combined([(a, Counts(400, 400, 4800)), (b, Counts(100, 90, 1500))])

    assert (line.planned_s, line.run_s) == (200 * 60, 130 * 60)
    assert line.availability == 130 / 200  # not the mean of 80 % and 50 %
    assert line.performance == (4800 + 1500) / (130 * 60)
    assert line.quality == 490 / 500
    assert counts == Counts(500, 490, 6300)
    # a station with units but no ideal cycle leaves the line's performance empty, not guessed
    assert (
        combined([(a, Counts(400, 400, 4800)), (b, Counts(100, 90, None))])[0].performance is None
    )
