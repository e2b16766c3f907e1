"""Specs: versioned limits, validation, and evaluation recording the version it used."""

from datetime import timedelta

import pytest
from django.utils import timezone

from lines.choices import StationKind
from lines.models import Product, Recipe, RouteStep
from mes.errors import InvalidInput, RuleViolation
from quality import services
from quality.models import AuditEntry, Flag, SpecVersion
from tests.factories import add_samples, make_cell, make_spec


def test_a_spec_starts_at_version_1_and_is_audited(plant, quality_engineer):
    spec = make_spec("alignment_mm", StationKind.STACKING, lsl=-0.2, usl=0.2, by=quality_engineer)
    version = spec.versions.get()
    assert (version.version, version.lsl, version.usl, version.created_by) == (
        1,
        -0.2,
        0.2,
        quality_engineer,
    )
    entry = AuditEntry.objects.get(entity="spec_version", entity_id=version.pk)
    assert (entry.action, entry.by, entry.before, entry.after["usl"]) == (
        "created",
        quality_engineer,
        None,
        0.2,
    )


def test_revising_adds_a_version_and_leaves_the_old_one_untouched(plant, quality_engineer):
    spec = make_spec("alignment_mm", StationKind.STACKING, lsl=-0.2, usl=0.2)
    services.spec_revise(
        spec=spec, limits={"lsl": -0.25, "usl": 0.25}, reason="stacker upgrade", by=quality_engineer
    )
    v1, v2 = SpecVersion.objects.filter(spec=spec).order_by("version")
    assert (v1.lsl, v1.usl, v2.lsl, v2.usl, v2.version) == (-0.2, 0.2, -0.25, 0.25, 2)
    entry = AuditEntry.objects.get(entity="spec_version", entity_id=v2.pk)
    assert (entry.action, entry.before["usl"], entry.after["usl"], entry.reason) == (
        "revised",
        0.2,
        0.25,
        "stacker upgrade",
    )


def test_each_value_is_judged_by_the_version_in_force_at_its_source_time(plant):
    spec = make_spec(
        "alignment_mm", StationKind.STACKING, lsl=-0.2, usl=0.2, holds_on_violation=False
    )
    v1 = spec.versions.get()
    SpecVersion.objects.filter(pk=v1.pk).update(valid_from=timezone.now() - timedelta(hours=2))
    v2 = services.spec_revise(spec=spec, limits={"lsl": -0.3, "usl": 0.3}, reason="widened")
    before, after = make_cell(plant, "CELL-OLD"), make_cell(plant, "CELL-NEW")
    stacker = plant.station("stacking")
    old = add_samples(
        stacker, "alignment_mm", [0.25], unit=before, at=timezone.now() - timedelta(hours=1)
    )
    new = add_samples(stacker, "alignment_mm", [0.25], unit=after)

    services.samples_evaluate(samples=old + new)

    flag = Flag.objects.get()
    assert (flag.unit, flag.spec_version, flag.limit, flag.value) == (before, v1, "USL 0.2", 0.25)
    assert v2.valid_from > v1.valid_from


@pytest.mark.parametrize(
    ("limits", "field"),
    [
        ({"lsl": None, "usl": None}, "usl"),
        ({"lsl": 2.0, "usl": 1.0}, "lsl"),
        ({"lsl": "nan", "usl": 2.0}, "lsl"),
        ({"lsl": "thin", "usl": 2.0}, "lsl"),
        ({"usl": 2.0, "lcl": 1.5, "ucl": 1.0}, "lcl"),
    ],
)
def test_bad_limits_are_refused_and_nothing_is_stored(plant, limits, field):
    with pytest.raises(InvalidInput) as refused:
        services.spec_create(
            parameter="p",
            unit_of_measure="-",
            station_kind=StationKind.COATING,
            limits=limits,
            reason="r",
        )
    assert refused.value.field == field
    assert SpecVersion.objects.count() == 0


def test_one_spec_per_scope_and_the_station_must_be_of_that_kind(plant):
    make_spec("sheet_count", StationKind.STACKING, lsl=21, usl=21)
    with pytest.raises(RuleViolation, match="revise it instead"):
        make_spec("sheet_count", StationKind.STACKING, lsl=20, usl=22)
    with pytest.raises(InvalidInput, match="not a coating station"):
        make_spec("sheet_count", StationKind.COATING, lsl=1, station=plant.station("stacking"))


def test_a_station_spec_beats_the_station_kind_spec(plant):
    make_spec("alignment_mm", StationKind.STACKING, lsl=-0.2, usl=0.2, holds_on_violation=False)
    strict = make_spec(
        "alignment_mm",
        StationKind.STACKING,
        lsl=-0.1,
        usl=0.1,
        station=plant.station("stacking"),
        holds_on_violation=False,
    )
    cell = make_cell(plant, "CELL-1")
    services.samples_evaluate(
        samples=add_samples(plant.station("stacking"), "alignment_mm", [0.15], unit=cell)
    )
    assert Flag.objects.get().spec_version.spec == strict


def test_a_route_step_s_recipe_changed_in_place_changes_the_spec_the_next_values_meet(plant):
    """The worker caches which recipe (and so which spec) a route step uses; a step edited in the
    admin kept its id and recipe count, and the cache kept judging by the old recipe."""
    product = Product.objects.get(code="T-CELL")
    tight, wide = (
        Recipe.objects.create(code=code, product=product, station_kind=StationKind.STACKING)
        for code in ("R-TIGHT", "R-WIDE")
    )
    step = RouteStep.objects.get(route__product=product, station_kind=StationKind.STACKING)
    step.recipe = tight
    step.save()
    for recipe, limit in ((tight, 0.1), (wide, 0.5)):
        make_spec(
            "alignment_mm", StationKind.STACKING, lsl=-limit, usl=limit, recipe=recipe,
            holds_on_violation=False,
        )  # fmt: skip
    cell, stacker = make_cell(plant, "CELL-RECIPE"), plant.station("stacking")
    assert services.samples_evaluate(samples=add_samples(stacker, "alignment_mm", [0.3], unit=cell))
    step.recipe = wide  # as the admin's route page saves it
    step.save()
    assert not services.samples_evaluate(
        samples=add_samples(stacker, "alignment_mm", [0.3], unit=cell)
    )
