"""Setting exposure budgets and dry-room zones: validated, audited, refusals change nothing."""

import pytest

from conditions.models import DryZone, ExposureBudget
from conditions.services.exposure import dry_zone_create, exposure_budget_set
from mes.errors import InvalidInput, RuleViolation
from quality.models import AuditEntry
from tests.conditions.exposure_helpers import sulfide_powder


def test_changing_a_budget_keeps_unnamed_weights_and_audits_before_and_after(
    plant, quality_engineer
):
    material = sulfide_powder(plant)  # 20 weighted min, slurry weight 0.05
    budget = exposure_budget_set(
        material=material,
        budget_weighted_min=15.0,
        weights={"powder": 1.2},
        reason="conductivity loss seen at 25 min on lot AMP-2404",
        by=quality_engineer,
    )
    assert (budget.budget_weighted_min, budget.powder_weight, budget.slurry_weight) == (
        15.0,
        1.2,
        0.05,
    )
    assert ExposureBudget.objects.count() == 1
    change = AuditEntry.objects.get(entity="exposure_budget", action="changed")
    assert (change.before["budget_weighted_min"], change.after["budget_weighted_min"]) == (
        20.0,
        15.0,
    )
    assert change.by == quality_engineer and "25 min" in change.reason


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"budget_weighted_min": 0}, "budget_weighted_min"),
        ({"budget_weighted_min": float("nan")}, "budget_weighted_min"),
        ({"weights": {"gel": 1.0}}, "weights"),
        ({"weights": {"powder": -1.0}}, "weights.powder"),
        ({"reason": " "}, "reason"),
    ],
)
def test_a_bad_budget_is_refused_naming_the_field(plant, kwargs, field):
    material = sulfide_powder(plant)
    before = list(ExposureBudget.objects.values())
    arguments = {"material": material, "budget_weighted_min": 10.0, "reason": "why"} | kwargs
    with pytest.raises(InvalidInput) as refused:
        exposure_budget_set(**arguments)
    assert refused.value.field == field
    assert list(ExposureBudget.objects.values()) == before


def test_a_zone_needs_a_dry_room_monitor_and_a_new_code(plant):
    with pytest.raises(InvalidInput, match="not a dry-room monitor"):
        dry_zone_create(code="DR-X", name="x", station=plant.station("coating"))
    dry_zone_create(code="DR-1", name="Dry room 1", station=plant.station("dry_room"))
    with pytest.raises(RuleViolation, match="already exists"):
        dry_zone_create(code="DR-1", name="again", station=plant.station("dry_room"))
    assert list(DryZone.objects.values_list("code", "h2s_alarm_ppm")) == [("DR-1", 10.0)]
    assert AuditEntry.objects.filter(entity="dry_zone", action="created").count() == 1
