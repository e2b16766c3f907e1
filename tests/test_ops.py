"""Health endpoints, Prometheus metrics, `manage.py health`, and JSON logs (mes/ops)."""

import io
import json
import logging

import pytest
from django.core.management import CommandError, call_command

from lines.tasks import ingest_batch
from opcua_bridge.bridge.status import BridgeStatus, write_status
from tests.factories import make_plant
from tests.lines.ingest_helpers import batch, map_tags, sample

pytestmark = pytest.mark.django_db


def _metric(text: str, line_start: str) -> float:
    found = [line for line in text.splitlines() if line.startswith(line_start + " ")]
    assert len(found) == 1, f"{line_start} not exactly once in /metrics"
    return float(found[0].rsplit(" ", 1)[1])


def test_liveness_answers_without_signing_in(client):
    response = client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readiness_checks_the_database_and_the_broker(client):
    response = client.get("/health/ready")
    assert response.status_code == 200, response.content
    checks = response.json()["checks"]
    assert checks["database"]["ok"] and checks["broker"]["ok"]


def test_an_unknown_health_check_is_a_404_not_a_crash(client):
    assert client.get("/health/coffee").status_code == 404


def test_bridge_health_follows_the_bridges_status_file(client, integration, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    client.force_login(integration)  # the details are for integration users and staff
    response = client.get("/health/bridge")
    assert response.status_code == 503
    assert "no running bridge" in response.json()["checks"]["bridges"]["detail"]

    status = BridgeStatus(name="line-1", endpoint="opc.tcp://plc:4840/", state="connected")
    status.connected, status.subscribed_tags, status.spool_depth = True, 42, 3
    status.updated_at = status.started_at
    write_status(tmp_path / "bridge-status-line-1.json", status)
    assert client.get("/health/bridge").status_code == 200

    status.connected, status.state = False, "reconnecting"
    status.error("BadTimeout")
    write_status(tmp_path / "bridge-status-line-1.json", status)
    response = client.get("/health/bridge")
    assert response.status_code == 503
    assert "line-1: reconnecting (BadTimeout)" in response.json()["checks"]["bridges"]["detail"]

    text = client.get("/metrics").content.decode()
    assert _metric(text, 'mes_bridge_spool_depth{bridge="line-1"}') == 3
    assert _metric(text, 'mes_bridge_connected{bridge="line-1"}') == 0


def test_a_bridge_at_its_unconfirmed_bound_is_degraded_in_health_status_and_metrics(
    client, settings, tmp_path, integration
):
    settings.VAR_DIR = tmp_path
    client.force_login(integration)  # the details are for integration and staff, not anonymous
    status = BridgeStatus(name="line-2", endpoint="opc.tcp://plc:4840/", state="connected")
    status.connected, status.updated_at = True, status.started_at
    status.unconfirmed, status.oldest_unconfirmed_s, status.spool_depth = 1000, 73.5, 40
    status.bound_reached = True
    write_status(tmp_path / "bridge-status-line-2.json", status)
    out = io.StringIO()

    response = client.get("/health/bridge")
    call_command("bridge_status", name="line-2", stdout=out)
    text = client.get("/metrics").content.decode()

    assert response.status_code == 503
    assert response.json()["checks"]["bridges"]["detail"] == (
        "line-2: degraded (1000 batches unconfirmed by the ingest, oldest 73.5 s: bound reached, "
        "40 batches wait in the spool)"
    )
    lines = out.getvalue().splitlines()
    assert "unconfirmed        1000" in lines and "oldest_unconfirmed_s 73.5" in lines
    assert any(line.startswith("degraded           1000 batches unconfirmed") for line in lines)
    assert _metric(text, 'mes_bridge_unconfirmed{bridge="line-2"}') == 1000
    assert _metric(text, 'mes_bridge_oldest_unconfirmed_seconds{bridge="line-2"}') == 73.5


def test_metrics_count_what_the_ingest_task_stored(client):
    plant = make_plant()
    map_tags(plant)
    before = client.get("/metrics").content.decode()
    payload = batch(
        [
            sample("ns=2;s=COAT.ArealLoading", 20.1, 1),
            sample("ns=2;s=COAT.ArealLoading", "NaN", 2),
            sample("ns=2;s=NOT.MAPPED", 1.0, 3),
        ]
    )
    ingest_batch.apply(args=[payload])
    ingest_batch.apply(args=[payload])  # redelivered: counted as a duplicate, not twice
    after = client.get("/metrics").content.decode()

    def grew(name: str) -> float:
        return _metric(after, name) - _metric(before, name)

    assert grew("mes_samples_ingested_total") == 3
    assert grew("mes_samples_rejected_total") == 2
    assert grew("mes_ingest_batches_total") == 1
    assert grew("mes_ingest_duplicates_total") == 1
    assert _metric(after, 'mes_task_runtime_seconds_count{task="lines.ingest_batch"}') >= 2
    assert "# TYPE mes_flags_total counter" in after
    assert after.endswith("\n")


def test_metrics_ask_for_the_token_when_one_is_set(client, settings):
    settings.METRICS_TOKEN = "s3cret-scrape"
    assert client.get("/metrics").status_code == 401
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-scrape")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")


