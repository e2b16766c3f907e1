"""The production-like stack, natively: gunicorn, a Celery worker on Redis (prefork, on its own
line queue), the OPC UA bridge and the simulated line with its demo faults, all on PostgreSQL
as separate processes. It waits for readiness, sees the simulator's coating drift become a flag
through the API, reads health and metrics, then stops every process with SIGTERM."""

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token

from mes import roles
from tests.factories import make_user
from tests.opcua_bridge.servers import free_port, wait_until
from tests.workers import subprocess_database_url

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _get(url: str, token: str = "", scheme: str = "Token") -> tuple[int, bytes]:
    request = urllib.request.Request(
        url, headers={"Authorization": f"{scheme} {token}"} if token else {}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except OSError:
        return 0, b""


class Stack:
    def __init__(self, tmp_path: Path) -> None:
        self.tmp = tmp_path
        self.web_port, self.opcua_port = free_port(), free_port()
        self.queue = f"ingest.stack-{secrets.token_hex(4)}"
        self.metrics_token = secrets.token_urlsafe(32)
        self.env = {
            **os.environ,
            "DATABASE_URL": subprocess_database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "MES_VAR_DIR": str(tmp_path),
            "STATIC_ROOT": str(tmp_path / "static"),
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "MES_AUDIT_KEYS": f"stack:{secrets.token_urlsafe(48)}",
            "METRICS_TOKEN": self.metrics_token,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",  # production puts TLS on the proxy in front
            "LOG_FORMAT": "json",
            "PYTHONUNBUFFERED": "1",
        }
        self.processes: dict[str, subprocess.Popen] = {}

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def start(self) -> None:
        manage = [sys.executable, "manage.py"]
        subprocess.run(
            [*manage, "collectstatic", "--no-input", "-v0"], cwd=ROOT, env=self.env, check=True
        )
        endpoint = f"opc.tcp://127.0.0.1:{self.opcua_port}/"
        plan = {
            "simulator": [
                *manage,
                "simulate_line",
                "--endpoint",
                endpoint,
                "--speed",
                "10",
                "--scenario",
                "demo",
            ],
            "worker": [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "mes",
                "worker",
                "-Q",
                self.queue,
                "--concurrency",
                "1",
                "-n",
                f"{self.queue}@%h",
                "-l",
                "INFO",
            ],
            "bridge": [
                *manage,
                "run_bridge",
                "--endpoint",
                endpoint,
                "--name",
                "stack",
                "--queue",
                self.queue,
            ],
            "web": [
                sys.executable,
                "-m",
                "gunicorn",
                "mes.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.web_port}",
                "--workers",
                "2",
            ],
        }
        for name, command in plan.items():
            log = open(self.tmp / f"{name}.log", "wb")  # noqa: SIM115  (closed with the process)
            self.processes[name] = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=log
            )

    def log(self, name: str) -> str:
        return (self.tmp / f"{name}.log").read_text(errors="replace")[-3000:]

    def alive(self) -> None:
        for name, process in self.processes.items():
            assert process.poll() is None, f"{name} died:\n{self.log(name)}"

    def stop(self) -> dict[str, int | None]:
        codes = {}
        for name in ("bridge", "simulator", "worker", "web"):
            process = self.processes.get(name)
            if process is None:
                continue
            process.send_signal(signal.SIGTERM)
            try:
                codes[name] = process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                codes[name] = None
        return codes


def test_the_stack_starts_turns_a_simulator_fault_into_a_flag_and_stops_cleanly(tmp_path):
    call_command("seed_demo", "--i-know-this-is-not-production", verbosity=0)
    quality = make_user("stack.quality", roles.QUALITY_ENGINEER)
    token = Token.objects.create(user=quality).key
    stack = Stack(tmp_path)
    try:
        stack.start()
        for component in ("ready", "worker", "bridge"):
            wait_until(
                lambda c=component: stack.alive() or _get(f"{stack.base}/health/{c}")[0] == 200,
                timeout=60,
                what=f"/health/{component} to answer 200",
            )
        # The demo scenario drifts the coater thin 15 s into its cycle.
        flags_url = f"{stack.base}/api/v1/flags/?parameter=areal_loading_mg_cm2"
        wait_until(
            lambda: stack.alive() or b'"count":0' not in _get(flags_url, token)[1],
            timeout=90,
            what="the coating drift to become a flag in the API",
        )
        status, body = _get(flags_url, token)
        assert status == 200 and b'"kind":"out_of_spec"' in body

        assert _get(f"{stack.base}/metrics")[0] == 401  # production: the scrape needs the token
        status, body = _get(f"{stack.base}/metrics", stack.metrics_token, scheme="Bearer")
        text = body.decode()
        assert status == 200
        assert 'mes_bridge_connected{bridge="stack"} 1' in text
        ingested = [
            line for line in text.splitlines() if line.startswith("mes_samples_ingested_total ")
        ]
        assert ingested and float(ingested[0].split()[1]) > 0, text[:2000]
        assert f'mes_queue_length{{queue="{stack.queue}"}}' in text  # the line's queue, found
        assert _get(f"{stack.base}/health/live")[0] == 200
        # Swagger UI's files come from the web process itself (whitenoise, hashed names).
        status, page = _get(f"{stack.base}/api/docs/", token)
        assert status == 200 and b"https://" not in page
        assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page.decode())
        assert len(assets) == 4 and all(_get(stack.base + url)[0] == 200 for url in assets), assets
        # A container's check asks its own worker by node name, and fails for one that is gone.
        call_command("health", "worker", "--node", f"{stack.queue}@{socket.gethostname()}")
        with pytest.raises(CommandError, match="worker is not healthy"):
            call_command("health", "worker", "--node", f"gone@{socket.gethostname()}")
    finally:
        codes = stack.stop()
    assert codes == {"bridge": 0, "simulator": 0, "worker": 0, "web": 0}, {
        name: stack.log(name) for name, code in codes.items() if code != 0
    }
    bridge_log = [line for line in stack.log("bridge").splitlines() if line.startswith("{")]
    assert bridge_log and all(json.loads(line)["level"] for line in bridge_log[-5:])
