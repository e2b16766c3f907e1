"""Migration quality 0005 on a database the race already hurt: it stops and names the duplicate
decisions and holds, instead of failing on an anonymous IntegrityError; once a person has
resolved them it applies."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.factories import make_cell

# Migrating changes tables: the owner does it, as in production (tests/conftest.py, db_owner).
pytestmark = [pytest.mark.db_owner, pytest.mark.django_db(transaction=True)]

BEFORE = [("quality", "0004_exposure_and_pressure_profiles")]
WITH = [("quality", "0005_one_disposition_per_decision")]


def migrate(targets):  # noqa: ANN001, ANN201
    """Migrate to targets; the models as they were there (later migrations, such as the sealed
    audit of 0006, change tables the services write, so rows are made with these)."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def before_0005():
    apps = migrate(BEFORE)
    try:
        yield apps
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def _decision(apps, user, when, **subject):  # noqa: ANN001, ANN003, ANN202
    """A signed decision as the services before 0005 wrote it (no seal: 0006 came later)."""
    signature = apps.get_model("quality", "Signature").objects.create(
        signer_id=user.pk,
        signed_at=when,
        meaning="disposition: use_as_is",
        reason="ok",
        record_type="flag",
        record_id=0,
        content="{}",
        content_hash="0" * 64,
    )
    return apps.get_model("quality", "Disposition").objects.create(
        decision="use_as_is", reason="ok", signature=signature, decided_at=when, **subject
    )


def test_duplicates_stop_the_migration_by_name_until_resolved(before_0005, plant, quality_engineer):
    apps, now = before_0005, timezone.now()
    hold_model = apps.get_model("quality", "Hold")
    flag = apps.get_model("quality", "Flag").objects.create(
        kind="out_of_spec",
        station_id=plant.station("sealing").pk,
        parameter="seal_temperature_c",
        unit_id=make_cell(plant, "C-1").pk,
        value=201.0,
        limit="USL 195",
        raised_at=now,
        state="dispositioned",
    )
    _decision(apps, quality_engineer, now, flag_id=flag.pk)
    twice = _decision(apps, quality_engineer, now, flag_id=flag.pk)
    cell = make_cell(plant, "C-2")
    holds = [hold_model.objects.create(unit_id=cell.pk, reason="dent", placed_at=now) for _ in "ab"]
    hold_model.objects.filter(pk=holds[1].pk).update(state="released")

    with pytest.raises(RuntimeError) as stopped:
        migrate(WITH)

    assert str(stopped.value).splitlines()[1:] == [
        f"flag {flag.pk}: 2 dispositions",
        f"hold {holds[1].pk}: state and released_at disagree",
    ]
    hold_model.objects.filter(pk=holds[1].pk).update(released_at=timezone.now())
    hold_model.objects.create(unit_id=cell.pk, reason="dent", placed_at=timezone.now())
    with pytest.raises(RuntimeError, match=r"active holds on .*'reason': 'dent'.*: 2"):
        migrate(WITH)
    apps.get_model("quality", "Disposition").objects.filter(pk=twice.pk).delete()
    hold_model.objects.filter(pk=holds[0].pk).update(state="released", released_at=timezone.now())
    migrate(WITH)  # resolved: it applies
