"""Simulator security: Basic256Sha256 SignAndEncrypt with a server certificate, users with
passwords, and security policy None only where it is allowed. Certificates are made here, in
tmp_path, with asyncua's cert_gen (never downloaded)."""

import asyncio
from pathlib import Path

import pytest
from asyncua import Client, ua
from asyncua.crypto import cert_gen
from asyncua.crypto.security_policies import SecurityPolicyBasic256Sha256
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID

from opcua_bridge.simulator import APPLICATION_URI, LineSimulator, SecurityConfigError

CLIENT_URI = "urn:cell-line-mes:test:client"
NODE = "ns=2;s=COAT-01.ArealLoading"


def make_certificate(directory: Path, name: str, uri: str, usage) -> tuple[Path, Path]:
    """A self-signed application certificate (DER) and its private key (PEM)."""
    key = cert_gen.generate_private_key()
    names = [x509.UniformResourceIdentifier(uri), x509.DNSName("localhost")]
    cert = cert_gen.generate_self_signed_app_certificate(key, uri, {}, names, extended=[usage])
    cert_file, key_file = directory / f"{name}.der", directory / f"{name}.pem"
    cert_file.write_bytes(cert.public_bytes(Encoding.DER))
    key_file.write_bytes(cert_gen.dump_private_key_as_pem(key))
    return cert_file, key_file


@pytest.fixture
def certificates(tmp_path):
    server = make_certificate(tmp_path, "server", APPLICATION_URI, ExtendedKeyUsageOID.SERVER_AUTH)
    client = make_certificate(tmp_path, "client", CLIENT_URI, ExtendedKeyUsageOID.CLIENT_AUTH)
    return {"server": server, "client": client}


@pytest.fixture
def secure_simulator(start_simulator, certificates):
    cert, key = certificates["server"]
    return start_simulator(certificate=cert, private_key=key, users={"plc-bridge": "s3cret"})


async def secure_client(endpoint: str, certificates, user: str, password: str) -> Client:
    client = Client(endpoint)
    client.application_uri = CLIENT_URI
    cert, key = certificates["client"]
    await client.set_security(
        SecurityPolicyBasic256Sha256,
        str(cert),
        str(key),
        mode=ua.MessageSecurityMode.SignAndEncrypt,
    )
    client.set_user(user)
    client.set_password(password)
    return client


def test_the_right_user_over_sign_and_encrypt_reads_values(secure_simulator, certificates):
    async def read():
        client = await secure_client(
            secure_simulator.endpoint, certificates, "plc-bridge", "s3cret"
        )
        async with client:
            endpoints = await client.get_endpoints()
            return await client.get_node(NODE).read_value(), endpoints

    value, endpoints = asyncio.run(read())

    assert value == pytest.approx(25.0, abs=1.0)
    assert {(e.SecurityPolicyUri, e.SecurityMode) for e in endpoints} == {
        (SecurityPolicyBasic256Sha256.URI, ua.MessageSecurityMode.SignAndEncrypt)
    }


def test_a_wrong_password_is_refused(secure_simulator, certificates):
    async def connect():
        client = await secure_client(secure_simulator.endpoint, certificates, "plc-bridge", "nope")
        async with client:
            pytest.fail("a wrong password was accepted")

    with pytest.raises(ua.uaerrors.BadUserAccessDenied):
        asyncio.run(connect())


def test_a_client_without_security_is_refused_when_none_is_not_allowed(secure_simulator):
    async def connect():
        async with Client(secure_simulator.endpoint) as client:
            await client.get_node(NODE).read_value()

    with pytest.raises(ua.UaError, match="No matching endpoints"):
        asyncio.run(connect())


def test_a_session_forced_onto_a_none_channel_is_refused_by_the_server(secure_simulator):
    """asyncua's server opens None channels for discovery; we refuse sessions on them."""

    async def force_session():
        client = Client(secure_simulator.endpoint)
        await client.connect_socket()
        try:
            await client.send_hello()
            await client.open_secure_channel()
            params = ua.CreateSessionParameters(
                ClientDescription=ua.ApplicationDescription(
                    ApplicationUri=CLIENT_URI, ApplicationType=ua.ApplicationType.Client
                ),
                EndpointUrl=secure_simulator.endpoint,
                SessionName="no-security",
                ClientNonce=b"n" * 32,
                RequestedSessionTimeout=60000,
            )
            await client.uaclient.create_session(params)
            activate = ua.ActivateSessionParameters(
                UserIdentityToken=ua.UserNameIdentityToken(
                    PolicyId="username", UserName="plc-bridge", Password=b"s3cret"
                ),
                LocaleIds=["en"],
            )
            await client.uaclient.activate_session(activate)
        finally:
            client.disconnect_socket()

    with pytest.raises(ua.uaerrors.BadSecurityModeRejected):
        asyncio.run(force_session())


def test_on_loopback_without_certificate_none_is_served_to_anonymous_clients(simulator):
    async def read():
        async with Client(simulator.endpoint) as client:
            return await client.get_node(NODE).read_value()

    assert asyncio.run(read()) == pytest.approx(25.0, abs=1.0)


def test_none_can_be_switched_off_and_then_a_certificate_is_required(free_port):
    with pytest.raises(SecurityConfigError, match="None is switched off: give --certificate"):
        LineSimulator(endpoint=f"opc.tcp://127.0.0.1:{free_port}/", allow_none=False)
    with pytest.raises(SecurityConfigError, match="not a loopback endpoint"):
        LineSimulator(endpoint=f"opc.tcp://192.0.2.10:{free_port}/")
