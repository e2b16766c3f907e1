"""The ingest tells the bridge what became of each batch, after its transaction commits: stored,
duplicate (already stored: a re-send, which heals a lost confirmation) or refused. In embedded
mode the answer stays in the process; in services mode a real worker writes it to Redis."""

import uuid
from contextlib import nullcontext

import pytest
from django.conf import settings

from lines.confirm import confirmation_key, confirmations_take, redis_client
from lines.models import IngestBatch
from lines.tasks import ingest_batch
from tests.factories import make_plant
from tests.lines.ingest_helpers import batch, map_tags, sample
from tests.workers import fresh_worker

pytestmark = pytest.mark.django_db(transaction=True)


def _broker_url() -> str | None:
    return settings.REDIS_URL if settings.MES_REQUIRE_SERVICES else None


def _deliver(*payloads: dict) -> list[dict]:
    worker = fresh_worker() if settings.MES_REQUIRE_SERVICES else nullcontext()
    with worker:
        return [ingest_batch.apply_async(args=[p]).get(timeout=60) for p in payloads]


def _from_bridge(payload: dict) -> tuple[dict, str]:
    source = f"bridge-confirm-{uuid.uuid4().hex[:8]}@test"
    return payload | {"source": source}, source


def test_a_stored_batch_is_confirmed_and_its_repeat_confirmed_again():
    map_tags(make_plant())
    payload, source = _from_bridge(batch([sample("ns=2;s=COAT.ArealLoading", 25.0, 1)]))

    _deliver(payload)
    first = confirmations_take(sources={source}, broker_url=_broker_url())
    _deliver(payload)  # the bridge re-sends: its first confirmation was lost
    second = confirmations_take(sources={source}, broker_url=_broker_url())

    assert first == {payload["batch_id"]: "stored"}
    assert second == {payload["batch_id"]: "duplicate"}
    assert confirmations_take(sources={source}, broker_url=_broker_url()) == {}, "taken once"
    assert IngestBatch.objects.count() == 1


def test_a_refused_batch_is_answered_refused():
    payload, source = _from_bridge(batch())
    payload["samples"] = "not a list"

    (report,) = _deliver(payload)

    assert "refused" in report
    assert confirmations_take(sources={source}, broker_url=_broker_url()) == {
        payload["batch_id"]: "refused"
    }


@pytest.mark.django_db(transaction=False)
def test_the_confirmation_waits_for_the_commit(django_capture_on_commit_callbacks):
    """Inside an outer transaction (a test's, here) the batch is not stored yet: no answer."""
    map_tags(make_plant())
    payload, source = _from_bridge(batch([sample("ns=2;s=COAT.ArealLoading", 25.0, 1)]))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ingest_batch.apply(args=[payload])
    before = confirmations_take(sources={source}, broker_url=None)
    for callback in callbacks:
        callback()

    assert before == {}
    assert confirmations_take(sources={source}, broker_url=None) == {payload["batch_id"]: "stored"}


@pytest.mark.services
def test_a_confirmation_in_redis_expires_if_no_bridge_takes_it():
    from lines.confirm import KEY_TTL_S, batch_confirm

    source = f"bridge-gone-{uuid.uuid4().hex[:8]}@test"
    assert batch_confirm(
        batch_id="b1", source=source, outcome="stored", broker_url=settings.REDIS_URL
    )

    ttl = redis_client(settings.REDIS_URL).ttl(confirmation_key(source))

    assert KEY_TTL_S - 60 < ttl <= KEY_TTL_S
    assert confirmations_take(sources={source}, broker_url=settings.REDIS_URL) == {"b1": "stored"}


def test_a_broker_that_is_away_leaves_the_batch_to_the_bridge_s_resend():
    from lines.confirm import batch_confirm
    from tests.opcua_bridge.servers import free_port

    dead = f"redis://127.0.0.1:{free_port()}/0"

    assert batch_confirm(batch_id="b1", source="s", outcome="stored", broker_url=dead) is False
