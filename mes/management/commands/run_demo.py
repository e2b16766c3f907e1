"""`manage.py run_demo`: the whole demo line in one command, stopped together by Ctrl-C.

Starts the simulated PLCs, the OPC UA bridge, a Celery worker when REDIS_URL is set (embedded
mode runs the ingest in the bridge's process), and the web server; prints where to look. If one
process dies, the others are stopped and the command fails with its name.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

ROOT = Path(settings.BASE_DIR)


class Command(BaseCommand):
    help = "Run the simulated line, the bridge, the ingest worker and the web server together."

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--opcua-port", type=int, default=4840)
        parser.add_argument("--speed", type=float, default=5.0, help="simulated line speed factor")

    def handle(
        self, *args: object, host: str, port: int, opcua_port: int, speed: float, **opts
    ) -> None:
        endpoint = f"opc.tcp://127.0.0.1:{opcua_port}/"
        manage = [sys.executable, str(ROOT / "manage.py")]
        plan = [
            (
                "simulator",
                [
                    *manage,
                    "simulate_line",
                    "--endpoint",
                    endpoint,
                    "--speed",
                    str(speed),
                    "--scenario",
                    "demo",
                    "--interlocks",  # the stacker and the WIP press ask the MES for every cell
                ],
            ),
            ("bridge", [*manage, "run_bridge", "--endpoint", endpoint, "--name", "demo"]),
            ("web", [*manage, "runserver", f"{host}:{port}", "--noreload"]),
        ]
        if settings.REDIS_URL:
            worker = [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "mes",
                "worker",
                "--pool",
                "solo",
                "-l",
                "INFO",
                # The beat inside the one worker: the demo compacts its telemetry as a plant does.
                "--beat",
                "--schedule",
                str(settings.VAR_DIR / "celerybeat-schedule"),
            ]
            plan.insert(2, ("worker", worker))
        processes = self._start(plan)
        self._announce(host, port, endpoint)
        self._supervise(processes)

    def _start(self, plan: list[tuple[str, list[str]]]) -> dict[str, subprocess.Popen]:
        processes = {}
        for name, command in plan:
            processes[name] = subprocess.Popen(command, cwd=ROOT, env=os.environ.copy())
            time.sleep(
                2.0 if name == "simulator" else 0.3
            )  # the bridge connects faster with a server up
        return processes

    def _announce(self, host: str, port: int, endpoint: str) -> None:
        mode = (
            "services (Redis worker)" if settings.REDIS_URL else "embedded (ingest in the bridge)"
        )
        base = f"http://{host}:{port}"
        self.stdout.write(
            f"\nDemo line running, {mode} mode. Ctrl-C stops everything.\n"
            f"  sign in   {base}/signin/\n"
            f"  operator  {base}/station/       (operator / operator-demo): the tablet screens\n"
            f"  quality   {base}/quality/       (quality / quality-demo): flags, holds, genealogy, SPC\n"
            f"  admin     {base}/admin/         (admin / admin-demo)\n"
            f"  API docs  {base}/api/docs/      samples {base}/api/v1/samples/\n"
            f"  health    {base}/health/ready   metrics {base}/metrics\n"
            f"  OPC UA    {endpoint}  (simulated PLCs; the demo scenario injects faults every 2 min)\n"
        )

    def _supervise(self, processes: dict[str, subprocess.Popen]) -> None:
        stopping = False

        def stop(*_: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        failed = None
        while not stopping and failed is None:
            failed = next((name for name, p in processes.items() if p.poll() is not None), None)
            time.sleep(0.5)
        for process in reversed(list(processes.values())):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        if failed:
            raise CommandError(
                f"the {failed} process stopped (exit {processes[failed].returncode}); see above"
            )
