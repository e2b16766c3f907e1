"""Retention keeps the dry-room readings a lot's exposure account was accrued from: a zone's dew
point and H2S are raw telemetry (no unit in the air), but the account they explain is kept for
the product's period, so they are too (conditions' provider in lines.hooks.RETENTION_REFERENCES)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from conditions.models import ExposureBudget, ExposurePeriod, LotExposure
from lines import services as lines_services
from lines.models import Sample, SampleSegment
from lines.services.telemetry_compaction import samples_compact
from lines.services.telemetry_retention import Policy, retention_run
from tests.conditions.exposure_helpers import sulfide_powder, zone

pytestmark = pytest.mark.django_db

NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
OLD = NOW - timedelta(days=800)  # past 730 days of raw telemetry, within 15 years


def _air(station, parameter: str, start: datetime) -> None:
    Sample.objects.bulk_create(
        Sample(
            station=station,
            parameter=parameter,
            node_id=f"ns=2;s=DR-1.{parameter}",
            value=-45.0 + i / 10,
            source_time=start + timedelta(minutes=i),
            server_time=start + timedelta(minutes=i),
        )
        for i in range(9)
    )


def test_the_air_an_exposure_period_was_accrued_from_stays_and_other_air_goes(plant):
    dry_room = zone(plant)
    lot = lines_services.material_receive(
        material=sulfide_powder(plant),
        identifier="LOT-RET-1",
        quantity=Decimal("10"),
        supplier="Ampcera",
        supplier_lot="AMP-1",
    )
    account = LotExposure.objects.create(
        unit=lot, budget=ExposureBudget.objects.get(), form="powder", started_at=OLD
    )
    ExposurePeriod.objects.create(
        exposure=account,
        zone=dry_room,
        form="powder",
        form_weight=1.0,
        opened_at=OLD,
        closed_at=OLD + timedelta(minutes=8),
        accrued_until=OLD + timedelta(minutes=8),
    )
    for parameter in ("dew_point_c", "h2s_ppm"):
        _air(dry_room.station, parameter, OLD)  # while the lot was open there
        _air(dry_room.station, parameter, OLD + timedelta(days=1))  # no lot open
    samples_compact(before=NOW - timedelta(days=7))
    assert SampleSegment.objects.count() == 4

    retention_run(policy=Policy(now=NOW, telemetry_days=730, product_years=15), apply=True)

    kept = SampleSegment.objects.order_by("parameter").values_list("parameter", "first_time")
    assert list(kept) == [("dew_point_c", OLD), ("h2s_ppm", OLD)]
