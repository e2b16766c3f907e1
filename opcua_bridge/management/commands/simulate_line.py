"""`manage.py simulate_line`: the simulated line PLCs, an asyncua server, until SIGTERM/SIGINT."""

import asyncio
import logging
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from opcua_bridge.simulator import SecurityConfigError, SimulatorOptions, run_until_signalled
from opcua_bridge.simulator.security import parse_user


class Command(BaseCommand):
    """Thin shell around opcua_bridge.simulator.run_until_signalled; reads fixtures, no database."""

    help = (
        "Serve the demo line's machines (COAT-01, STACK-01, WIP-01, SEAL-01, FORM-01, EOL-01, "
        "DRY-01) as an OPC UA server, with the nodes of fixtures/demo_tags.toml and values that "
        "follow the recipe set-points of fixtures/demo_line.toml. Faults are injected through "
        "the methods of the Simulator object. Security: --certificate/--private-key serve "
        "Basic256Sha256 SignAndEncrypt; security policy None is served only with --allow-none, "
        "or by default on a loopback endpoint when no certificate is given (the demo)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--endpoint", default="opc.tcp://127.0.0.1:4840/")
        parser.add_argument(
            "--speed", type=float, default=1.0, help="line seconds per wall second (default 1)"
        )
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--scenario",
            choices=["demo"],
            default="",
            help="play scheduled faults (demo: a coater drift, a stacker misalignment, a dry-room "
            "door left open, a stack shifted while unloaded, every 2 min)",
        )
        parser.add_argument(
            "--tick", type=float, default=1.0, help="wall seconds between writes (default 1)"
        )
        parser.add_argument(
            "--stations",
            default="",
            help="serve only these machines, comma-separated station codes (default: all); "
            "one process per machine as on a line where each machine is its own PLC",
        )
        parser.add_argument(
            "--interlocks",
            action="store_true",
            help="STACK-01 and WIP-01 check every cell in and out with the MES and wait for its "
            "answers (the closed loop: run a bridge against the MES); a refused cell is rejected",
        )
        parser.add_argument("--certificate", type=Path, help="server certificate (DER or PEM)")
        parser.add_argument("--private-key", type=Path, help="the certificate's private key")
        parser.add_argument(
            "--user",
            action="append",
            default=[],
            metavar="NAME:PASSWORD",
            help="accept this user (repeatable); with users, anonymous sessions are refused",
        )
        parser.add_argument(
            "--allow-none",
            action="store_true",
            default=None,
            help="also serve security policy None (default: only on loopback without certificate)",
        )

    def handle(self, *args, **options) -> None:
        logging.getLogger("asyncua").setLevel(logging.WARNING)
        logging.getLogger("opcua_bridge.simulator").setLevel(logging.INFO)
        try:
            simulator_options = SimulatorOptions(
                endpoint=options["endpoint"],
                speed=options["speed"],
                seed=options["seed"],
                tick_s=options["tick"],
                certificate=options["certificate"],
                private_key=options["private_key"],
                users=dict(parse_user(text) for text in options["user"]),
                allow_none=options["allow_none"],
                scenario=options["scenario"],
                interlocks=options["interlocks"],
                stations=tuple(c.strip() for c in options["stations"].split(",") if c.strip()),
            )
            asyncio.run(run_until_signalled(simulator_options))
        except (SecurityConfigError, ValueError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write("Simulated line stopped.")
