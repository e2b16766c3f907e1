"""Typed writes against a real asyncua server whose nodes refuse a write of another type."""

import asyncio
import logging

import pytest
from asyncua import Client, ua

from opcua_bridge.bridge.tagmap import TagSpec
from opcua_bridge.bridge.writes import TypedWriter, WriteRefused, typed_variant, wrap_counter
from tests.opcua_bridge.servers import PlcServer

V = ua.VariantType
TYPED = {
    "ST.Response": ua.Variant(0, V.Int16),
    "ST.Done": ua.Variant(False, V.Boolean),
    "ST.SpeedSet": ua.Variant(0.0, V.Float),
    "ST.PressureSet": ua.Variant(0.0, V.Double),
    "ST.Heartbeat": ua.Variant(0, V.Int32),
    "ST.Serial": ua.Variant("", V.String),
    "ST.Speed": ua.Variant(8.0, V.Float),  # a process value: the MES never writes it
}


def spec(name: str, role: str = "", parameter: str = "") -> TagSpec:
    return TagSpec(f"ns=2;s={name}", "ST-01", parameter, role, 100, 10)


@pytest.fixture(autouse=True)
def quiet_asyncua_server():
    logging.getLogger("asyncua.server").setLevel(logging.ERROR)


@pytest.fixture(scope="module")
def plc():
    server = PlcServer(dict(TYPED))
    server.start()
    yield server
    server.close()


def on_client(plc: PlcServer, work):
    async def run():
        async with Client(plc.endpoint, timeout=4) as client:
            return await work(client, TypedWriter(client))

    return asyncio.run(run())


def test_the_test_plc_refuses_a_double_into_a_real_like_a_plc(plc):
    """What a naive write does: Python's float is a Double, the REAL (Float) node refuses it."""

    async def work(client, _writer):
        with pytest.raises(ua.UaStatusCodeError) as refused:
            await client.get_node("ns=2;s=ST.SpeedSet").write_value(9.5)
        return refused.value.code

    assert on_client(plc, work) == ua.StatusCodes.BadTypeMismatch
    assert plc.read("ST.SpeedSet") == 0.0


def test_each_write_goes_in_the_nodes_own_type(plc):
    async def work(_client, writer):
        await writer.write(spec("ST.Response", "checkin_response"), 3)
        await writer.write(spec("ST.Done", "checkin_done"), True)
        await writer.write(spec("ST.SpeedSet", "setpoint", "web_speed_m_min"), 9.5)
        await writer.write(spec("ST.PressureSet", "setpoint", "pressure_mpa"), 490)
        await writer.write(spec("ST.Heartbeat", "mes_heartbeat"), 70000)

    on_client(plc, work)
    assert plc.read_data_value("ST.Response").Value == ua.Variant(3, V.Int16)
    assert plc.read_data_value("ST.Done").Value == ua.Variant(True, V.Boolean)
    assert plc.read_data_value("ST.SpeedSet").Value == ua.Variant(9.5, V.Float)
    assert plc.read_data_value("ST.PressureSet").Value == ua.Variant(490.0, V.Double)
    assert plc.read_data_value("ST.Heartbeat").Value == ua.Variant(70000, V.Int32)


def test_a_value_that_does_not_fit_is_refused_never_wrapped(plc):
    plc.write("ST.Response", 7)

    async def work(_client, writer):
        with pytest.raises(WriteRefused, match=r"40000 does not fit the node's type Int16"):
            await writer.write(spec("ST.Response", "checkin_response"), 40000)
        with pytest.raises(WriteRefused, match="not a whole number"):
            await writer.write(spec("ST.Response", "checkin_response"), 1.5)

    on_client(plc, work)
    assert plc.read("ST.Response") == 7


def test_the_bridge_never_writes_a_process_value_or_a_plc_role(plc):
    async def work(_client, writer):
        with pytest.raises(WriteRefused, match="process value web_speed_m_min tag"):
            await writer.write(spec("ST.Speed", parameter="web_speed_m_min"), 1.0)
        with pytest.raises(WriteRefused, match="checkin_serial tag"):
            await writer.write(spec("ST.Serial", "checkin_serial"), "C-1")

    on_client(plc, work)
    assert plc.read("ST.Speed") == 8.0
    assert plc.read("ST.Serial") == ""


def test_a_refusal_by_the_plc_is_named():
    """A node declared Int16 that the writer was told is Double: the PLC's BadTypeMismatch."""
    server = PlcServer({"X.Code": ua.Variant(0, V.Int16)})
    server.start()
    try:

        async def work(_client, writer):
            writer._types["ns=2;s=X.Code"] = V.Double  # a stale type, as after a PLC download
            with pytest.raises(WriteRefused, match="BadTypeMismatch"):
                await writer.write(spec("X.Code", "checkout_response"), 1)

        on_client(server, work)
    finally:
        server.close()


@pytest.mark.parametrize(
    ("value", "variant_type", "message"),
    [
        (32768, V.Int16, "does not fit"),
        (-1, V.UInt16, "does not fit"),
        (float("inf"), V.Float, "not a finite number"),
        (1e39, V.Float, "does not fit the node's type Float"),
        ("7", V.Int16, "not a number"),
        (True, V.Int32, "not a number"),
        (2, V.Boolean, "not a Boolean"),
        ("x" * 255, V.String, "at most 254"),
        (1, V.DateTime, "not one the MES writes"),
    ],
)
def test_typed_variant_refuses(value, variant_type, message):
    with pytest.raises(WriteRefused, match=message):
        typed_variant(value, variant_type)


def test_typed_variant_and_the_heartbeat_wrap():
    assert typed_variant(32767, V.Int16) == ua.Variant(32767, V.Int16)
    assert typed_variant(2.0, V.Int16) == ua.Variant(2, V.Int16)
    assert typed_variant(1, V.Boolean) == ua.Variant(True, V.Boolean)
    assert wrap_counter(32766, V.Int16) == 32767
    assert wrap_counter(32767, V.Int16) == 0
    assert wrap_counter(2**31 - 1, V.Int32) == 0
