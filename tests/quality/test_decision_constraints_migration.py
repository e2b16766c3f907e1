"""Migration quality 0005 on a database the race already hurt: it stops and names the duplicate
decisions and holds, instead of failing on an anonymous IntegrityError; once a person has
resolved them it applies."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from quality import services
from quality.models import Disposition, Hold
from tests.factories import PASSWORD, make_cell
from tests.quality.test_api_dispositions import flag_on
from tests.quality.test_decision_constraints import second_disposition

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("quality", "0004_exposure_and_pressure_profiles")]
WITH = [("quality", "0005_one_disposition_per_decision")]


def migrate(targets) -> None:  # noqa: ANN001
    executor = MigrationExecutor(connection)
    executor.migrate(targets)


@pytest.fixture
def before_0005():
    migrate(BEFORE)
    try:
        yield
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_duplicates_stop_the_migration_by_name_until_resolved(before_0005, plant, quality_engineer):
    flag = flag_on(plant, "C-1")
    services.disposition_decide(
        flag=flag, decision="use_as_is", reason="ok", password=PASSWORD, by=quality_engineer
    )
    twice = second_disposition(quality_engineer, flag=flag)
    cell = make_cell(plant, "C-2")
    holds = [Hold.objects.create(unit=cell, reason="dent", placed_at=timezone.now()) for _ in "ab"]
    Hold.objects.filter(pk=holds[1].pk).update(state="released")

    with pytest.raises(RuntimeError) as stopped:
        migrate(WITH)

    assert str(stopped.value).splitlines()[1:] == [
        f"flag {flag.pk}: 2 dispositions",
        f"hold {holds[1].pk}: state and released_at disagree",
    ]
    Hold.objects.filter(pk=holds[1].pk).update(released_at=timezone.now())
    Hold.objects.create(unit=cell, reason="dent", placed_at=timezone.now())
    with pytest.raises(RuntimeError, match=r"active holds on .*'reason': 'dent'.*: 2"):
        migrate(WITH)
    Disposition.objects.filter(pk=twice.pk).delete()
    Hold.objects.filter(pk=holds[0].pk).update(state="released", released_at=timezone.now())
    migrate(WITH)  # resolved: it applies
