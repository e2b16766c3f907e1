"""Per-tag health against a real asyncua server and the real bridge: a mapped node the server
does not have (BadNodeIdUnknown) or whose value goes bad is visible per tag in the API, the admin,
/health/bridge (degraded, listing it) and `bridge_status`; a tag whose parameter no spec judges
is saved with a warning (through lines.hooks, lines never imports quality)."""

import io
import logging

import pytest
from asyncua import ua
from django.core.management import call_command

from lines.models import Line, Station, Tag
from quality.services.specs import spec_create
from tests.opcua_bridge.servers import (
    BridgeRunner,
    PlcServer,
    RecordingDelivery,
    bridge_config,
    wait_until,
)

pytestmark = pytest.mark.django_db(transaction=True)
GOOD, UNKNOWN = "ns=2;s=COAT-01.ArealLoading", "ns=2;s=COAT-01.NoSuchNode"


@pytest.fixture
def plc():
    logging.getLogger("asyncua.server").setLevel(logging.WARNING)
    server = PlcServer({"COAT-01.ArealLoading": 25.0, "COAT-01.Width": 300.0})
    server.start()
    yield server
    server.close()


@pytest.fixture
def bridge(plc, settings, tmp_path):
    settings.VAR_DIR = tmp_path  # where /health/bridge, the API and bridge_status look
    line = Line.objects.create(code="T-LINE", name="Test line")
    coater = Station.objects.create(line=line, code="COAT-01", name="Coater", kind="coating")
    for node_id, parameter in ((GOOD, "areal_loading_mg_cm2"), (UNKNOWN, "coating_width_mm"),
                               (plc.node_id("COAT-01.Width"), "dry_thickness_um")):  # fmt: skip
        Tag.objects.create(node_id=node_id, station=coater, parameter=parameter,
                           sampling_interval_ms=10, queue_size=10)  # fmt: skip
    runner = BridgeRunner(bridge_config(plc.endpoint, tmp_path), RecordingDelivery()).start()
    wait_until(lambda: runner.status.connected, timeout=20, what="the bridge to connect")
    yield runner
    runner.stop()


def _tags(api, integration):
    api.force_authenticate(integration)
    response = api.get("/api/v1/tags/")
    assert response.status_code == 200
    return {tag["node_id"]: tag for tag in response.json()["results"]}


def test_an_unknown_node_is_failing_per_tag_in_the_api_health_admin_and_bridge_status(
    bridge, api, integration, client, admin_user
):
    def reported():
        tags = _tags(api, integration)
        return tags if (tags[UNKNOWN]["health"] or {}).get("failing") and (
            tags[GOOD]["health"] or {}
        ).get("last_value_at") else None  # fmt: skip

    tags = wait_until(reported, timeout=15, what="the API to report both tags' health")
    assert tags[UNKNOWN]["health"]["last_error"] == "BadNodeIdUnknown"
    assert tags[UNKNOWN]["health"]["last_value_at"] is None
    assert tags[UNKNOWN]["health"]["bridge"] == "test"
    assert tags[GOOD]["health"]["failing"] is False
    assert tags[GOOD]["health"]["last_error"] == ""

    client.force_login(integration)
    response = client.get("/health/bridge")
    assert response.status_code == 200  # degraded: it still forwards the other tags
    body = response.json()
    assert body["status"] == "degraded"
    bridges = body["checks"]["bridges"]
    assert [t["node_id"] for t in bridges["failing_tags"]] == [UNKNOWN]
    assert bridges["skipped_nodes"] == [{"node_id": UNKNOWN, "reason": "BadNodeIdUnknown"}]
    assert "BadNodeIdUnknown" in bridges["detail"]

    out = io.StringIO()
    call_command("bridge_status", stdout=out)  # no --name: finds the one bridge there is
    assert f"skipped            {UNKNOWN}: BadNodeIdUnknown" in out.getvalue().splitlines()

    client.force_login(admin_user)
    page = client.get("/admin/lines/tag/").content.decode()
    assert "failing: BadNodeIdUnknown" in page
    tag = Tag.objects.get(node_id=GOOD)
    change = client.get(f"/admin/lines/tag/{tag.pk}/change/").content.decode()
    assert tags[GOOD]["health"]["last_value_at"][:16] in change


