"""The specs API: create a spec (version 1), revise it (version 2, version 1 untouched), refusals."""

from datetime import UTC, datetime

import pytest

from lines.models import Product, Recipe
from quality import services
from quality.models import Spec, SpecVersion
from tests.factories import make_spec

SPECS = "/api/v1/specs/"
LOADING = {
    "parameter": "areal_loading_mg_cm2",
    "unit_of_measure": "mg/cm2",
    "station_kind": "coating",
    "target": 25.0,
    "lsl": 24.5,
    "usl": 25.5,
    "reason": "initial limits, +-2 %",
}


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def version_body(version: SpecVersion) -> dict:
    return {
        "id": version.pk,
        "version": version.version,
        "target": version.target,
        "lsl": version.lsl,
        "usl": version.usl,
        "lcl": version.lcl,
        "ucl": version.ucl,
        "valid_from": iso(version.valid_from),
        "created_by": version.created_by.username if version.created_by else None,
        "reason": version.reason,
    }


def stored() -> list[tuple]:
    """Every spec version as stored, to show what a refused request left alone."""
    return list(
        SpecVersion.objects.order_by("id").values_list(
            "spec__parameter", "version", "lsl", "usl", "lcl", "ucl", "target", "reason"
        )
    )


def test_create_a_spec_gives_version_1(plant, quality_engineer, api):
    api.force_authenticate(quality_engineer)

    response = api.post(SPECS, LOADING, format="json")

    assert response.status_code == 201
    spec = Spec.objects.get()
    first = spec.versions.get()
    assert (first.version, first.lsl, first.usl, first.target) == (1, 24.5, 25.5, 25.0)
    assert first.created_by == quality_engineer
    assert response.json() == {
        "id": spec.pk,
        "parameter": "areal_loading_mg_cm2",
        "unit_of_measure": "mg/cm2",
        "station_kind": "coating",
        "station": None,
        "recipe": None,
        "severity": "major",
        "holds_on_violation": True,
        "spc_holds": False,
        "nelson_rules": False,
        "description": "",
        "current": version_body(first),
        "versions": [version_body(first)],
    }
    assert api.get(f"{SPECS}{spec.pk}/").json() == response.json()


def test_create_a_spec_for_one_station_and_recipe(plant, quality_engineer, api):
    product = Product.objects.get(code="T-CELL")
    Recipe.objects.create(code="R-COAT", version=1, product=product, station_kind="coating")
    newest = Recipe.objects.create(
        code="R-COAT", version=2, product=product, station_kind="coating"
    )
    api.force_authenticate(quality_engineer)

    response = api.post(
        SPECS,
        {
            **LOADING,
            "station": "T-COATING",
            "recipe": "R-COAT",
            "severity": "critical",
            "spc_holds": True,
            "nelson_rules": True,
            "description": "beta gauge",
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["station"], body["recipe"], body["severity"]) == (
        "T-COATING",
        {"code": "R-COAT", "version": 2},
        "critical",
    )
    assert (body["spc_holds"], body["nelson_rules"], body["description"]) == (
        True,
        True,
        "beta gauge",
    )
    spec = Spec.objects.get()
    assert (spec.station.code, spec.recipe, spec.severity) == ("T-COATING", newest, "critical")


def test_revise_adds_version_2_and_leaves_version_1_as_it_was(plant, quality_engineer, api):
    spec = make_spec("areal_loading_mg_cm2", "coating", lsl=24.5, usl=25.5, target=25.0)
    first = spec.versions.get()
    api.force_authenticate(quality_engineer)

    response = api.post(
        f"{SPECS}{spec.pk}/revise/",
        {"lsl": 24.6, "usl": 25.4, "target": 25.0, "lcl": 24.7, "ucl": 25.3, "reason": "Cpk 2.1"},
        format="json",
    )

    assert response.status_code == 201
    second = spec.versions.get(version=2)
    assert (second.lsl, second.usl, second.lcl, second.ucl, second.reason) == (
        24.6,
        25.4,
        24.7,
        25.3,
        "Cpk 2.1",
    )
    assert second.created_by == quality_engineer
    body = response.json()
    assert body["current"] == version_body(second)
    assert body["versions"] == [version_body(second), version_body(first)]
    assert version_body(SpecVersion.objects.get(pk=first.pk)) == version_body(first)
    assert body["versions"][1] == {
        "id": first.pk,
        "version": 1,
        "target": 25.0,
        "lsl": 24.5,
        "usl": 25.5,
        "lcl": None,
        "ucl": None,
        "valid_from": iso(first.valid_from),
        "created_by": None,
        "reason": "initial limits",
    }


@pytest.mark.parametrize(
    ("limits", "field", "message"),
    [
        ({"lsl": 26.0, "usl": 25.0}, "lsl", "LSL must not be above USL."),
        ({"lsl": None, "usl": None}, "usl", "A spec needs at least one limit (LSL or USL)."),
        ({"lsl": 24.0, "usl": 26.0, "lcl": 25.5, "ucl": 25.5}, "lcl", "LCL must be below UCL."),
        ({"lsl": "low", "usl": 25.5}, "lsl", "A valid number is required."),
        ({"lsl": 24.5, "usl": 25.5, "reason": ""}, "reason", "This field may not be blank."),
    ],
)
def test_bad_limits_on_create_are_a_400_naming_the_field(
    plant, quality_engineer, api, limits, field, message
):
    api.force_authenticate(quality_engineer)
    response = api.post(SPECS, {**LOADING, **limits}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["fields"]) == ("invalid", {field: [message]})
    assert (Spec.objects.count(), stored()) == (0, [])


@pytest.mark.parametrize(
    ("limits", "field"),
    [({"lsl": 26.0, "usl": 25.0}, "lsl"), ({}, "usl"), ({"lsl": 24.0, "ucl": "NaN"}, "ucl")],
)
def test_bad_limits_on_revise_are_a_400_and_keep_one_version(
    plant, quality_engineer, api, limits, field
):
    spec = make_spec("areal_loading_mg_cm2", "coating", lsl=24.5, usl=25.5)
    before = stored()
    api.force_authenticate(quality_engineer)
    response = api.post(f"{SPECS}{spec.pk}/revise/", {**limits, "reason": "x"}, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]
    assert stored() == before


def test_a_second_spec_for_the_same_scope_is_a_conflict(plant, quality_engineer, api):
    make_spec("areal_loading_mg_cm2", "coating", lsl=24.5, usl=25.5)
    before = stored()
    api.force_authenticate(quality_engineer)
    response = api.post(SPECS, LOADING, format="json")
    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "conflict",
        "message": "A spec for areal_loading_mg_cm2 at this scope exists; revise it instead.",
        "fields": {},
    }
    assert stored() == before


