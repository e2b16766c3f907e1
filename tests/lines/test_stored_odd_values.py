"""The readers of stored telemetry answer whatever an older ingest or a form stored (issue #19):
NaN and infinities (PostgreSQL keeps them as values; SQLite keeps NULL), finite but absurd
numbers such as 1.7e308 (which made SPC's mean overflow), and odd roll metres. Every reader
answers 200; SPC and the unit summary leave out what is no usable reading."""

import math
from datetime import UTC, datetime, timedelta

import pytest

from lines.models import Sample
from tests.factories import add_samples, make_cell, make_roll, make_spec

T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
ODD = [math.nan, math.inf, -math.inf, 1.7e308, -1.7e308, 1e15 * 1.5]
GOOD = [25.0, 25.2, 24.9, 25.1]


@pytest.fixture
def stored(plant):
    """Good and odd loadings of roll MR-ODD (odd metres too), stored as usable, and the same on
    a cell, as code before the ingest's bounds could store them."""
    make_spec("areal_loading_mg_cm2", "coating", lsl=24.5, usl=25.5, target=25.0)
    coater = plant.station("coating")
    roll, cell = make_roll("MR-ODD"), make_cell(plant, "C-ODD")
    values = GOOD + ODD + GOOD
    positions = [float(i) for i in range(len(values))]
    positions[1], positions[2] = math.nan, 1e300
    for i, value in enumerate(values):
        add_samples(
            coater,
            "areal_loading_mg_cm2",
            [value],
            unit=roll,
            positions=[positions[i]],
            at=T0 + timedelta(seconds=i),
        )
        add_samples(
            coater, "areal_loading_mg_cm2", [value], unit=cell, at=T0 + timedelta(seconds=i)
        )
    return roll, cell


def test_the_samples_api_lists_and_shows_every_stored_value(stored, api, operator):
    api.force_authenticate(operator)

    listed = api.get("/api/v1/samples/", {"page_size": 100})
    odd = Sample.objects.filter(unit__identifier="C-ODD").order_by("source_time")[len(GOOD) + 4]
    one = api.get(f"/api/v1/samples/{odd.pk}/")

    assert listed.status_code == 200, listed.content
    values = [row["value"] for row in listed.json()["results"]]
    assert len(values) == 2 * (len(GOOD) * 2 + len(ODD))
    assert all(v is None or math.isfinite(v) for v in values)  # JSON has no NaN nor infinity
    assert 1.7e308 in values  # a finite number is shown as stored
    assert (one.status_code, one.json()["value"]) == (200, -1.7e308)


def test_spc_charts_the_usable_readings_only(stored, api, operator):
    api.force_authenticate(operator)

    response = api.get(
        "/api/v1/spc/", {"station": "T-COATING", "parameter": "areal_loading_mg_cm2"}
    )

    assert response.status_code == 200, response.content
    points = [p["value"] for p in response.json()["points"]]
    assert points == (GOOD + GOOD) * 2 or sorted(points) == sorted((GOOD + GOOD) * 2)


def test_the_quality_screens_answer(stored, client, quality_engineer):
    roll, cell = stored
    client.force_login(quality_engineer)

    for page in [
        "/quality/spc/T-COATING/areal_loading_mg_cm2/",
        "/quality/spc/T-COATING/areal_loading_mg_cm2/chart/",
        f"/quality/rolls/{roll.identifier}/",
        f"/quality/units/{cell.identifier}/",
    ]:
        response = client.get(page)
        assert response.status_code == 200, (page, response.content[:300])


def test_the_unit_summary_counts_every_reading_and_summarises_the_usable_ones(stored):
    from quality.selectors.unit_report import _sample_summary

    (summary,) = _sample_summary(stored[1])

    assert summary["count"] == len(GOOD) * 2 + len(ODD)
    assert (summary["low"], summary["high"]) == (24.9, 25.2)
    assert summary["mean"] == pytest.approx(sum(GOOD) / len(GOOD))


@pytest.mark.parametrize("odd", [math.inf, 1.7e308, math.nan], ids=["inf", "1.7e308", "nan"])
def test_a_cells_pressure_history_answers_with_an_odd_reading_stored(plant, api, operator, odd):
    from conditions.services.pressure import pressure_profile_record
    from tests.conditions.pressure_helpers import PRESSURE, pressed_cell

    make_spec("isostatic_pressure_mpa", "densification", lsl=480.0, usl=500.0)
    cell, operation = pressed_cell(plant, pressure=[*PRESSURE[:2], (45, odd), *PRESSURE[2:]])
    pressure_profile_record(operation=operation)
    api.force_authenticate(operator)

    response = api.get(f"/api/v1/units/{cell.identifier}/pressure/")

    assert response.status_code == 200, response.content
    (profile,) = response.json()
    values = [point["value"] for point in profile["series"]["isostatic_pressure_mpa"]]
    assert values[:2] + values[3:] == [200.0, 485.0, 495.0, 470.0]
    assert values[2] in (None, 1.7e308)  # JSON has no NaN nor infinity; SQLite keeps NaN as null
    assert profile["peak_pressure_mpa"] == 495.0  # the odd reading is no reading of the press
