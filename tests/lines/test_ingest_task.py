"""The ingest task through the configured Celery: eager in embedded mode, a real worker on Redis
in services mode (MES_REQUIRE_SERVICES=1). Redelivery of the same batch changes nothing."""

from contextlib import nullcontext

import pytest
from django.conf import settings

from lines.models import IngestBatch, Sample, Unit
from lines.tasks import ingest_batch
from tests.factories import make_plant, make_spec
from tests.lines.ingest_helpers import batch, cathode_route, map_tags, sample
from tests.workers import fresh_worker

pytestmark = pytest.mark.django_db(transaction=True)


def _deliver(*payloads: dict) -> list[dict]:
    """Each payload through the task, as the bridge sends it; a real worker in services mode."""
    worker = fresh_worker() if settings.MES_REQUIRE_SERVICES else nullcontext()
    with worker:
        return [ingest_batch.apply_async(args=[p]).get(timeout=60) for p in payloads]


def test_a_batch_goes_through_celery_once_however_often_it_is_delivered():
    plant = make_plant()
    map_tags(plant)
    cathode_route(plant)
    make_spec("areal_loading_mg_cm2", "coating", lsl=24.5, usl=25.5)
    payload = batch(
        [sample("ns=2;s=COAT.RollId", "MR-Q-1", 0), sample("ns=2;s=COAT.ArealLoading", 25.2, 1)]
    )

    first, second = _deliver(payload, payload)

    assert (first["duplicate"], first["samples"], second["duplicate"]) == (False, 2, True)
    assert IngestBatch.objects.count() == 1
    roll = Unit.objects.get(identifier="MR-Q-1")
    assert Sample.objects.get(parameter="areal_loading_mg_cm2").unit == roll


def test_a_malformed_batch_is_refused_with_its_reason_not_retried():
    make_plant()
    (outcome,) = _deliver({"batch_id": "nope"})
    assert outcome == {"refused": "batch_id must be a UUID."}
    assert IngestBatch.objects.count() == 0
