"""Basic256Sha256 SignAndEncrypt with a user name, against a server that offers nothing else."""

import asyncio
import logging

import pytest

from lines.models import Line, Station, Tag
from tests.opcua_bridge.servers import (
    SERVER_URI,
    BridgeRunner,
    PlcServer,
    RecordingDelivery,
    Security,
    bridge_config,
    make_certificate,
    wait_until,
)

pytestmark = pytest.mark.django_db(transaction=True)

CLIENT_URI = "urn:example.com:cell-line-mes:bridge-line1"


@pytest.fixture(autouse=True)
def quiet_asyncua_server():
    logging.getLogger("asyncua.server").setLevel(logging.WARNING)


@pytest.fixture
def certificates(tmp_path):
    async def make():
        server = await make_certificate(tmp_path, "plc", SERVER_URI, server=True)
        client = await make_certificate(tmp_path, "bridge", CLIENT_URI, server=False)
        return server, client

    return asyncio.run(make())


@pytest.fixture
def secure_plc(certificates):
    server_cert, _client = certificates
    plc = PlcServer(
        {"COAT-01.ArealLoading": 25.0},
        security=Security(server_cert.certificate, server_cert.private_key, {"bridge": "s3cret"}),
    )
    plc.start()
    line = Line.objects.create(code="T-LINE", name="Test line")
    coater = Station.objects.create(line=line, code="COAT-01", name="Coater", kind="coating")
    Tag.objects.create(
        node_id=plc.node_id("COAT-01.ArealLoading"),
        station=coater,
        parameter="areal_loading_mg_cm2",
    )
    yield plc
    plc.close()


def secure_config(plc, certificates, tmp_path, password):
    server_cert, client_cert = certificates
    return bridge_config(
        plc.endpoint,
        tmp_path,
        security_policy="Basic256Sha256",
        certificate=client_cert.certificate,
        private_key=client_cert.private_key,
        server_certificate=server_cert.certificate,
        user="bridge",
        password=password,
    )


def test_sign_and_encrypt_with_a_user_name_connects_and_samples_flow(
    secure_plc, certificates, tmp_path
):
    config = secure_config(secure_plc, certificates, tmp_path, "s3cret")
    config.check()
    delivery = RecordingDelivery()
    bridge = BridgeRunner(config, delivery).start()
    try:
        wait_until(lambda: bridge.status.connected, timeout=20, what="a secure connection")
        secure_plc.write("COAT-01.ArealLoading", 25.3)
        wait_until(lambda: len(delivery.samples()) == 2, timeout=15, what="two samples")
    finally:
        bridge.stop()

    assert [s["value"] for s in delivery.samples()] == [25.0, 25.3]
    assert bridge.status.last_error == ""


def test_a_wrong_password_fails_with_a_clear_error_in_the_status(
    secure_plc, certificates, tmp_path
):
    config = secure_config(secure_plc, certificates, tmp_path, "wrong")
    bridge = BridgeRunner(config, RecordingDelivery()).start()
    try:
        wait_until(lambda: bridge.status.last_error, timeout=20, what="an error in the status")
    finally:
        bridge.stop()

    assert bridge.status.connected is False
    assert bridge.status.last_error == (
        "the server refused user 'bridge' (BadUserAccessDenied): "
        "check --user and --password (or OPCUA_PASSWORD)"
    )


def test_without_security_the_server_offers_no_endpoint(secure_plc, tmp_path):
    bridge = BridgeRunner(bridge_config(secure_plc.endpoint, tmp_path), RecordingDelivery()).start()
    try:
        wait_until(lambda: bridge.status.last_error, timeout=20, what="an error in the status")
    finally:
        bridge.stop()

    assert bridge.status.connected is False
    assert bridge.status.last_error == (
        "the server offers no endpoint with security None: "
        "use --security Basic256Sha256 with --certificate and --private-key"
    )
