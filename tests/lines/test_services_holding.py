"""Bulk status transitions of held units: each changed unit gets exactly one history row saying
what it left and what it became, on both backends (PostgreSQL: one UPDATE ... RETURNING feeding
the history; SQLite: history first, then the UPDATE)."""

import pytest

from lines import services
from lines.choices import UnitStatus
from lines.models import Unit, UnitHistory
from tests.factories import make_cell

STATUSES = [
    UnitStatus.CREATED,
    UnitStatus.IN_PROCESS,
    UnitStatus.RELEASED,
    UnitStatus.CONSUMED,
    UnitStatus.SCRAPPED,
]


@pytest.fixture
def cells(plant):
    made = []
    for i, status in enumerate(STATUSES):
        cell = make_cell(plant, f"CELL-{i}")
        Unit.objects.filter(pk=cell.pk).update(status=status)
        made.append(cell)
    return made


def _ids(cells):
    return Unit.objects.filter(pk__in=[c.pk for c in cells])


def _rows(event):
    return sorted(
        UnitHistory.objects.filter(event=event).values_list(
            "unit__identifier", "status_before", "status_after", "by__username", "reason"
        )
    )


def _now(cells):
    return dict(
        Unit.objects.filter(pk__in=[c.pk for c in cells]).values_list("identifier", "status")
    )


def test_a_hold_records_what_each_holdable_unit_left(cells, quality_engineer):
    changed = services.units_put_on_hold(units=_ids(cells), by=quality_engineer, reason="hold 7: x")

    assert changed == 3
    assert _rows("hold_placed") == [
        ("CELL-0", "created", "on_hold", "quinn.quality", "hold 7: x"),
        ("CELL-1", "in_process", "on_hold", "quinn.quality", "hold 7: x"),
        ("CELL-2", "released", "on_hold", "quinn.quality", "hold 7: x"),
    ]
    assert _now(cells) == {
        "CELL-0": "on_hold",
        "CELL-1": "on_hold",
        "CELL-2": "on_hold",
        "CELL-3": "consumed",
        "CELL-4": "scrapped",
    }
    assert set(
        Unit.objects.filter(status="on_hold").values_list("held_from_status", flat=True)
    ) == {
        "created",
        "in_process",
        "released",
    }


def test_a_release_records_the_status_each_unit_returns_to(cells, quality_engineer):
    services.units_put_on_hold(units=_ids(cells), by=quality_engineer, reason="hold 7: x")

    changed = services.units_take_off_hold(units=_ids(cells), by=None, reason="hold 7: dry")

    assert changed == 3
    assert _rows("hold_released") == [
        ("CELL-0", "on_hold", "created", None, "hold 7: dry"),
        ("CELL-1", "on_hold", "in_process", None, "hold 7: dry"),
        ("CELL-2", "on_hold", "released", None, "hold 7: dry"),
    ]
    assert [_now(cells)[f"CELL-{i}"] for i in range(5)] == STATUSES
    assert not Unit.objects.exclude(held_from_status="").exists()


def test_a_scrap_records_on_hold_to_scrapped_and_touches_nothing_else(cells, quality_engineer):
    services.units_put_on_hold(units=_ids(cells[:1]), by=quality_engineer, reason="hold 7: x")

    changed = services.units_scrap_held(
        units=_ids(cells), by=quality_engineer, reason="hold 7: bad"
    )

    assert changed == 1
    assert _rows("scrapped") == [
        ("CELL-0", "on_hold", "scrapped", "quinn.quality", "hold 7: bad"),
    ]
    assert _now(cells)["CELL-0"] == "scrapped"
    assert UnitHistory.objects.filter(event__in=["hold_placed", "scrapped"]).count() == 2


def test_a_second_hold_changes_and_records_nothing(cells, quality_engineer):
    services.units_put_on_hold(units=_ids(cells), by=quality_engineer, reason="hold 7: x")

    assert services.units_put_on_hold(units=_ids(cells), by=None, reason="hold 8: y") == 0
    assert UnitHistory.objects.filter(reason__startswith="hold 8").count() == 0


def test_units_chosen_through_a_join_are_changed_and_recorded_once(cells, quality_engineer):
    # given: CELL-0 has two history rows, so a filter through its history finds it twice
    services.units_put_on_hold(units=_ids(cells[:1]), by=None, reason="hold 6: x")
    services.units_take_off_hold(units=_ids(cells[:1]), by=None, reason="hold 6: y")
    twice = Unit.objects.filter(history__event__in=["hold_placed", "hold_released"])
    assert twice.count() == 2
    # when
    changed = services.units_put_on_hold(units=twice, by=None, reason="hold 7: z")
    # then
    assert changed == 1
    assert _rows("hold_placed")[-1:] == [("CELL-0", "created", "on_hold", None, "hold 7: z")]
    assert UnitHistory.objects.filter(reason="hold 7: z").count() == 1


@pytest.mark.parametrize(
    "transition",
    [services.units_put_on_hold, services.units_take_off_hold, services.units_scrap_held],
)
def test_no_units_change_nothing(cells, transition):
    assert transition(units=Unit.objects.filter(pk__in=[]), by=None, reason="hold 9: none") == 0
    assert transition(units=Unit.objects.none(), by=None, reason="hold 9: none") == 0
    assert not UnitHistory.objects.filter(reason="hold 9: none").exists()
