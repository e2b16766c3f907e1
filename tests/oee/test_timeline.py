from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from oee.states import Category
from oee.timeline import Change, tile

T0 = datetime(2026, 12, 1, 6, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_changes_in_any_order_and_repeats_make_one_interval_per_state():
    changes = [
        Change(at(30), Category.DOWN, "9", "JAM"),
        Change(at(0), Category.RUNNING, "6"),
        Change(at(10), Category.RUNNING, "6"),  # a repeat
        Change(at(45), Category.RUNNING, "6"),
    ]
    got = tile(changes, at(0), at(60))
    assert [(i.start, i.end, i.category, i.reason) for i in got] == [
        (at(0), at(30), Category.RUNNING, ""),
        (at(30), at(45), Category.DOWN, "JAM"),
        (at(45), at(60), Category.RUNNING, ""),
    ]


def test_the_window_opens_in_the_last_state_before_it_or_in_no_data():
    before = [Change(at(-90), Category.DOWN, "9")]
    assert tile(before, at(0), at(10))[0].category == Category.DOWN
    assert tile([], at(0), at(10))[0].category == Category.NO_DATA


def test_a_connection_gap_is_no_data_whatever_the_last_state_said():
    got = tile([Change(at(0), Category.RUNNING)], at(0), at(60), gaps=[(at(20), at(25))])
    assert [(i.start, i.end, i.category) for i in got] == [
        (at(0), at(20), Category.RUNNING),
        (at(20), at(25), Category.NO_DATA),
        (at(25), at(60), Category.RUNNING),
    ]


def test_the_last_word_at_one_instant_wins():
    got = tile([Change(at(5), Category.DOWN), Change(at(5), Category.RUNNING)], at(0), at(10))
    assert got[-1].category == Category.RUNNING


minutes = st.floats(min_value=-120, max_value=600, allow_nan=False)
categories = st.sampled_from(list(Category))


@given(
    st.lists(st.tuples(minutes, categories), max_size=40),
    st.lists(st.tuples(minutes, minutes), max_size=5),
    st.floats(min_value=1, max_value=480),
)
def test_any_input_tiles_the_window_exactly(points, gaps, length):
    changes = [Change(at(m), c) for m, c in points]
    got = tile(changes, at(0), at(length), [(at(a), at(b)) for a, b in gaps])
    assert got[0].start == at(0)
    assert got[-1].end == at(length)
    for earlier, later in zip(got, got[1:], strict=False):
        assert earlier.end == later.start
    assert all(i.seconds > 0 for i in got)
    assert abs(sum(i.seconds for i in got) - length * 60) < 1e-6


@given(
    st.lists(st.tuples(minutes, categories), max_size=40),
    st.lists(st.tuples(minutes, minutes), max_size=6),
    st.lists(st.floats(min_value=0, max_value=479.9), min_size=1, max_size=20),
)
def test_inside_a_gap_is_no_data_and_outside_it_is_what_the_plc_said(points, gaps, probes):
    changes = [Change(at(m), c) for m, c in points]
    window = [(at(a), at(b)) for a, b in gaps]
    blanked = tile(changes, at(0), at(480), window)
    plain = tile(changes, at(0), at(480))

    def category(intervals, moment):
        (found,) = [i for i in intervals if i.start <= moment < i.end]
        return found.category

    for m in probes:
        moment = at(m)
        if any(a <= moment < b for a, b in window):
            assert category(blanked, moment) == Category.NO_DATA
        else:
            assert category(blanked, moment) == category(plain, moment)
