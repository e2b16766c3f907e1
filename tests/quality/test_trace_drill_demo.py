"""The demo line exercises the trace drill: the graded batch's chain is complete; the
simulator's feed rolls, made without a slurry batch, show up as a break."""

import pytest

from lines.demo import load_demo_line
from lines.models import Unit
from quality.selectors.trace_drill import trace_drill

pytestmark = pytest.mark.django_db


def test_drills_on_the_demo_line():
    load_demo_line()

    graded = trace_drill(unit=Unit.objects.get(identifier="CELL-DEMO-GR-001"))
    assert graded["complete"] is True
    lots = [lot["identifier"] for lot in graded["backward"]["source_lots"]]
    assert "LOT-NMC811-0001" in lots and "LOT-LI30-0001" in lots and len(lots) == 8

    from_lot = trace_drill(unit=Unit.objects.get(identifier="LOT-NMC811-0001"))
    assert from_lot["complete"] is True
    assert from_lot["forward"]["cells"] == 10
    assert {g["status"]: g["count"] for g in from_lot["forward"]["whereabouts"]} == {
        "released": 8,
        "in_process": 2,
    }

    feed = trace_drill(unit=Unit.objects.get(identifier="MR-DEMO-01-A"))
    assert feed["complete"] is False
    assert feed["breaks"] == [
        {
            "unit": "MR-DEMO-01",
            "kind": "roll",
            "problem": "no source recorded: consumes no material lot or unit",
        }
    ]  # the lane itself comes from the mother: only the mother has no source
