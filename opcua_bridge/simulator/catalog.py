"""What the simulated line is made of: machines, process channels, units, and the fixture files.

Pure data and loading, no asyncua. The tag map (fixtures/demo_tags.toml) names the nodes; this
module holds how each process value behaves (unit, noise, range) and reads its target from the
recipe set-points of fixtures/demo_line.toml. `load_plan` checks that the two agree.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

FIXTURES_DIR = Path(__file__).resolve().parents[2] / "fixtures"
DEFAULT_LINE_FILE = FIXTURES_DIR / "demo_line.toml"
DEFAULT_TAGS_FILE = FIXTURES_DIR / "demo_tags.toml"

ROLE_UNIT_ID = "unit_id"
ROLE_WEB_POSITION = "web_position_m"
ROLE_RESULT_EVENT = "result_event"
ROLE_SETPOINT = "setpoint"
ROLE_MES_HEARTBEAT = "mes_heartbeat"
ROLE_PLC_HEARTBEAT = "plc_heartbeat"
# The PLC side of the closed loop (docs/integration-guide.md section 5): the nodes of one side.
CHECKIN_ROLES = ("checkin_serial", "checkin_request", "checkin_response", "checkin_done")
CHECKOUT_ROLES = (
    "checkout_serial",
    "checkout_result",
    "checkout_request",
    "checkout_response",
    "checkout_done",
)
HANDSHAKE_ROLES = CHECKIN_ROLES + CHECKOUT_ROLES
HEARTBEAT_ROLES = (ROLE_MES_HEARTBEAT, ROLE_PLC_HEARTBEAT)
# Machine time (docs/oee.md): the PLC's PackML state number and its own stop-reason code (0 while
# it runs), on every machine of the cell flow.
ROLE_MACHINE_STATE = "machine_state"
ROLE_STOP_REASON = "stop_reason"
STATE_ROLES = (ROLE_MACHINE_STATE, ROLE_STOP_REASON)
ROLES = (
    ROLE_UNIT_ID,
    ROLE_WEB_POSITION,
    ROLE_RESULT_EVENT,
    ROLE_SETPOINT,
    *HANDSHAKE_ROLES,
    *HEARTBEAT_ROLES,
    *STATE_ROLES,
)


@dataclass(frozen=True)
class Unit:
    """An engineering unit as OPC UA wants it: the UNECE Rec. 20 common code and a symbol."""

    code: str
    symbol: str
    description: str


UNITS = {
    "mg/cm2": Unit("H63", "mg/cm²", "milligram per square centimetre"),
    "um": Unit("4H", "µm", "micrometre (micron)"),
    "mm": Unit("MMT", "mm", "millimetre"),
    "m": Unit("MTR", "m", "metre"),
    "m/min": Unit("2X", "m/min", "metre per minute"),
    "degC": Unit("CEL", "°C", "degree Celsius"),
    "MPa": Unit("MPA", "MPa", "megapascal"),
    "s": Unit("SEC", "s", "second [unit of time]"),
    "Ah": Unit("AMH", "A·h", "ampere hour"),
    "%": Unit("P1", "%", "percent"),
    "ppm": Unit("59", "ppm", "part per million"),
    "1": Unit("C62", "1", "one"),
    "V": Unit("VLT", "V", "volt"),
    "mOhm": Unit("E45", "mΩ", "milliohm"),
}


@dataclass(frozen=True)
class ChannelModel:
    """How one process value behaves around its target.

    shape: "normal" (target + noise), "at_least" (target + |noise|: a PLC holds at least the
    set-point, e.g. a hold time), "non_negative" (clamped at 0, e.g. a gas reading near zero),
    "count" (an integer count that is the target, one less for the rare unit with a missed
    sheet: drawn once per unit, when it enters the machine).
    bias: added to the target (an H2S detector reads a background of ~0.1 ppm, not 0).
    """

    parameter: str
    unit: str
    sigma: float
    eu_low: float
    eu_high: float
    default_target: float
    shape: str = "normal"
    bias: float = 0.0


def _zones() -> tuple[ChannelModel, ...]:
    targets = (90.0, 110.0, 130.0, 120.0)
    return tuple(
        ChannelModel(f"dryer_zone_{n}_c", "degC", 0.6, 0.0, 200.0, t)
        for n, t in enumerate(targets, 1)
    )


@dataclass(frozen=True)
class Machine:
    """One simulated machine: its station code, what it is, and its process channels."""

    station: str
    kind: str
    description: str
    channels: tuple[ChannelModel, ...]
    roles: tuple[str, ...] = (ROLE_UNIT_ID,)
    event_targets: tuple[tuple[str, float], ...] = ()
    # Parameters whose target the MES may set (a `setpoint` tag each): the recipe's keys.
    setpoints: tuple[str, ...] = ()


MACHINES: tuple[Machine, ...] = (
    Machine(
        "COAT-01",
        "coating",
        "Cathode coater",
        (
            ChannelModel("areal_loading_mg_cm2", "mg/cm2", 0.1, 0.0, 50.0, 25.0),
            ChannelModel("dry_thickness_um", "um", 0.8, 0.0, 300.0, 110.0),
            ChannelModel("coating_width_mm", "mm", 0.08, 0.0, 400.0, 300.0),
            ChannelModel("web_speed_m_min", "m/min", 0.05, 0.0, 20.0, 8.0),
            *_zones(),
        ),
        roles=(ROLE_UNIT_ID, ROLE_WEB_POSITION),
        setpoints=(
            "areal_loading_mg_cm2",
            "dry_thickness_um",
            "coating_width_mm",
            "web_speed_m_min",
            "dryer_zone_1_c",
            "dryer_zone_2_c",
            "dryer_zone_3_c",
            "dryer_zone_4_c",
        ),
    ),
    Machine(
        "STACK-01",
        "stacking",
        "Stacker",
        (
            ChannelModel("alignment_mm", "mm", 0.05, -2.0, 2.0, 0.0),
            ChannelModel("anode_overhang_mm", "mm", 0.06, 0.0, 3.0, 0.8),
            ChannelModel("sheet_count", "1", 0.0, 0.0, 50.0, 21.0, shape="count"),
            ChannelModel("stacking_pressure_mpa", "MPa", 0.02, 0.0, 5.0, 1.0),
        ),
        # The stacker's PLC also carries the line's two heartbeat counters.
        roles=(
            ROLE_UNIT_ID,
            ROLE_RESULT_EVENT,
            *HANDSHAKE_ROLES,
            *HEARTBEAT_ROLES,
            *STATE_ROLES,
        ),
    ),
    Machine(
        "WIP-01",
        "densification",
        "Densification press (warm isostatic)",
        (
            ChannelModel("isostatic_pressure_mpa", "MPa", 2.0, 0.0, 600.0, 490.0),
            ChannelModel("temperature_c", "degC", 0.8, 0.0, 200.0, 80.0),
            ChannelModel("hold_time_s", "s", 3.0, 0.0, 3600.0, 1800.0, shape="at_least"),
        ),
        roles=(ROLE_UNIT_ID, *HANDSHAKE_ROLES, *STATE_ROLES),
        setpoints=("isostatic_pressure_mpa", "temperature_c", "hold_time_s"),
    ),
    Machine(
        "SEAL-01",
        "sealing",
        "Pouch sealer",
        (
            ChannelModel("seal_temperature_c", "degC", 0.8, 0.0, 300.0, 190.0),
            ChannelModel("seal_time_s", "s", 0.05, 0.0, 10.0, 4.0),
        ),
        roles=(ROLE_UNIT_ID, *STATE_ROLES),
    ),
    Machine(
        "FORM-01",
        "formation",
        "Formation rack",
        (
            ChannelModel("stack_pressure_mpa", "MPa", 0.05, 0.0, 10.0, 3.0),
            ChannelModel("capacity_ah", "Ah", 0.04, 0.0, 15.0, 10.0),
            ChannelModel("first_cycle_efficiency_pct", "%", 0.4, 0.0, 100.0, 88.0),
        ),
        roles=(ROLE_UNIT_ID, *STATE_ROLES),
    ),
    Machine(
        "EOL-01",
        "eol",
        "EOL tester",
        (),
        roles=(ROLE_UNIT_ID, ROLE_RESULT_EVENT, *STATE_ROLES),
        event_targets=(("ocv_v", 3.65), ("acir_mohm", 1.2)),
    ),
    Machine(
        "DRY-01",
        "dry_room",
        "Dry room monitor",
        (
            ChannelModel("dew_point_c", "degC", 0.6, -90.0, 0.0, -60.0),
            ChannelModel("h2s_ppm", "ppm", 0.03, 0.0, 50.0, 0.0, shape="non_negative", bias=0.1),
        ),
        roles=(),
    ),
)
MACHINES_BY_STATION = {machine.station: machine for machine in MACHINES}
# The stations whose PLC checks every cell in and out with the MES (when interlocks are on).
INTERLOCKED = tuple(m.station for m in MACHINES if "checkin_request" in m.roles)
WEB_POSITION_MODEL = ChannelModel(ROLE_WEB_POSITION, "m", 0.0, 0.0, 5000.0, 0.0)

# Per-cell verdict limits (DESIGN.md section 1, "typical limits"): a cell outside them is NOK.
STACK_LIMITS = {"alignment_mm": (-0.2, 0.2), "overhang_mm": (0.5, 1.1)}
EOL_LIMITS = {"ocv_window_v": 0.005, "acir_max_mohm": 1.6, "capacity_min_ah": 9.8}
EOL_SIGMA = {"ocv_v": 0.0015, "acir_mohm": 0.04, "capacity_ah": 0.01}


@dataclass(frozen=True)
class TagEntry:
    """One row of the tag map: a node and the station parameter or role it carries."""

    node_id: str
    station: str
    parameter: str = ""
    role: str = ""
    sampling_interval_ms: int = 1000
    queue_size: int = 10
    deadband_kind: str = "none"
    deadband_value: float = 0.0
    description: str = ""

    @property
    def identifier(self) -> str:
        """The string part of the node id (`COAT-01.ArealLoading`), namespace left out."""
        return self.node_id.split(";s=", 1)[1]

    @property
    def channel(self) -> str:
        """The parameter, or the role for a role tag: the name faults and the model use; a
        set-point is `setpoint:<parameter>`."""
        if self.role == ROLE_SETPOINT:
            return f"{ROLE_SETPOINT}:{self.parameter}"
        return self.parameter or self.role


@dataclass(frozen=True)
class LineSettings:
    """The non-tag settings of demo_tags.toml: roll lengths, feed rolls, cell cycle, prefixes."""

    namespace_uri: str
    roll_length_m: float
    roll_id_prefix: str
    cell_serial_prefix: str
    cell_cycle_s: float
    feed_rolls: tuple[str, ...]
    feed_roll_length_m: float
    feed_per_cell_m: float


@dataclass(frozen=True)
class LinePlan:
    """Everything the simulator needs from the fixtures, checked for agreement."""

    settings: LineSettings
    tags: tuple[TagEntry, ...]
    targets: dict[tuple[str, str], float]
    equipment: dict[str, str] = field(default_factory=dict)

    def tag(self, station: str, channel: str) -> TagEntry:
        for tag in self.tags:
            if tag.station == station and tag.channel == channel:
                return tag
        raise KeyError(f"no tag for {station} {channel}")


def load_plan(line_file: Path = DEFAULT_LINE_FILE, tags_file: Path = DEFAULT_TAGS_FILE) -> LinePlan:
    """Read demo_line.toml (targets, equipment names) and demo_tags.toml (nodes), check they agree."""
    line = tomllib.loads(Path(line_file).read_text(encoding="utf-8"))
    raw = tomllib.loads(Path(tags_file).read_text(encoding="utf-8"))
    tags = tuple(TagEntry(**row) for row in raw.pop("tags"))
    settings = LineSettings(**{**raw, "feed_rolls": tuple(raw["feed_rolls"])})
    plan = LinePlan(settings, tags, _targets(line), _equipment(line))
    problems = check_plan(plan)
    if problems:
        raise ValueError(f"{tags_file} does not match the simulator: " + "; ".join(problems))
    return plan


def _targets(line: dict) -> dict[tuple[str, str], float]:
    kind_of = {station["code"]: station["kind"] for station in line["stations"]}
    setpoints = {recipe["station_kind"]: recipe["setpoints"] for recipe in line["recipes"]}
    targets = {}
    for machine in MACHINES:
        recipe = setpoints.get(kind_of.get(machine.station, ""), {})
        for channel in machine.channels:
            value = recipe.get(channel.parameter, channel.default_target)
            targets[(machine.station, channel.parameter)] = float(value)
        for name, default in machine.event_targets:
            targets[(machine.station, name)] = float(recipe.get(name, default))
    return targets


def _equipment(line: dict) -> dict[str, str]:
    return {
        station["code"]: "; ".join(item["name"] for item in station.get("equipment", []))
        for station in line["stations"]
    }


def check_plan(plan: LinePlan) -> list[str]:
    """Every modelled channel and role has exactly one tag, and every tag is modelled."""
    expected = {
        (machine.station, name)
        for machine in MACHINES
        for name in (
            *(c.parameter for c in machine.channels),
            *machine.roles,
            *(f"{ROLE_SETPOINT}:{key}" for key in machine.setpoints),
        )
    }
    problems = []
    seen: set[tuple[str, str]] = set()
    for tag in plan.tags:
        key = (tag.station, tag.channel)
        if bool(tag.parameter) == bool(tag.role) and tag.role != ROLE_SETPOINT:
            problems.append(f"{tag.node_id}: needs a parameter or a role, not both")
        elif tag.role and tag.role not in ROLES:
            problems.append(f"{tag.node_id}: unknown role {tag.role!r}")
        elif key not in expected:
            problems.append(f"{tag.node_id}: {tag.station} {tag.channel} is not simulated")
        elif key in seen:
            problems.append(f"{tag.node_id}: second tag for {tag.station} {tag.channel}")
        elif ";s=" not in tag.node_id:
            problems.append(f"{tag.node_id}: not a string node id")
        seen.add(key)
    problems += [f"no tag for {station} {name}" for station, name in sorted(expected - seen)]
    return problems
