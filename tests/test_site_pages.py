"""The screens' pages are read from the URLconf: the web routes of every app, nothing else."""

from tests.site_pages import Route, screen_routes


def test_the_screens_are_the_web_routes_of_every_app():
    names = {route.name for route in screen_routes()}

    assert {"home", "signin", "station", "station-unit", "quality-home", "quality-hold"} <= names
    assert not any(
        route.route.startswith(("admin/", "api/", "health/")) for route in screen_routes()
    )
    assert "set_language" not in names  # Django's own view, posted to


def test_a_route_is_filled_by_its_parameter_names():
    route = next(r for r in screen_routes() if r.name == "quality-spc")

    assert route.parameters == ("station_code", "parameter")
    assert (
        route.path({"station_code": "COAT-01", "parameter": "x_mm"}) == "/quality/spc/COAT-01/x_mm/"
    )
    assert Route("x", "flags/<int:flag_id>/", ("flag_id",)).path({"flag_id": 7}) == "/flags/7/"
