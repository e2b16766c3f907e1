"""The methods of the `Simulator` object: fault injection over OPC UA.

Each method calls the same in-process API a test would (LineSimulator.inject_*, change_roll,
clear_faults, restart) and answers with a one-line message. A bad station, parameter or number
is answered with BadInvalidArgument (the reason goes to the simulator's log).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from asyncua import ua
from asyncua.common.methods import uamethod

from .address_space import MethodSpec

if TYPE_CHECKING:
    from .server import LineSimulator

logger = logging.getLogger("opcua_bridge.simulator")

STRING = ua.VariantType.String
DOUBLE = ua.VariantType.Double
TARGET = (("Station", STRING), ("Parameter", STRING))


def _guarded(name: str, action):
    """Wrap an action so a refused argument is BadInvalidArgument, not BadUnexpectedError."""

    @uamethod
    async def call(parent, *args):
        try:
            return str(action(*args))
        except (KeyError, ValueError, TypeError) as exc:
            logger.warning("Simulator.%s%s refused: %s", name, args, exc)
            return ua.StatusCode(ua.UInt32(ua.StatusCodes.BadInvalidArgument))

    return call


def simulator_methods(sim: LineSimulator) -> tuple[MethodSpec, ...]:
    """The Simulator object's methods, bound to one simulator. Durations are wall seconds."""

    def restart(down_s: float) -> str:
        if not 0 <= down_s <= 3600:
            raise ValueError("DownS must be between 0 and 3600 seconds")
        sim.restart_soon(float(down_s))
        return f"restarting, down for {down_s} s"

    specs = [
        ("InjectDrift", (*TARGET, ("Magnitude", DOUBLE), ("DurationS", DOUBLE)), sim.inject_drift),
        ("InjectSpike", (*TARGET, ("Magnitude", DOUBLE)), sim.inject_spike),
        ("InjectStuck", (*TARGET, ("DurationS", DOUBLE)), sim.inject_stuck),
        ("InjectBadStatus", (*TARGET, ("DurationS", DOUBLE)), sim.inject_bad_status),
        ("InjectNaN", (*TARGET, ("DurationS", DOUBLE)), sim.inject_nan),
        (
            "InjectJam",
            (("Station", STRING), ("DurationS", DOUBLE), ("ReasonCode", ua.VariantType.Int32)),
            sim.inject_jam,
        ),
        ("ChangeRoll", (("Station", STRING),), sim.change_roll),
        ("ClearFaults", TARGET, sim.clear_faults),
        ("Restart", (("DownS", DOUBLE),), restart),
    ]
    return tuple(MethodSpec(name, inputs, _guarded(name, action)) for name, inputs, action in specs)
