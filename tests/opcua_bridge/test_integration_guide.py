"""docs/integration-guide.md names the demo line's nodes and stations: they must be the ones the
seed maps and the simulator serves, or a PLC programmer following the guide maps nothing."""

import re
from pathlib import Path

from opcua_bridge.simulator import load_plan
from opcua_bridge.simulator.catalog import INTERLOCKED, MACHINES

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "integration-guide.md"
# The simulator's PLC nodes that are no tag (opcua_bridge/simulator/address_space.py).
UNMAPPED = {f"ns=2;s={s}.{name}" for s in INTERLOCKED for name in ("RejectCount", "MesLink")}


def test_every_simulator_node_id_in_the_guide_is_in_the_demo_tag_map():
    text = GUIDE.read_text(encoding="utf-8")
    named = set(re.findall(r"ns=2;s=[A-Za-z0-9.\-]+[A-Za-z0-9]", text))
    assert len(named) >= 20  # the closed-loop table is there
    mapped = {tag.node_id for tag in load_plan().tags}
    assert named - mapped - UNMAPPED == set()


def test_the_guides_demo_table_names_the_tag_maps_roles_and_stations():
    text = GUIDE.read_text(encoding="utf-8")
    rows = re.findall(r"^\| `([A-Z]+-\d+)` \| `(ns=2;s=[^`]+)` \| (\w+) \| `(\w+)` \|$", text, re.M)
    assert rows
    by_node = {tag.node_id: tag for tag in load_plan().tags}
    stations = {machine.station for machine in MACHINES}
    for station, node_id, _type, role in rows:
        assert station in stations
        tag = by_node[node_id]
        assert (tag.station, tag.role) == (station, role), node_id
