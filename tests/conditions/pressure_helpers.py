"""A cell pressed with known readings: the densification profile the pressure tests share."""

from datetime import UTC, datetime, timedelta

from lines import services as lines_services
from lines.models import Sample
from tests.factories import make_cell

# In the future: after the specs the tests create (a reading before its spec is not judged).
# Ahead of every spec a test creates (a spec applies from its creation on), also when the
# suite reaches a test long after this module was imported: a loaded machine took > 10 min.
T0 = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=2)


def s(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


# A warm isostatic pressing of 1900 s: ramp to 485 MPa, 495 from 60 s, released to 470 at 1860 s.
PRESSURE = [(0, 200.0), (30, 485.0), (60, 495.0), (1860, 470.0)]
TEMPERATURE = [(0, 78.0), (900, 81.5), (1800, 80.0)]
END_S = 1900


def store(cell, station, parameter, series, status=0):
    Sample.objects.bulk_create(
        Sample(
            station=station,
            parameter=parameter,
            value=value,
            source_time=s(seconds),
            server_time=s(seconds),
            unit=cell,
            status_code=status,
        )
        for seconds, value in series
    )


def pressed_cell(plant, identifier="CELL-P1", pressure=PRESSURE, end_s=END_S):
    """A cell stacked, then pressed from T0 to T0 + end_s with the given readings."""
    cell = make_cell(plant, identifier)
    stacking = lines_services.operation_start(
        unit=cell, station=plant.station("stacking"), at=s(-120)
    )
    lines_services.operation_complete(operation=stacking, result="passed", at=s(-60))
    press = plant.station("densification")
    operation = lines_services.operation_start(unit=cell, station=press, at=s(0))
    store(cell, press, "isostatic_pressure_mpa", pressure)
    store(cell, press, "temperature_c", TEMPERATURE)
    store(cell, press, "hold_time_s", [(END_S - 10, 1800.0)])
    operation = lines_services.operation_complete(operation=operation, result="passed", at=s(end_s))
    return cell, operation