def test_health_command_exits_non_zero_when_unhealthy(settings, tmp_path, capsys):
    call_command("health", "ready")
    assert "database: ok" in capsys.readouterr().out
    settings.VAR_DIR = tmp_path
    with pytest.raises(CommandError, match="bridge is not healthy"):
        call_command("health", "bridge")


def test_json_log_lines_are_one_object_each_with_extra_fields():
    from mes.ops.logging import JsonFormatter

    record = logging.makeLogRecord(
        {
            "name": "lines.tasks",
            "levelno": logging.WARNING,
            "levelname": "WARNING",
            "msg": "batch %s refused",
            "args": ("b-1",),
            "batch_id": "b-1",
        }
    )
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "batch b-1 refused"
    assert entry["level"] == "WARNING" and entry["batch_id"] == "b-1"


def test_anonymous_health_shows_up_or_down_per_component_and_no_details(client, settings, tmp_path):
    # given no bridge has written a status in this (server-side) directory
    settings.VAR_DIR = tmp_path
    # when an anonymous caller asks
    response = client.get("/health/bridge")
    # then it learns the component is down, and nothing about the server
    assert response.status_code == 503
    assert response.json() == {"status": "failing", "checks": {"bridges": {"ok": False}}}
    assert str(tmp_path) not in response.content.decode()
    ready = client.get("/health/ready").json()
    assert ready == {"status": "ok", "checks": {"database": {"ok": True}, "broker": {"ok": True}}}


def test_health_details_go_to_integration_tokens_and_staff_only(
    client, integration, operator, settings, tmp_path
):
    from rest_framework.authtoken.models import Token

    settings.VAR_DIR = tmp_path
    token = Token.objects.create(user=integration).key

    def detail(**headers: str) -> str | None:
        response = client.get("/health/bridge", headers=headers)
        assert response.status_code == 503  # the answer itself never depends on who asks
        return response.json()["checks"]["bridges"].get("detail")

    assert str(tmp_path) in detail(Authorization=f"Token {token}")
    assert detail(Authorization="Token not-a-token") is None
    client.force_login(operator)  # signed in, but not one who runs the plant's IT
    assert detail() is None
    operator.is_staff = True
    operator.save(update_fields=["is_staff"])
    assert str(tmp_path) in detail()


def test_metrics_are_closed_without_a_token_unless_opened(client, settings):
    settings.METRICS_TOKEN = ""
    settings.MES_METRICS_PUBLIC = False
    response = client.get("/metrics")
    assert response.status_code == 403
    assert response.content.decode() == (
        "/metrics is closed: set METRICS_TOKEN and scrape with it as a bearer token, "
        "or set MES_METRICS_PUBLIC=1 on a closed network.\n"
    )
    settings.MES_METRICS_PUBLIC = True
    assert client.get("/metrics").status_code == 200


def test_a_wrong_or_odd_metrics_token_is_a_401_never_a_500(client, settings):
    settings.METRICS_TOKEN = "s3cret-scrape"
    for given in ("Bearer wrong", "Bearer s3cret-scrapé", "s3cret"):
        response = client.get("/metrics", HTTP_AUTHORIZATION=given)
        assert response.status_code == 401, given
        assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
