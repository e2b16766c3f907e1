"""Impact preview: what a hold on a lot would reach, before anyone places it."""

from lines import services as lines_services
from lines.models import Unit
from quality.selectors.holds import hold_impact
from tests.factories import build_cathode_chain


def test_the_preview_counts_what_a_hold_would_reach_and_changes_nothing(plant):
    lot, _slurry, _mother, lanes, cells = build_cathode_chain(plant, cells_per_lane=2)
    lines_services.operation_start(unit=cells[0], station=plant.station("stacking"))
    statuses = list(Unit.objects.order_by("id").values_list("status", flat=True))

    impact = hold_impact(unit=lot)

    assert impact["by_kind"] == {"material_lot": 1, "slurry_batch": 1, "roll": 3, "cell": 4}
    assert impact["would_stop"] == 1 + 2 + 4  # lot, lanes, cells; slurry and mother are consumed
    assert impact["cells"] == [
        {"status": "created", "station": None, "count": 3},
        {"status": "in_process", "station": "T-STACKING", "count": 1},
    ]
    assert list(Unit.objects.order_by("id").values_list("status", flat=True)) == statuses
