"""Exposure budgets: accrual from the zone's dew point, the 80 % warning, the 100 % hold, scans."""

from decimal import Decimal

import pytest

from conditions.models import ExposureEvent, LotExposure
from conditions.services.exposure import exposure_scan, lot_exposure_start
from lines import services as lines_services
from lines.choices import UnitStatus
from mes.errors import InvalidInput, RuleViolation
from quality.choices import ExposureAction, FlagKind
from quality.models import AuditEntry, Flag, Hold
from tests.conditions.exposure_helpers import (
    ingest_dew_points,
    magnus_weight,
    sulfide_powder,
    t,
    zone,
)


@pytest.fixture
def dry_room(plant):
    return zone(plant)


@pytest.fixture
def powder_lot(plant):
    material = sulfide_powder(plant)
    return lines_services.material_receive(
        material=material,
        identifier="LOT-LPSCL-1",
        quantity=Decimal("20"),
        supplier="Ampcera",
        supplier_lot="AMP-1",
    )


def account(unit) -> LotExposure:
    return LotExposure.objects.get(unit=unit)


def test_an_open_lot_accrues_the_hand_computed_weighted_minutes(powder_lot, dry_room, operator):
    # Given the dry room at -60 degC, then -45 from minute 10, then -40 from minute 15
    ingest_dew_points("DR-1", [(-1, -60.0), (10, -45.0), (15, -40.0)])
    # When the operator opens the powder at minute 0 and closes it at minute 18
    exposure_scan(unit=powder_lot, action="opened", zone=dry_room, at=t(0), by=operator)
    exposure_scan(unit=powder_lot, action="closed", at=t(18), by=operator)
    # Then 10 min * 0.0841 + 5 min * 0.5609 + 3 min * 1 = 0.841 + 2.805 + 3 = 6.646 weighted min
    spent = account(powder_lot).accrued_weighted_min
    assert spent == pytest.approx(10 * magnus_weight(-60) + 5 * magnus_weight(-45) + 3)
    assert spent == pytest.approx(6.646, abs=0.001)
    period = account(powder_lot).periods.get()
    assert (period.opened_at, period.closed_at, period.zone) == (t(0), t(18), dry_room)


def test_the_ingest_counts_open_lots_as_dew_point_readings_arrive(powder_lot, dry_room, operator):
    exposure_scan(unit=powder_lot, action="opened", zone=dry_room, at=t(0), by=operator)
    ingest_dew_points("DR-1", [(0, -40.0), (4, -40.0)])
    assert account(powder_lot).accrued_weighted_min == pytest.approx(4.0)
    ingest_dew_points("DR-1", [(6, -50.0)])
    assert account(powder_lot).accrued_weighted_min == pytest.approx(6.0)  # -40 held to minute 6
    assert account(powder_lot).periods.get().accrued_until == t(6)


def test_a_scan_between_the_ingests_read_and_write_sends_it_to_the_locked_path(
    powder_lot, dry_room, operator, monkeypatch
):
    """The ingest counts lots below their thresholds without locks, each update guarded by the
    figure it read; a scan that counts the lot in between (injected here, in the same
    transaction) fails the guard, and the locked path counts each minute once."""
    from conditions.services import exposure_accrual

    exposure_scan(unit=powder_lot, action="opened", zone=dry_room, at=t(0), by=operator)
    ingest_dew_points("DR-1", [(0, -40.0)])
    real = exposure_accrual.zone_readings
    fallbacks = []

    def scan_in_between(zone, start, end):  # noqa: ANN001, ANN202
        if not fallbacks:
            fallbacks.append("scanned")
            exposure_scan(unit=powder_lot, action="closed", at=t(3), by=operator)
        return real(zone, start, end)

    monkeypatch.setattr(exposure_accrual, "zone_readings", scan_in_between)
    ingest_dew_points("DR-1", [(5, -40.0)])
    assert fallbacks == ["scanned"]
    lot = account(powder_lot)
    assert lot.accrued_weighted_min == pytest.approx(3.0)  # open minutes 0-3 at -40 degC, once
    assert lot.periods.get().weighted_min == pytest.approx(3.0)


