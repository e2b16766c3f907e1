"""The pressure history through the ingest: a cell leaving the press gets its profile's figures."""

from conditions.models import PressureProfile
from lines import services as lines_services
from lines.ingest import batch_ingest
from lines.models import Sample, Tag
from quality.models import Flag
from tests.factories import make_cell, make_spec
from tests.lines.ingest_helpers import at, batch, sample

SERIAL, PRESSURE, TEMPERATURE = "ns=2;s=WIP.CellSerial", "ns=2;s=WIP.Pressure", "ns=2;s=WIP.Temp"


def stacked(plant, identifier):
    cell = make_cell(plant, identifier)
    operation = lines_services.operation_start(unit=cell, station=plant.station("stacking"))
    lines_services.operation_complete(operation=operation, result="passed")
    return cell


def test_the_press_profile_is_recorded_when_the_next_cell_arrives(plant):
    press = plant.station("densification")
    for node, parameter, role in [
        (SERIAL, "", "unit_id"),
        (PRESSURE, "isostatic_pressure_mpa", ""),
        (TEMPERATURE, "temperature_c", ""),
    ]:
        Tag.objects.create(node_id=node, station=press, parameter=parameter, role=role)
    make_spec("isostatic_pressure_mpa", "densification", lsl=480.0, usl=500.0)
    make_spec("peak_temperature_c", "densification", usl=85.0)
    first, second = stacked(plant, "CELL-A"), stacked(plant, "CELL-B")
    # Cell A in the press from 0 s: 200 MPa, 490 from 10 s, 470 from 90 s; B arrives at 100 s
    report = batch_ingest(
        batch=batch(
            [
                sample(SERIAL, "CELL-A", 0),
                sample(PRESSURE, 200.0, 0.5),
                sample(TEMPERATURE, 79.0, 0.5),
                sample(PRESSURE, 490.0, 10),
                sample(TEMPERATURE, 86.5, 50),
                sample(PRESSURE, 470.0, 90),
                sample(SERIAL, "CELL-B", 100),
                sample(PRESSURE, 150.0, 101),
            ]
        )
    )
    profile = PressureProfile.objects.get(unit=first)
    assert profile.time_at_pressure_s == 80.0  # 10..90 s at 490 MPa
    assert (profile.peak_pressure_mpa, profile.peak_temperature_c) == (490.0, 86.5)
    assert profile.ended_at.isoformat() == at(100)
    # B's readings are B's, and B is still in the press: no profile yet
    assert not PressureProfile.objects.filter(unit=second).exists()
    assert Sample.objects.get(unit=second, parameter="isostatic_pressure_mpa").value == 150.0
    # The peak temperature broke its spec: A is flagged and held, and the batch reports it with
    # the raw readings below the pressure spec (the ramp: raw readings are judged one by one)
    first.refresh_from_db()
    assert first.status == "on_hold"
    flags = Flag.objects.order_by("unit__identifier", "parameter")
    assert list(flags.values_list("unit__identifier", "parameter", "value")) == [
        ("CELL-A", "isostatic_pressure_mpa", 200.0),
        ("CELL-A", "peak_temperature_c", 86.5),
        ("CELL-B", "isostatic_pressure_mpa", 150.0),
    ]
    assert report.flags == 3
