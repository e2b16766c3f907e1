"""Building bridge batches (docs/telemetry.md) and the tag map of the test plant."""

import uuid
from datetime import UTC, datetime, timedelta

from lines import services
from lines.models import Product, Route, RouteStep, Tag
from tests.factories import Plant

# After the specs the tests create (values from before a spec existed are not judged).
# Ahead of every spec a test creates (a spec applies from its creation on), also when the
# suite reaches a test long after this module was imported: a loaded machine took > 10 min.
T0 = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=2)


def at(seconds: float) -> str:
    return (T0 + timedelta(seconds=seconds)).isoformat()


def sample(node: str, value, seconds: float, status: int = 0) -> dict:
    return {
        "node_id": node,
        "value": value,
        "source_time": at(seconds),
        "server_time": at(seconds + 0.01),
        "status": status,
    }


def result(node: str, seconds: float, **fields) -> dict:
    return {"node_id": node, "type": "ResultReady", "time": at(seconds), "fields": fields}


def batch(samples=(), events=(), batch_id: str | None = None) -> dict:
    return {
        "batch_id": batch_id or str(uuid.uuid4()),
        "source": "test-bridge",
        "created_at": at(0),
        "samples": list(samples),
        "events": list(events),
    }


def cathode_route(plant: Plant) -> None:
    product = Product.objects.create(code="T-CATH", name="Cathode", unit_kind="roll")
    route = Route.objects.create(code="T-CATH-ROUTE", name="Cathode", product=product)
    RouteStep.objects.create(route=route, sequence=10, name="coating", station_kind="coating")


def map_tags(plant: Plant) -> None:
    coater, stacker = plant.station("coating"), plant.station("stacking")
    for node, station, parameter, role in [
        ("ns=2;s=COAT.RollId", coater, "", "unit_id"),
        ("ns=2;s=COAT.WebPosition", coater, "", "web_position_m"),
        ("ns=2;s=COAT.ArealLoading", coater, "areal_loading_mg_cm2", ""),
        ("ns=2;s=STACK.CellSerial", stacker, "", "unit_id"),
        ("ns=2;s=STACK", stacker, "", "result_event"),
        ("ns=2;s=STACK.Pressure", stacker, "stacking_pressure_mpa", ""),
        ("ns=2;s=WIP.CellSerial", plant.station("densification"), "", "unit_id"),
    ]:
        Tag.objects.create(node_id=node, station=station, parameter=parameter, role=role)


def feed_lanes() -> list:
    mother = services.unit_create(identifier="MR-FEED", kind="roll", quantity="1200")
    return services.roll_split(parent=mother, daughter_identifiers=["MR-FEED-A", "MR-FEED-B"])