def test_a_closed_lot_accrues_nothing(powder_lot, dry_room, operator):
    exposure_scan(unit=powder_lot, action="opened", zone=dry_room, at=t(0), by=operator)
    exposure_scan(unit=powder_lot, action="closed", at=t(1), by=operator)
    ingest_dew_points("DR-1", [(0, -40.0), (30, -30.0), (60, -30.0)])
    # The one open minute had no reading yet (fallback -40 degC: 1.0); nothing after closing.
    assert account(powder_lot).accrued_weighted_min == pytest.approx(1.0)
    assert account(powder_lot).periods.get().weighted_min == pytest.approx(1.0)


def test_warning_at_80_percent_then_hold_of_the_lot_alone_at_100(
    plant, powder_lot, dry_room, operator
):
    # Given a slurry already made from the lot, and the lot open at -40 degC (20 min budget)
    slurry = lines_services.unit_create(identifier="SL-1", kind="slurry_batch", quantity="5")
    lines_services.unit_consume(child=slurry, parent=powder_lot, quantity="5")
    exposure_scan(unit=powder_lot, action="opened", zone=dry_room, at=t(0), by=operator)
    # When 15.9 minutes are counted: no warning yet
    ingest_dew_points("DR-1", [(0, -40.0), (15.9, -40.0)])
    assert account(powder_lot).warned_at is None
    # When 16 minutes (80 %) are counted: a warning, no hold
    ingest_dew_points("DR-1", [(16, -40.0)])
    lot = account(powder_lot)
    assert lot.warned_at == t(16) and lot.hold is None
    assert not Flag.objects.filter(unit=powder_lot).exists()
    # When 20 minutes (100 %) are counted: a flag and a hold on the lot, not on the slurry
    ingest_dew_points("DR-1", [(19.99, -40.0)])
    assert account(powder_lot).hold is None
    ingest_dew_points("DR-1", [(20, -40.0), (25, -40.0)])
    lot = account(powder_lot)
    powder_lot.refresh_from_db()
    slurry.refresh_from_db()
    assert powder_lot.status == UnitStatus.ON_HOLD
    assert slurry.status == UnitStatus.CREATED
    assert list(lot.hold.members.values_list("unit_id", flat=True)) == [powder_lot.pk]
    flag = lot.hold.flag
    assert (flag.kind, flag.parameter, flag.value) == (
        FlagKind.EXPOSURE,
        "exposure_weighted_min",
        20,
    )
    assert flag.limit == "budget 20"
    # Each threshold is recorded at the instant it was crossed, with the figure then
    history = list(lot.events.values_list("action", "at", "total_weighted_min"))
    assert history == [
        ("started", t(0), 0.0),
        ("opened", t(0), 0.0),
        ("warning", t(16), 16.0),
        ("exhausted", t(20), 20.0),
    ]
    assert lot.accrued_weighted_min == pytest.approx(25.0)
    # And it is held once, however long it stays open
    assert Hold.objects.filter(unit=powder_lot).count() == 1
    assert AuditEntry.objects.filter(entity="lot_exposure", action="warning").count() == 1


def test_carried_in_exposure_counts_from_the_start(powder_lot, dry_room, quality_engineer):
    lot = lot_exposure_start(
        unit=powder_lot,
        zone=dry_room,
        carried_in_weighted_min=17.0,
        reason="goods-in sample drawn in the airlock",
        at=t(0),
        by=quality_engineer,
    )
    assert lot.accrued_weighted_min == 17.0 and lot.warned_at == t(0)
    started = ExposureEvent.objects.get(exposure=lot, action=ExposureAction.STARTED)
    assert "goods-in sample" in started.detail


def test_carry_in_needs_a_reason(powder_lot, dry_room):
    with pytest.raises(InvalidInput) as refused:
        lot_exposure_start(unit=powder_lot, zone=dry_room, carried_in_weighted_min=3.0)
    assert refused.value.field == "reason"
    assert not LotExposure.objects.exists()


