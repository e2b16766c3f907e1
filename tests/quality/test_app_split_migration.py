"""Migration quality 0008 (with finishing 0001 and conditions 0001) on a database with data: the
grading, passport, exposure and pressure rows written while quality owned them are read through
the finishing and conditions models afterwards, unchanged; a permission a group held on a moved
model still works under the new app label. No row is copied: the tables stay where they were."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import ContentType, Group, Permission
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.factories import make_cell, make_user, receive

# Migrating changes tables: the owner does it, as in production (tests/conftest.py, db_owner).
pytestmark = [pytest.mark.db_owner, pytest.mark.django_db(transaction=True)]

BEFORE = [
    ("quality", "0007_holdmember_without_redundant_indexes"),
    ("finishing", None),
    ("conditions", None),
]


def migrate(targets):  # noqa: ANN001, ANN201
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    ContentType.objects.clear_cache()
    # The state of the named migrations; an app migrated to zero (None) has none to name.
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


def leaves():  # noqa: ANN201
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def before_split():
    apps = migrate(BEFORE)
    try:
        yield apps
    finally:
        migrate(leaves())


def _old_rows(apps, plant, engineer):  # noqa: ANN001, ANN202
    """One row of every moved model, written through quality's models as they were at 0007."""
    now = timezone.now()
    old = lambda name: apps.get_model("quality", name).objects  # noqa: E731
    cell = make_cell(plant, "C-OLD-1")
    scheme = old("GradingScheme").create(
        code="EOL-A", product_id=plant.cell_product.pk, grades=[{"name": "A"}], created_at=now
    )
    old("CellGrade").create(
        unit_id=cell.pk,
        scheme=scheme,
        batch="B-1",
        grade="A",
        graded_at=now,
        graded_by_id=engineer.pk,
    )
    old("PassportProfile").create(product_id=plant.cell_product.pk, chemistry="NMC811")
    zone = old("DryZone").create(
        code="DR-1", name="Dry room", station_id=plant.station("stacking").pk
    )
    budget = old("ExposureBudget").create(material_id=plant.nmc.pk, budget_weighted_min=20.0)
    lot = receive(plant, "LOT-OLD-1")
    hold = old("Hold").create(unit_id=lot.pk, reason="budget spent", placed_at=now)
    account = old("LotExposure").create(
        unit_id=lot.pk, budget=budget, zone=zone, form="powder", hold=hold, started_at=now
    )
    old("ExposurePeriod").create(
        exposure=account,
        zone=zone,
        form="powder",
        form_weight=1.0,
        opened_at=now,
        accrued_until=now,
    )
    old("ExposureEvent").create(
        exposure=account,
        at=now,
        action="opened",
        form="powder",
        total_weighted_min=0.0,
        by_id=engineer.pk,
    )
    # Written as a row, not through operation_start: today's gate check reads today's quality
    # tables (flag columns added after 0008), which this older schema does not have yet.
    operation = apps.get_model("lines", "Operation").objects.create(
        unit_id=cell.pk,
        station_id=plant.station("stacking").pk,
        step_id=plant.step("stacking").pk,
        started_at=now,
    )
    old("PressureProfile").create(
        operation_id=operation.pk,
        unit_id=cell.pk,
        station_id=operation.station_id,
        started_at=now - timedelta(minutes=30),
        ended_at=now,
        readings=1800,
        computed_at=now,
    )
    return cell, lot


def test_rows_written_under_quality_are_read_through_the_new_apps(before_split, plant):
    engineer = make_user("quinn.migration")
    viewer = Group.objects.create(name="grade viewers")
    viewer.permissions.add(
        Permission.objects.get(content_type__app_label="quality", codename="view_cellgrade")
    )
    engineer.groups.add(viewer)
    cell, lot = _old_rows(before_split, plant, engineer)

    migrate(leaves())

    from conditions.models import (
        DryZone,
        ExposureBudget,
        ExposureEvent,
        ExposurePeriod,
        LotExposure,
        PressureProfile,
    )
    from finishing.models import CellGrade, GradingScheme, PassportProfile

    grade = CellGrade.objects.select_related("scheme", "unit").get()
    assert (grade.unit, grade.scheme.code, grade.grade, grade.graded_by_id) == (
        cell,
        "EOL-A",
        "A",
        engineer.pk,
    )
    assert GradingScheme.objects.get().grades == [{"name": "A"}]
    assert PassportProfile.objects.get(product=plant.cell_product).chemistry == "NMC811"
    account = LotExposure.objects.select_related("budget", "zone", "hold").get()
    assert (account.unit, account.zone.code, account.hold.reason) == (lot, "DR-1", "budget spent")
    assert account.budget == ExposureBudget.objects.get(material=plant.nmc)
    assert [p.zone for p in ExposurePeriod.objects.filter(exposure=account)] == [
        DryZone.objects.get()
    ]
    assert ExposureEvent.objects.get().by == engineer
    assert PressureProfile.objects.get(unit=cell).readings == 1800
    # The permission the group held moved with its content type: same row, new app label.
    engineer = type(engineer).objects.get(pk=engineer.pk)  # no cached permissions
    assert engineer.has_perm("finishing.view_cellgrade")
    assert not ContentType.objects.filter(app_label="quality", model="cellgrade").exists()


def test_the_split_migrates_back_with_its_rows(before_split, plant):
    migrate(leaves())
    from finishing.models import GradingScheme

    GradingScheme.objects.create(code="EOL-B", created_at=timezone.now())

    apps = migrate(BEFORE)

    assert apps.get_model("quality", "GradingScheme").objects.get().code == "EOL-B"
    assert ContentType.objects.filter(app_label="quality", model="gradingscheme").exists()
