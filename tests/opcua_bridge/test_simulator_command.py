"""`manage.py simulate_line`: serves until SIGTERM/SIGINT and stops cleanly; refuses bad options."""

import asyncio
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from asyncua import Client, ua
from django.core.management import CommandError, call_command

PROJECT_DIR = Path(__file__).resolve().parents[2]


async def read_when_up(process: subprocess.Popen, endpoint: str, timeout_s: float = 60.0):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while loop.time() < deadline:
        if process.poll() is not None:
            pytest.fail(f"simulate_line exited early: {process.communicate()[1][-2000:]}")
        try:
            async with Client(endpoint, timeout=2) as client:
                return await client.get_node("ns=2;s=DRY-01.DewPoint").read_value()
        except (TimeoutError, ConnectionError, OSError, ua.UaError):
            await asyncio.sleep(0.1)
    pytest.fail(f"simulate_line did not serve {endpoint} within {timeout_s} s")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_simulate_line_serves_until_a_signal_then_stops_cleanly(free_port, signum):
    endpoint = f"opc.tcp://127.0.0.1:{free_port}/"
    command = [sys.executable, "manage.py", "simulate_line", "--endpoint", endpoint]
    command += ["--speed", "100", "--tick", "0.05", "--seed", "3"]
    process = subprocess.Popen(
        command, cwd=PROJECT_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        dew_point = asyncio.run(read_when_up(process, endpoint))
        process.send_signal(signum)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()

    assert dew_point == pytest.approx(-60.0, abs=5.0)
    assert process.returncode == 0, err
    assert "Simulated line stopped." in out
    assert f"simulated line serving on {endpoint}" in err
    assert "signal received, stopping" in err
    assert " INFO asyncua" not in err  # asyncua's own logging is held at WARNING


def test_a_non_loopback_endpoint_without_certificate_is_refused():
    with pytest.raises(CommandError, match="not a loopback endpoint"):
        call_command("simulate_line", "--endpoint", "opc.tcp://192.0.2.10:4840/")


def test_a_user_without_password_is_refused():
    with pytest.raises(CommandError, match="a user is name:password"):
        call_command("simulate_line", "--user", "plc-bridge")