def test_a_moved_lot_accrues_the_new_zones_dew_point(plant, powder_lot, dry_room, operator):
    from lines.models import Station

    other = Station.objects.create(line=plant.line, code="T-DRY-2", name="DR-2", kind="dry_room")
    second = zone(plant, "DR-2", other)
    ingest_dew_points("DR-1", [(-1, -40.0)])
    ingest_dew_points("DR-2", [(-1, -30.0)])
    exposure_scan(unit=powder_lot, action="opened", zone=dry_room, at=t(0), by=operator)
    exposure_scan(unit=powder_lot, action="moved", zone=second, at=t(2), by=operator)
    exposure_scan(unit=powder_lot, action="closed", at=t(3), by=operator)
    assert account(powder_lot).accrued_weighted_min == pytest.approx(2 + magnus_weight(-30))
    assert [p.zone.code for p in account(powder_lot).periods.all()] == ["DR-1", "DR-2"]


def test_the_form_weight_of_a_sealed_lot_is_zero(powder_lot, dry_room, operator):
    ingest_dew_points("DR-1", [(-1, -30.0)])
    exposure_scan(unit=powder_lot, action="opened", zone=dry_room, form="sealed", at=t(0))
    exposure_scan(unit=powder_lot, action="closed", at=t(60), by=operator)
    assert account(powder_lot).accrued_weighted_min == 0.0


@pytest.mark.parametrize(
    ("first", "second", "error"),
    [
        ("opened", "opened", RuleViolation),
        ("closed", "closed", RuleViolation),
        ("opened", "moved", InvalidInput),
    ],
)
def test_refused_scans_change_nothing(powder_lot, dry_room, operator, first, second, error):
    if first == "closed":
        exposure_scan(unit=powder_lot, action="opened", zone=dry_room, at=t(0), by=operator)
    exposure_scan(unit=powder_lot, action=first, zone=dry_room, at=t(1), by=operator)
    before = list(ExposureEvent.objects.values_list("id", flat=True))
    with pytest.raises(error):
        exposure_scan(unit=powder_lot, action=second, at=t(2), by=operator)
    assert list(ExposureEvent.objects.values_list("id", flat=True)) == before


def test_a_scan_earlier_than_what_is_counted_is_refused(powder_lot, dry_room, operator):
    exposure_scan(unit=powder_lot, action="opened", zone=dry_room, at=t(0), by=operator)
    ingest_dew_points("DR-1", [(0, -40.0), (10, -40.0)])
    with pytest.raises(RuleViolation) as refused:
        exposure_scan(unit=powder_lot, action="closed", at=t(5), by=operator)
    assert refused.value.field == "at"
    assert account(powder_lot).periods.get().closed_at is None


def test_a_lot_without_a_budget_cannot_be_tracked(plant, dry_room, operator):
    from tests.factories import receive

    nmc = receive(plant, "LOT-NMC-9")
    with pytest.raises(RuleViolation, match="no exposure budget"):
        exposure_scan(unit=nmc, action="opened", zone=dry_room, by=operator)
    assert not LotExposure.objects.exists()


def test_a_lot_used_up_while_open_stops_counting_when_it_was_used_up(
    plant, powder_lot, dry_room, operator
):
    ingest_dew_points("DR-1", [(-1, -40.0)])
    exposure_scan(unit=powder_lot, action="opened", zone=dry_room, at=t(0), by=operator)
    slurry = lines_services.unit_create(identifier="SL-2", kind="slurry_batch", quantity="20")
    lines_services.unit_consume(child=slurry, parent=powder_lot, quantity="20", at=t(5))
    ingest_dew_points("DR-1", [(10, -40.0)])
    lot = account(powder_lot)
    assert lot.accrued_weighted_min == pytest.approx(5.0)
    assert lot.periods.get().closed_at == t(5)
    closed = lot.events.get(action=ExposureAction.CLOSED)
    assert (closed.at, closed.detail, closed.by) == (t(5), "used up by SL-2", None)


def test_a_lot_partly_used_stays_open(plant, powder_lot, dry_room, operator):
    exposure_scan(unit=powder_lot, action="opened", zone=dry_room, at=t(0), by=operator)
    slurry = lines_services.unit_create(identifier="SL-3", kind="slurry_batch", quantity="5")
    lines_services.unit_consume(child=slurry, parent=powder_lot, quantity="5", at=t(5))
    assert account(powder_lot).periods.get().closed_at is None
