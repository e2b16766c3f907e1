"""The pressure history endpoint: a cell's profiles, figures and the readings behind them."""

from conditions.services.pressure import pressure_profile_record
from tests.conditions.pressure_helpers import END_S, pressed_cell, s


def test_a_cells_pressure_history(plant, operator, api):
    from tests.factories import make_spec

    make_spec("isostatic_pressure_mpa", "densification", lsl=480.0, usl=500.0)
    cell, operation = pressed_cell(plant)
    pressure_profile_record(operation=operation)
    api.force_authenticate(operator)
    response = api.get(f"/api/v1/units/{cell.identifier}/pressure/")
    assert response.status_code == 200
    [profile] = response.json()
    assert profile["station"] == "T-DENSIFICATION" and profile["operation"] == operation.pk
    assert (profile["time_at_pressure_s"], profile["threshold_mpa"]) == (1830.0, 480.0)
    assert (profile["peak_pressure_mpa"], profile["peak_temperature_c"]) == (495.0, 81.5)
    pressures = profile["series"]["isostatic_pressure_mpa"]
    assert [point["value"] for point in pressures] == [200.0, 485.0, 495.0, 470.0]
    assert pressures[0]["at"].replace("Z", "+00:00") == s(0).isoformat()
    assert len(profile["series"]["temperature_c"]) == 3
    assert profile["ended_at"].replace("Z", "+00:00") == s(END_S).isoformat()


def test_unknown_cell_is_404(plant, operator, api):
    api.force_authenticate(operator)
    response = api.get("/api/v1/units/NOPE/pressure/")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