def test_a_value_with_a_bad_status_fails_its_tag_until_a_good_one_comes(
    bridge, plc, api, integration, client
):
    width = plc.node_id("COAT-01.Width")
    plc.write("COAT-01.Width", 301.0, status=ua.StatusCodes.BadSensorFailure)
    wait_until(lambda: (_tags(api, integration)[width]["health"] or {}).get("failing"),
               timeout=15, what="the bad value to fail the tag")  # fmt: skip
    client.force_login(integration)
    failing = client.get("/health/bridge").json()["checks"]["bridges"]["failing_tags"]
    assert {t["node_id"]: t["error"] for t in failing}[width] == "BadSensorFailure"

    plc.write("COAT-01.Width", 300.5)
    health = wait_until(
        lambda: (h := _tags(api, integration)[width]["health"]) and not h["failing"] and h,
        timeout=15, what="a good value to clear it",
    )  # fmt: skip
    assert health["last_error"] == "BadSensorFailure"  # the last error stays, with its time
    assert health["last_value_at"] >= health["last_error_at"]


def test_a_tag_whose_parameter_no_spec_judges_is_saved_with_a_warning(api, integration):
    line = Line.objects.create(code="T-LINE", name="Test line")
    Station.objects.create(line=line, code="COAT-01", name="Coater", kind="coating")
    spec_create(parameter="areal_loading_mg_cm2", unit_of_measure="mg/cm2",
                station_kind="coating", limits={"lsl": 24.5, "usl": 25.5}, reason="test")  # fmt: skip
    api.force_authenticate(integration)

    judged = api.post("/api/v1/tags/", {"node_id": GOOD, "station": "COAT-01",
                                         "parameter": "areal_loading_mg_cm2"}, format="json")  # fmt: skip
    unjudged = api.post("/api/v1/tags/", {"node_id": UNKNOWN, "station": "COAT-01",
                                           "parameter": "arael_loading"}, format="json")  # fmt: skip
    role = api.post("/api/v1/tags/", {"node_id": "ns=2;s=COAT-01.RollId", "station": "COAT-01",
                                       "role": "unit_id"}, format="json")  # fmt: skip

    assert (judged.status_code, unjudged.status_code, role.status_code) == (201, 201, 201)
    assert judged.json()["warnings"] == [] and role.json()["warnings"] == []
    [warning] = unjudged.json()["warnings"]
    assert "No spec judges arael_loading" in warning
    listed = {t["node_id"]: t["warnings"] for t in api.get("/api/v1/tags/").json()["results"]}
    assert listed[UNKNOWN] == [warning] and listed[GOOD] == []
    assert api.get("/api/v1/tags/").json()["results"][0]["health"] is None  # no bridge running


def test_the_admin_warns_when_a_saved_tags_parameter_has_no_spec(client, admin_user):
    line = Line.objects.create(code="T-LINE", name="Test line")
    coater = Station.objects.create(line=line, code="COAT-01", name="Coater", kind="coating")
    client.force_login(admin_user)
    form = {"node_id": UNKNOWN, "station": coater.pk, "parameter": "arael_loading", "role": "",
            "enabled": "on", "sampling_interval_ms": 100, "queue_size": 10, "description": ""}  # fmt: skip

    response = client.post("/admin/lines/tag/add/", form, follow=True)

    assert Tag.objects.filter(node_id=UNKNOWN).exists()
    shown = [str(m) for m in response.context["messages"]]
    assert any("No spec judges arael_loading" in m for m in shown), shown
