"""Two scanners, or a scanner and the ingest, on one lot at once: one account, counted once.

As tests/lines/test_concurrency.py: each racer has its own connection and transaction; the unit
row lock (PostgreSQL) or the IMMEDIATE transaction (SQLite) serialises them.
"""

from decimal import Decimal

import pytest

from conditions.models import ExposureEvent, ExposurePeriod, LotExposure
from conditions.services.exposure import exposure_scan
from lines import services as lines_services
from tests.conditions.exposure_helpers import ingest_dew_points, sulfide_powder, t, zone
from tests.factories import make_plant
from tests.lines.test_concurrency import _race

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def lot_and_zone():
    plant = make_plant()
    dry_room = zone(plant)
    lot = lines_services.material_receive(
        material=sulfide_powder(plant),
        identifier="LOT-RACE",
        quantity=Decimal("10"),
        supplier="Ampcera",
        supplier_lot="AMP-R",
    )
    return lot, dry_room


def test_two_first_scans_opening_a_lot_make_one_account_and_one_open_period(lot_and_zone):
    lot, dry_room = lot_and_zone
    wins, refusals = _race(
        lambda: exposure_scan(unit=lot, action="opened", zone=dry_room, at=t(0)),
        lambda: exposure_scan(unit=lot, action="opened", zone=dry_room, at=t(0)),
    )
    assert (len(wins), len(refusals)) == (1, 1)
    assert "already open" in refusals[0].message
    assert LotExposure.objects.count() == 1 and ExposurePeriod.objects.count() == 1
    assert ExposureEvent.objects.filter(action="opened").count() == 1


def test_a_close_racing_the_ingest_counts_each_minute_once(lot_and_zone):
    lot, dry_room = lot_and_zone
    ingest_dew_points("DR-1", [(-1, -40.0)])
    exposure_scan(unit=lot, action="opened", zone=dry_room, at=t(0))
    _race(
        lambda: exposure_scan(unit=lot, action="closed", at=t(10)),
        lambda: ingest_dew_points("DR-1", [(8, -40.0)]),
    )
    # Either order: 10 minutes open at -40 degC, 10 weighted minutes, never 18
    account = LotExposure.objects.get()
    assert account.accrued_weighted_min == pytest.approx(10.0)
    assert account.periods.get().closed_at == t(10)
