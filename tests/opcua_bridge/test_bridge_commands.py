"""`run_bridge` and `bridge_status`: refusals of unsafe options, the status printout, and a real
`manage.py run_bridge` process that stops cleanly on SIGTERM."""

import io
import logging
import os
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from lines.models import Line, Station, Tag
from opcua_bridge.bridge.status import BridgeStatus, read_status, write_status
from tests.opcua_bridge.servers import PlcServer, wait_until

MANAGE = Path(settings.BASE_DIR) / "manage.py"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"endpoint": "opc.tcp://10.1.2.3:4840/"}, "no --security is set"),
        ({"user": "bridge", "password": "p"}, "travels in clear"),
        ({"security": "Basic256Sha256"}, "needs --certificate and --private-key"),
        ({"endpoint": "http://127.0.0.1/"}, "must start with opc.tcp://"),
    ],
)
def test_run_bridge_refuses_unsafe_or_incomplete_options(options, message):
    with pytest.raises(CommandError, match=message):
        call_command("run_bridge", **options)


def test_bridge_status_prints_the_status_file(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    status = BridgeStatus(name="line7", endpoint="opc.tcp://127.0.0.1:4840/", state="connected")
    status.skipped_nodes = [{"node_id": "ns=2;s=X", "reason": "BadNodeIdUnknown"}]
    status.spool_depth = 3
    write_status(tmp_path / "bridge-status-line7.json", status)
    out = io.StringIO()

    call_command("bridge_status", name="line7", stdout=out)

    lines = out.getvalue().splitlines()
    assert "state              connected" in lines
    assert "spool_depth        3" in lines
    assert "skipped            ns=2;s=X: BadNodeIdUnknown" in lines
    with pytest.raises(CommandError, match="is run_bridge running"):
        call_command("bridge_status", name="nobody")


def test_status_writes_at_the_same_time_never_fail_and_leave_one_whole_file(tmp_path):
    """At shutdown the cancelled periodic write still runs in its thread beside the final one;
    with one temporary name per process, one renamed the other's file away (FileNotFoundError)."""
    path = tmp_path / "bridge-status-race.json"

    def write(state: str) -> None:
        for _ in range(300):
            write_status(path, BridgeStatus(name="race", endpoint="opc.tcp://x/", state=state))

    with ThreadPoolExecutor(2) as pool:
        for done in [pool.submit(write, "connected"), pool.submit(write, "stopped")]:
            done.result()  # raises what the thread raised
    assert read_status(path)["state"] in {"connected", "stopped"}
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_run_bridge_runs_until_sigterm_then_flushes_and_stops_cleanly(tmp_path):
    logging.getLogger("asyncua.server").setLevel(logging.WARNING)
    plc = PlcServer({"COAT-01.ArealLoading": 25.0})
    plc.start()
    line = Line.objects.create(code="T-LINE", name="Test line")
    coater = Station.objects.create(line=line, code="COAT-01", name="Coater", kind="coating")
    node = plc.node_id("COAT-01.ArealLoading")
    Tag.objects.create(node_id=node, station=coater, parameter="areal_loading_mg_cm2")
    env = dict(os.environ, MES_VAR_DIR=str(tmp_path), DATABASE_URL=database_url())
    env.pop("REDIS_URL", None)  # embedded mode: the ingest runs in the bridge's process
    command = [sys.executable, str(MANAGE), "run_bridge", "--endpoint", plc.endpoint]
    process = subprocess.Popen(
        [*command, "--name", "sig", "--batch-ms", "50"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    status_path = tmp_path / "bridge-status-sig.json"
    try:
        wait_until(
            lambda: (read_status(status_path) or {}).get("connected"),
            timeout=30,
            what="run_bridge to connect",
        )
        plc.write("COAT-01.ArealLoading", 25.4)
        wait_until(
            lambda: read_status(status_path)["samples_total"] == 2,
            timeout=15,
            what="two samples in the bridge",
        )
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        plc.close()

    assert process.returncode == 0, output
    final = read_status(status_path)
    assert (final["state"], final["connected"]) == ("stopped", False)
    assert final["batches_created"] >= 1
    # delivered to the ingest, or (until lines.tasks.ingest_batch exists) waiting in the spool
    assert final["batches_created"] == final["batches_delivered"] + final["spool_depth"]
    assert "bridge sig stopped: 2 samples" in output