@pytest.mark.parametrize(
    ("extra", "status", "field", "message"),
    [
        ({"station": "NOWHERE"}, 404, "station", "No station with code 'NOWHERE'."),
        ({"station": "T-SEALING"}, 400, "station", "T-SEALING is not a coating station."),
        ({"recipe": "R-NONE"}, 404, "recipe", "No recipe 'R-NONE' with an active version."),
        ({"station_kind": "painting"}, 400, "station_kind", '"painting" is not a valid choice.'),
    ],
)
def test_a_wrong_scope_is_refused_naming_the_field(
    plant, quality_engineer, api, extra, status, field, message
):
    api.force_authenticate(quality_engineer)
    response = api.post(SPECS, {**LOADING, **extra}, format="json")
    assert (response.status_code, response.json()["error"]["fields"]) == (
        status,
        {field: [message]},
    )
    assert Spec.objects.count() == 0


def test_revising_an_unknown_spec_is_a_404_naming_id(plant, quality_engineer, api):
    api.force_authenticate(quality_engineer)
    response = api.post(f"{SPECS}999999/revise/", {"usl": 1, "reason": "x"}, format="json")
    assert response.status_code == 404
    assert response.json()["error"]["fields"] == {"id": ["No spec with id 999999."]}


@pytest.fixture
def specs(plant):
    coat_station = plant.station("coating")
    return {
        "loading": make_spec("areal_loading_mg_cm2", "coating", lsl=24.5, usl=25.5),
        "width": make_spec("coating_width_mm", "coating", lsl=299.5, usl=300.5),
        "width_here": make_spec(
            "coating_width_mm", "coating", lsl=299.6, usl=300.4, station=coat_station
        ),
        "seal": make_spec("seal_temperature_c", "sealing", lsl=185, usl=195),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["loading", "width", "width_here", "seal"]),
        ("station_kind=sealing", ["seal"]),
        ("station=T-COATING", ["loading", "width", "width_here"]),
        ("station=T-SEALING", ["seal"]),
        ("station=NOWHERE", []),
        ("parameter=coating_width_mm", ["width", "width_here"]),
        ("parameter=coating_width_mm&station_kind=sealing", []),
    ],
)
def test_list_filters(specs, operator, api, query, expected):
    api.force_authenticate(operator)
    response = api.get(f"{SPECS}?{query}")
    assert response.status_code == 200
    by_id = {spec.pk: name for name, spec in specs.items()}
    assert [by_id[row["id"]] for row in response.json()["results"]] == expected


def test_the_list_shows_the_current_version_only(specs, operator, api):
    services.spec_revise(spec=specs["seal"], limits={"lsl": 186, "usl": 194}, reason="tighter")
    api.force_authenticate(operator)
    row = api.get(f"{SPECS}?station_kind=sealing").json()["results"][0]
    assert "versions" not in row
    assert (row["current"]["version"], row["current"]["lsl"], row["current"]["usl"]) == (
        2,
        186.0,
        194.0,
    )
