"""A moisture-sensitive material, its budget, a dry-room zone with tagged sensors, and batches of
dry-room readings at known times (in the past, as scans are)."""

import math
from datetime import UTC, datetime, timedelta

from conditions.services.exposure import dry_zone_create, exposure_budget_set
from lines.choices import MaterialCategory, UnitOfMeasure
from lines.ingest import batch_ingest
from lines.models import Material, Station, Tag
from tests.factories import Plant
from tests.lines.ingest_helpers import batch

# Two hours ago, whole minutes: every scan and reading of a test is at a known offset from it.
BASE = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=2)


def t(minutes: float) -> datetime:
    return BASE + timedelta(minutes=minutes)


def magnus_weight(dew_point_c: float) -> float:
    """The documented weight, written out again: e_ice(Td) / e_ice(-40), Magnus over ice."""

    def e_ice(temp_c: float) -> float:
        return 6.112 * math.exp(22.46 * temp_c / (272.62 + temp_c))

    return e_ice(dew_point_c) / e_ice(-40.0)


def sulfide_powder(plant: Plant, *, budget: float = 20.0):
    material = Material.objects.create(
        code="T-LPSCL",
        name="Li6PS5Cl",
        category=MaterialCategory.SOLID_ELECTROLYTE,
        uom=UnitOfMeasure.KG,
        moisture_sensitive=True,
    )
    exposure_budget_set(
        material=material,
        budget_weighted_min=budget,
        weights={"powder": 1.0, "slurry": 0.05, "laminated": 0.2, "sealed": 0.0},
        reason="sulfide SE powder: 20 min at -40 degC dew point",
    )
    return material


def zone(plant: Plant, code: str = "DR-1", station: Station | None = None):
    station = station or plant.station("dry_room")
    Tag.objects.create(node_id=f"ns=2;s={code}.DewPoint", station=station, parameter="dew_point_c")
    Tag.objects.create(node_id=f"ns=2;s={code}.H2S", station=station, parameter="h2s_ppm")
    return dry_zone_create(code=code, name=f"Dry room {code}", station=station)


def reading(node: str, value: float, minutes: float, status: int = 0) -> dict:
    when = t(minutes)
    return {
        "node_id": node,
        "value": value,
        "source_time": when.isoformat(),
        "server_time": when.isoformat(),
        "status": status,
    }


def ingest_dew_points(code: str, series: list[tuple[float, float]]):
    """(minute, dew point degC) readings of the zone's transmitter, as one bridge batch."""
    node = f"ns=2;s={code}.DewPoint"
    return batch_ingest(batch=batch([reading(node, value, m) for m, value in series]))


def ingest_h2s(code: str, series: list[tuple[float, float]]):
    node = f"ns=2;s={code}.H2S"
    return batch_ingest(batch=batch([reading(node, value, m) for m, value in series]))
