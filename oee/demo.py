"""Machine time for the demo line, idempotently: a small reason tree, the stacker's PLC stop codes,
ideal cycles, the line's clock and a 3 x 8 h shift calendar (docs/oee.md, "The demo").

Runs as part of `manage.py seed_demo` (lines.hooks.AFTER_DEMO_SEED). Nothing that exists is
changed: a reason, code, cycle, clock or calendar edited in the admin stays as edited.
"""

import tomllib
from datetime import time
from decimal import Decimal
from pathlib import Path

from django.conf import settings

from lines.models import Line
from oee.models import DowntimeReason, IdealCycle, LineClock, PlcStopCode, ShiftPattern
from oee.services.calendar import shift_pattern_save

DEMO_LINE = "SSB-L1"
DEMO_TAGS = Path(settings.BASE_DIR) / "fixtures" / "demo_tags.toml"
# `make demo` runs the simulated line at speed 5 (run_demo --speed): one cell cycle of
# cell_cycle_s line seconds takes cell_cycle_s / 5 wall seconds, and machine time is wall time.
DEMO_SPEED = 5.0
# The cell flow's stations each take one cell per cell cycle.
FLOW_KINDS = ("stacking", "densification", "sealing", "formation", "eol")
# A 45 s jam is downtime, the demo's 5-10 s stops are micro-stops (speed loss): the threshold
# must lie between them, and the default 120 s would make the jam a micro-stop.
DEMO_MICRO_STOP_S = 30
# (code, parent, English, Simplified Chinese, station kinds): parents before children.
REASONS = (
    ("mechanical", "", "Mechanical", "机械故障", ""),
    ("stacker-jam", "mechanical", "Stacker jam", "叠片机卡料", "stacking"),
    ("stacker-misfeed", "stacker-jam", "Sheet misfeed", "极片送料不良", "stacking"),
    ("stacker-gripper", "stacker-jam", "Vacuum gripper retry", "真空吸盘重取", "stacking"),
    ("material", "", "Material", "物料", ""),
    ("waiting-material", "material", "Waiting for material", "待料", ""),
    ("quality", "", "Quality", "质量", ""),
    ("quality-hold", "quality", "Hold", "质量扣留", ""),
    ("planned", "", "Planned", "计划停机", ""),
    ("changeover", "planned", "Changeover", "换型", ""),
    ("planned-maintenance", "planned", "Planned maintenance", "计划保养", ""),
)
# The stacker PLC's own codes (fixtures/demo_tags.toml, opcua_bridge.simulator.scenario.DEMO).
PLC_CODES = (("stacking", "17", "stacker-misfeed"), ("stacking", "23", "stacker-gripper"))
SHIFTS = (("Early", time(6)), ("Late", time(14)), ("Night", time(22)))


def load_demo_machine_time(*, report: list[str]) -> None:
    line = Line.objects.filter(code=DEMO_LINE).first()
    if line is None:
        report.append(f"machine time: no line {DEMO_LINE}, nothing seeded")
        return
    reasons = _reasons()
    codes = _plc_codes()
    cycles = _ideal_cycles()
    LineClock.objects.get_or_create(
        line=line,
        defaults={"time_zone": plant_time_zone(), "micro_stop_s": DEMO_MICRO_STOP_S},
    )
    shifts = _shifts(line)
    report.append(
        f"machine time: {reasons} reasons, {codes} PLC codes, {cycles} ideal cycles, "
        f"{shifts} shifts created"
    )


def plant_time_zone() -> str:
    """The deployment's TIME_ZONE when it names one, else the demo plant's (a German pilot
    line: its night shift is 7 h or 9 h long the nights the clocks change)."""
    return settings.TIME_ZONE if settings.TIME_ZONE != "UTC" else "Europe/Berlin"


def demo_cycle_s() -> float:
    """One cell cycle of the demo line in wall seconds at `make demo`'s speed."""
    data = tomllib.loads(DEMO_TAGS.read_text(encoding="utf-8"))
    return float(data["cell_cycle_s"]) / DEMO_SPEED


def _reasons() -> int:
    created = 0
    for code, parent, name, name_zh, kinds in REASONS:
        _, made = DowntimeReason.objects.get_or_create(
            code=code,
            defaults={
                "parent": DowntimeReason.objects.get(code=parent) if parent else None,
                "name": name,
                "name_zh": name_zh,
                "station_kinds": kinds,
            },
        )
        created += made
    return created


def _plc_codes() -> int:
    created = 0
    for kind, plc_code, reason in PLC_CODES:
        _, made = PlcStopCode.objects.get_or_create(
            station_kind=kind,
            plc_code=plc_code,
            defaults={"reason": DowntimeReason.objects.get(code=reason)},
        )
        created += made
    return created


def _ideal_cycles() -> int:
    seconds = demo_cycle_s()
    created = 0
    for kind in FLOW_KINDS:
        _, made = IdealCycle.objects.get_or_create(
            station_kind=kind, product=None, defaults={"seconds": seconds}
        )
        created += made
    return created


def _shifts(line: Line) -> int:
    """3 x 8 h every day, no breaks: the demo runs around the clock, so its stops always fall
    in planned production time. A line that has any pattern keeps its calendar."""
    if ShiftPattern.objects.filter(line=line).exists():
        return 0
    for name, start in SHIFTS:
        shift_pattern_save(line=line, name=name, start=start, hours=Decimal(8))
    return len(SHIFTS)
