"""Rows an older ingest stored with a time PostgreSQL keeps and Python cannot read (1 BC, from
"0001-01-01T00:00:00+01:00") are repaired by migration 0011: rejected with the time that
arrived in the reason, stamped with their batch's arrival, and every reader answers again."""

import importlib
from datetime import UTC, datetime

import pytest
from django.db import connection

from lines.models import IngestBatch, Sample
from tests.factories import add_samples

pytestmark = pytest.mark.services  # PostgreSQL only: SQLite never stored such a time
REPAIR = importlib.import_module("lines.migrations.0011_samples_unreadable_times")
T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
ARRIVED = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _stored_by_the_old_ingest(plant) -> tuple[Sample, Sample]:
    batch = IngestBatch.objects.create(
        batch_id="6f0c2a4e-1d3b-4c5a-9e8f-7a6b5c4d3e20", source="bridge@old", received_at=ARRIVED
    )
    odd, good = add_samples(plant.station("coating"), "areal_loading_mg_cm2", [25.0, 25.1], at=T0)
    Sample.objects.filter(pk__in=[odd.pk, good.pk]).update(batch=batch)
    with connection.cursor() as cursor:  # what psycopg wrote for the old ingest
        cursor.execute(
            "UPDATE lines_sample SET source_time = '0001-01-01 00:00:00+01' WHERE id = %s",
            [odd.pk],
        )
    return odd, good


def test_the_repair_makes_the_row_a_rejected_sample_and_the_samples_api_answers(
    plant, api, operator
):
    odd, good = _stored_by_the_old_ingest(plant)
    api.force_authenticate(operator)
    with pytest.raises(Exception, match="year"):  # psycopg: "timestamp too small (before year 1)"
        list(Sample.objects.filter(pk=odd.pk))

    REPAIR.repair(None, connection.schema_editor())

    listed = api.get("/api/v1/samples/")
    assert listed.status_code == 200
    repaired, kept = Sample.objects.get(pk=odd.pk), Sample.objects.get(pk=good.pk)
    assert (repaired.source_time, repaired.server_time, repaired.value) == (ARRIVED, ARRIVED, 25.0)
    assert "BC" in repaired.rejected_reason and "1970" in repaired.rejected_reason
    assert (kept.source_time, kept.rejected_reason) == (T0, "")
    assert [row["id"] for row in listed.json()["results"]] == [odd.pk, good.pk]
