"""Odd values through the ingest task as the bridge delivers them (issue #19): eager in embedded
mode, a real worker on Redis and PostgreSQL in services mode. The batch is stored, its odd
values rejected with their reasons, never refused whole nor raised (a raised batch was acked
and lost by a worker, and spooled and retried forever by an embedded bridge)."""

import math
from contextlib import nullcontext

import pytest
from django.conf import settings

from lines.models import IngestBatch, Sample
from lines.tasks import ingest_batch
from tests.factories import make_spec
from tests.lines.ingest_helpers import batch, cathode_route, map_tags, result, sample
from tests.workers import fresh_worker

pytestmark = pytest.mark.django_db(transaction=True)
COAT, STACK = "ns=2;s=COAT", "ns=2;s=STACK"
LOADING = f"{COAT}.ArealLoading"


def test_a_batch_of_odd_values_is_stored_with_its_rejections_through_the_task(plant):
    map_tags(plant)
    cathode_route(plant)
    make_spec("areal_loading_mg_cm2", "coating", lsl=24.5, usl=25.5)
    odd_time = {**sample(LOADING, 25.0, 2), "source_time": "0001-01-01T00:00:00+01:00"}
    payload = batch(
        [
            sample(f"{COAT}.RollId", "MR-ODD-T", 0),
            sample(LOADING, 25.1, 1),
            odd_time,
            sample(LOADING, 1.7e308, 3),
            sample(LOADING, 10**400, 4),
            sample(LOADING, math.nan, 5),
            sample(LOADING, 25.0, 6, status=2**70),
            sample(LOADING, 25.2, 7),
        ],
        [result(STACK, 8, serial="CELL-ODD-T", result="OK", alignment_mm=math.nan)],
    )

    worker = fresh_worker() if settings.MES_REQUIRE_SERVICES else nullcontext()
    with worker:
        outcome = ingest_batch.apply_async(args=[payload]).get(timeout=60)

    assert "refused" not in outcome, outcome
    assert (outcome["samples"], outcome["rejected"]) == (9, 6)  # 8 values, 1 event measurement
    record = IngestBatch.objects.get(batch_id=payload["batch_id"])
    usable = Sample.objects.filter(batch=record, rejected_reason="")
    assert sorted(usable.values_list("value", flat=True).exclude(value=None)) == [25.1, 25.2]
    reasons = sorted(
        Sample.objects.filter(batch=record)
        .exclude(rejected_reason="")
        .values_list("rejected_reason", flat=True)
    )
    assert [r.split(" ")[0] for r in reasons] == [
        "not", "not", "out", "out", "source_time", "status",
    ]  # fmt: skip
    nan_alignment = Sample.objects.get(batch=record, parameter="alignment_mm")
    assert (nan_alignment.value, nan_alignment.rejected_reason) == (None, "not a finite number")
