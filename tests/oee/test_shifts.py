from datetime import UTC, date, datetime, time, timedelta

from oee.shifts import Break, ShiftPattern, overlapping, shifts_between

THREE_SHIFTS = [
    ShiftPattern("early", time(6), 8, breaks=(Break(time(10), 30),)),
    ShiftPattern("late", time(14), 8, breaks=(Break(time(18), 30),)),
    ShiftPattern("night", time(22), 8, breaks=(Break(time(2), 30),)),
]


def test_three_shifts_of_a_winter_day_in_berlin_in_utc():
    day = [
        s
        for s in shifts_between(
            THREE_SHIFTS,
            "Europe/Berlin",
            datetime(2026, 12, 2, tzinfo=UTC),
            datetime(2026, 12, 3, tzinfo=UTC),
        )
        if s.day == date(2026, 12, 2)
    ]
    assert [(s.name, s.start.hour, s.end.hour) for s in day] == [
        ("early", 5, 13),
        ("late", 13, 21),
        ("night", 21, 5),
    ]
    night = day[2]
    assert night.breaks == (
        (datetime(2026, 12, 3, 1, tzinfo=UTC), datetime(2026, 12, 3, 1, 30, tzinfo=UTC)),
    )
    assert sum((e - s).total_seconds() for s, e in night.planned()) == 7.5 * 3600


def test_the_night_the_clocks_change_is_shorter_in_spring_and_longer_in_autumn():
    def night_of(day: date) -> timedelta:
        start = datetime.combine(day, time(12), tzinfo=UTC)
        (night,) = [
            s
            for s in shifts_between(THREE_SHIFTS, "Europe/Berlin", start, start + timedelta(days=1))
            if s.name == "night" and s.day == day
        ]
        return night.end - night.start

    assert night_of(date(2026, 3, 28)) == timedelta(hours=7)
    assert night_of(date(2026, 10, 24)) == timedelta(hours=9)
    assert night_of(date(2026, 12, 5)) == timedelta(hours=8)


def test_days_off_and_weekdays_leave_no_shift():
    weekdays = [ShiftPattern("day", time(8), 8, weekdays=frozenset(range(5)))]
    start = datetime(2026, 12, 5, tzinfo=UTC)  # a Saturday
    assert shifts_between(weekdays, "Asia/Shanghai", start, start + timedelta(days=2)) == []
    monday = datetime(2026, 12, 7, tzinfo=UTC)
    off = frozenset({date(2026, 12, 7)})
    assert shifts_between(weekdays, "Asia/Shanghai", monday, monday + timedelta(days=1), off) == []


def test_overlapping_shift_patterns_are_found():
    assert overlapping(THREE_SHIFTS, "Europe/Berlin", datetime(2026, 3, 20, tzinfo=UTC)) is None
    two_twelves_and_a_day = [
        ShiftPattern("A", time(6), 12),
        ShiftPattern("B", time(18), 12),
        ShiftPattern("day", time(8), 8),
    ]
    assert (
        overlapping(two_twelves_and_a_day, "Europe/Berlin", datetime(2026, 3, 20, tzinfo=UTC))
        is not None
    )
