"""Recipe download through the API to a real asyncua PLC with typed nodes: written in each node's
type, read back, audited; bad input, refused writes and an unreachable PLC are clear errors."""

import logging

import pytest
from asyncua import ua

from lines.models import Product, Recipe, RecipeDownload, Tag
from tests.factories import make_plant
from tests.opcua_bridge.servers import PlcServer, free_port

V = ua.VariantType
URL = "/api/v1/stations/T-COATING/recipe-download/"
SETPOINTS = {"web_speed_m_min": 8.1, "dryer_zone_1_c": 90, "coating_width_mm": 300.0}
NODES = {
    "C.SpeedSet": ("web_speed_m_min", ua.Variant(0.0, V.Float)),
    "C.Zone1Set": ("dryer_zone_1_c", ua.Variant(0, V.Int16)),
    "C.WidthSet": ("coating_width_mm", ua.Variant(0.0, V.Double)),
}


@pytest.fixture(autouse=True)
def quiet_asyncua_server():
    logging.getLogger("asyncua.server").setLevel(logging.ERROR)


@pytest.fixture(scope="module")
def module_plc():
    server = PlcServer({name: variant for name, (_key, variant) in NODES.items()})
    server.start()
    yield server
    server.close()


@pytest.fixture
def plc(module_plc, settings):
    module_plc.reset()
    settings.OPCUA_ENDPOINT = module_plc.endpoint
    return module_plc


@pytest.fixture
def coater(db):
    plant = make_plant()
    station = plant.station("coating")
    for name, (key, _variant) in NODES.items():
        Tag.objects.create(
            node_id=f"ns=2;s={name}", station=station, role="setpoint", parameter=key
        )
    Recipe.objects.create(code="RCP-C", version=1, product=plant.cell_product,
                          station_kind="coating", setpoints=dict(SETPOINTS))  # fmt: skip
    return station


def test_the_recipe_is_written_in_each_nodes_type_read_back_and_audited(
    api, integration, coater, plc
):
    api.force_authenticate(integration)
    response = api.post(URL, {"recipe": "RCP-C"}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["recipe"], body["version"]) == ("RCP-C", 1)
    got = {s["parameter"]: (s["value"], s["read_back"], s["ok"]) for s in body["setpoints"]}
    assert got == {
        "coating_width_mm": (300.0, 300.0, True),
        "dryer_zone_1_c": (90, 90, True),
        "web_speed_m_min": (8.1, pytest.approx(8.1, abs=1e-6), True),
    }
    assert plc.read_data_value("C.SpeedSet").Value.VariantType == V.Float
    assert plc.read_data_value("C.Zone1Set").Value == ua.Variant(90, V.Int16)
    record = RecipeDownload.objects.get()
    assert (record.ok, record.by, record.recipe.code, len(record.setpoints)) == (
        True, integration, "RCP-C", 3,
    )  # fmt: skip
    assert all(entry["read_back"] is not None for entry in record.setpoints)


def test_an_operator_may_not_download(api, operator, coater, plc):
    api.force_authenticate(operator)
    assert api.post(URL, {"recipe": "RCP-C"}, format="json").status_code == 403
    assert plc.read("C.Zone1Set") == 0


def test_a_value_that_does_not_fit_its_node_writes_nothing(api, integration, coater, plc):
    Recipe.objects.create(code="RCP-C", version=2, product=Product.objects.get(code="T-CELL"),
                          station_kind="coating",
                          setpoints={**SETPOINTS, "dryer_zone_1_c": 40000})  # fmt: skip
    api.force_authenticate(integration)
    response = api.post(URL, {"recipe": "RCP-C"}, format="json")
    assert response.status_code == 409
    error = response.json()["error"]
    assert "dryer_zone_1_c" in error["message"] and "does not fit" in error["message"]
    assert (plc.read("C.Zone1Set"), plc.read("C.SpeedSet")) == (0, 0.0)
    record = RecipeDownload.objects.get()
    assert (record.ok, record.recipe.version) == (False, 2)
    assert [e["ok"] for e in record.setpoints] == [False]


@pytest.mark.parametrize(
    ("setpoints", "words"),
    [
        ({**SETPOINTS, "mixer_speed_rpm": 1.0}, "no setpoint tag for mixer_speed_rpm"),
        (
            {"web_speed_m_min": 8.0, "dryer_zone_1_c": 90},
            "no recipe key for tag(s) coating_width_mm",
        ),
    ],
)
def test_keys_and_tags_that_do_not_match_are_refused_before_writing(
    api, integration, coater, plc, setpoints, words
):
    Recipe.objects.filter(code="RCP-C").update(setpoints=setpoints)
    api.force_authenticate(integration)
    response = api.post(URL, {"recipe": "RCP-C"}, format="json")
    assert response.status_code == 409
    assert words in response.json()["error"]["message"]
    assert plc.read("C.Zone1Set") == 0
    assert not RecipeDownload.objects.exists()


def test_unknown_recipe_version_station_and_bad_input(api, integration, coater, plc):
    api.force_authenticate(integration)
    assert api.post(URL, {"recipe": "NOPE"}, format="json").status_code == 404
    missing = api.post(URL, {"recipe": "RCP-C", "version": 7}, format="json")
    assert (missing.status_code, missing.json()["error"]["fields"]) == (
        404, {"version": ["There is no recipe RCP-C v7."]},
    )  # fmt: skip
    other = "/api/v1/stations/NOPE/recipe-download/"
    assert api.post(other, {"recipe": "RCP-C"}, format="json").status_code == 404
    assert api.post(URL, {"version": "x"}, format="json").json()["error"]["code"] == "invalid"


def test_an_unreachable_plc_is_503_and_recorded_as_failed(api, integration, coater, settings):
    settings.OPCUA_ENDPOINT = f"opc.tcp://127.0.0.1:{free_port()}/plc/"  # nothing listens there
    api.force_authenticate(integration)
    response = api.post(URL, {"recipe": "RCP-C"}, format="json")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "unavailable"
    record = RecipeDownload.objects.get()
    assert (record.ok, record.setpoints) == (False, [])
