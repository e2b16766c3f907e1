"""The spool and the forwarder: every batch stays on disk until the ingest confirms it stored it.

The forwarder's steps are driven by hand here with a hand-moved clock; the real thread, Redis,
workers and crashes are in test_bridge_spool_redis.py and tests/lines/test_broker_crash.py.
"""

import json

from lines.confirm import DUPLICATE, REFUSED, STORED
from opcua_bridge.bridge.delivery import DeliveryError
from opcua_bridge.bridge.forwarder import Forwarder
from opcua_bridge.bridge.spool import Spool
from opcua_bridge.bridge.status import degraded_reason


def batch(n: int, size: int = 1) -> dict:
    return {
        "batch_id": f"b{n}",
        "source": "bridge-test@host",
        "samples": [{"value": n}] * size,
        "events": [],
    }


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class ConfirmingDelivery:
    """A broker that accepts or refuses, and an ingest that answers when the test says so."""

    def __init__(self) -> None:
        self.up = True
        self.delivered: list[str] = []
        self.answers: dict[str, str] = {}
        self.asked: list[set[str]] = []

    def deliver(self, batch: dict) -> None:
        if not self.up:
            raise DeliveryError("broker down")
        self.delivered.append(batch["batch_id"])

    def confirmations(self, sources: set[str]) -> dict[str, str]:
        self.asked.append(sources)
        if not self.up:
            raise DeliveryError("cannot read confirmations: broker down")
        answers, self.answers = self.answers, {}
        return answers


def forwarder(tmp_path, delivery, **options) -> tuple[Forwarder, Clock]:
    clock = Clock()
    settings = {"confirm_timeout_s": 10.0, "confirm_max_s": 40.0, "confirm_poll_s": 0.0}
    return Forwarder(
        delivery=delivery, spool=Spool(tmp_path), clock=clock, **settings | options
    ), clock


def files(tmp_path, folder: str = "") -> list[str]:
    return sorted(p.name.split("-", 1)[1] for p in (tmp_path / folder).glob("*.json"))


# --- the spool --------------------------------------------------------------------------------


def test_a_spooled_batch_stays_on_disk_after_hand_over_until_it_is_confirmed(tmp_path):
    spool = Spool(tmp_path)
    for n in range(3):
        spool.add(batch(n))
    for entry in spool.entries():
        entry.sent_at = 1.0  # handed over: the broker took it

    assert spool.depth == 0
    assert [e.batch_id for e in spool.unconfirmed()] == ["b0", "b1", "b2"]
    assert files(tmp_path) == ["b0.json", "b1.json", "b2.json"]
    spool.confirm("b1")
    assert files(tmp_path) == ["b0.json", "b2.json"]


def test_a_reopened_spool_sends_again_everything_unconfirmed_in_the_order_made(tmp_path):
    spool = Spool(tmp_path)
    for n in range(4):
        spool.add(batch(n))
        spool.entry(f"b{n}").sent_at = 1.0
    spool.confirm("b0")  # the bridge is killed here: b1..b3 were accepted, never confirmed

    reopened = Spool(tmp_path)

    assert [e.batch_id for e in reopened.entries()] == ["b1", "b2", "b3"]
    assert reopened.depth == 3, "after a restart every batch waits to be handed over again"
    assert reopened.load(reopened.entry("b2")) == batch(2)
    reopened.add(batch(9))
    assert [e.batch_id for e in reopened.entries()][-1] == "b9", "new batches queue behind"


def test_a_write_the_bridge_died_in_leaves_no_batch_and_a_damaged_file_is_set_aside(tmp_path):
    spool = Spool(tmp_path)
    spool.add(batch(0))
    spool.add(batch(1))
    (tmp_path / ".tmp-000000000003-b2.json").write_bytes(b'{"batch_id": "b2", "sam')
    (tmp_path / "000000000001-b0.json").write_bytes(b"\x00\x00garbage")

    reopened = Spool(tmp_path)

    assert [e.batch_id for e in reopened.entries()] == ["b1"]
    assert reopened.corrupt_files == 1
    assert (tmp_path / "corrupt" / "000000000001-b0.json").exists()
    assert not list(tmp_path.glob(".tmp-*")), "a half-written temporary file is never a batch"


def test_a_spool_of_the_old_journal_form_is_taken_over_in_order(tmp_path):
    lines = [json.dumps(batch(n)).encode() for n in range(4)]
    (tmp_path / "batches.jsonl").write_bytes(b"\n".join(lines) + b"\n" + b'{"batch_id": "b4"')
    (tmp_path / "delivered.offset").write_text(str(len(lines[0]) + 1))  # b0 was delivered

    spool = Spool(tmp_path)

    assert [e.batch_id for e in spool.entries()] == ["b1", "b2", "b3"]
    assert spool.corrupt_files == 1
    assert b'"b4"' in (tmp_path / "corrupt.jsonl").read_bytes()
    assert not (tmp_path / "batches.jsonl").exists()
    assert [e.batch_id for e in Spool(tmp_path).entries()] == ["b1", "b2", "b3"]


# --- the forwarder ----------------------------------------------------------------------------


def test_a_batch_the_broker_accepted_is_forgotten_only_on_the_ingest_s_confirmation(tmp_path):
    delivery = ConfirmingDelivery()
    fwd, _clock = forwarder(tmp_path, delivery)

    fwd._take_and_send(batch(0))
    fwd._take_and_send(batch(1))

    assert delivery.delivered == ["b0", "b1"]
    assert fwd.stats["unconfirmed"] == 2 and fwd.stats["spool_depth"] == 0
    assert files(tmp_path) == ["b0.json", "b1.json"]
    delivery.answers = {"b0": STORED, "b1": DUPLICATE}
    fwd.step()
    assert files(tmp_path) == []
    assert fwd.stats["unconfirmed"] == 0 and fwd.batches_confirmed == 2
    assert delivery.asked[-1] == {"bridge-test@host"}, "asked for the sources of its batches"


def test_an_unconfirmed_batch_is_sent_again_after_the_timeout_with_backoff(tmp_path):
    delivery = ConfirmingDelivery()
    fwd, clock = forwarder(tmp_path, delivery)
    fwd._take_and_send(batch(0))

    clock.now += 9.9
    fwd.step()
    assert delivery.delivered == ["b0"], "not before the timeout"
    clock.now += 0.1
    fwd.step()
    assert delivery.delivered == ["b0", "b0"]
    clock.now += 10
    fwd.step()
    assert delivery.delivered == ["b0", "b0"], "the second wait is twice as long"
    clock.now += 10
    fwd.step()
    assert delivery.delivered == ["b0", "b0", "b0"]
    for _ in range(5):
        clock.now += 40  # capped at confirm_max_s
        fwd.step()
    assert len(delivery.delivered) == 8
    assert fwd.batches_resent == 7 and fwd.batches_delivered == 1
    delivery.answers = {"b0": DUPLICATE}  # the repeat's no-op answer heals a lost confirmation
    fwd.step()
    assert files(tmp_path) == []


def test_a_batch_overtaken_by_a_confirmed_later_one_is_sent_again_without_the_timeout(tmp_path):
    """A line's queue is first in, first out: a later batch stored and this one not means the
    broker lost it (the pop window of the issue)."""
    delivery = ConfirmingDelivery()
    fwd, clock = forwarder(tmp_path, delivery, overtaken_s=2.0)
    for n in range(3):
        fwd._take_and_send(batch(n))

    delivery.answers = {"b1": STORED}
    fwd.step()
    clock.now += 1.9
    fwd.step()
    assert delivery.delivered == ["b0", "b1", "b2"], "an answer may trail by a little"
    clock.now += 0.1
    fwd.step()
    assert delivery.delivered == ["b0", "b1", "b2", "b0"], "b2 was not overtaken"
    delivery.answers = {"b2": STORED}
    fwd.step()
    clock.now += 5
    fwd.step()
    assert delivery.delivered == ["b0", "b1", "b2", "b0"], "b2 was handed over before b0's repeat"


def test_batches_waiting_in_a_queue_the_ingest_works_through_are_not_sent_twice(tmp_path):
    delivery = ConfirmingDelivery()
    fwd, clock = forwarder(tmp_path, delivery, overtaken_s=2.0)
    for n in range(4):
        fwd._take_and_send(batch(n))

    for n in range(2):  # the ingest confirms one every 9 s: slow, but in order
        clock.now += 9
        delivery.answers = {f"b{n}": STORED}
        fwd.step()
    clock.now += 9.9
    fwd.step()
    assert delivery.delivered == ["b0", "b1", "b2", "b3"], "18 s after hand-over, not re-sent"
    clock.now += 0.1  # 10 s without any answer: the ingest (or the queue) is gone
    fwd.step()
    assert delivery.delivered == ["b0", "b1", "b2", "b3", "b2", "b3"]


def test_while_the_broker_refuses_batches_wait_and_go_in_order_when_it_is_back(tmp_path):
    delivery = ConfirmingDelivery()
    errors: list[str] = []
    fwd, clock = forwarder(tmp_path, delivery, on_error=errors.append, redeliver_s=1.0)

    fwd._take_and_send(batch(0))
    delivery.up = False
    fwd._take_and_send(batch(1))
    fwd._take_and_send(batch(2))
    assert fwd.stats["spool_depth"] == 2 and fwd.batches_spooled == 2
    delivery.up = True
    fwd._take_and_send(batch(3))  # within redeliver_s of the failure: waits behind the others
    assert delivery.delivered == ["b0"]
    clock.now += 1.0
    fwd.step()

    assert delivery.delivered == ["b0", "b1", "b2", "b3"]
    assert fwd.stats["spool_depth"] == 0 and fwd.stats["unconfirmed"] == 4
    assert "delivery failed: broker down" in errors


def test_past_the_bound_new_batches_wait_on_disk_and_the_status_says_so(tmp_path):
    delivery = ConfirmingDelivery()
    fwd, _clock = forwarder(tmp_path, delivery, max_unconfirmed=2)

    for n in range(5):
        fwd._take_and_send(batch(n))

    assert delivery.delivered == ["b0", "b1"]
    assert files(tmp_path) == [f"b{n}.json" for n in range(5)], "nothing dropped"
    assert fwd.stats["bound_reached"] and fwd.stats["spool_depth"] == 3
    status = fwd.stats | {"unconfirmed": 2}
    assert "bound reached, 3 batches wait in the spool" in degraded_reason(status)
    delivery.answers = {"b0": STORED}
    fwd.step()
    assert delivery.delivered == ["b0", "b1", "b2"]
    delivery.answers = {"b1": STORED, "b2": STORED}
    fwd.step()
    assert delivery.delivered == ["b0", "b1", "b2", "b3", "b4"]
    assert not fwd.stats["bound_reached"] and degraded_reason(fwd.stats) == ""


def test_the_bound_in_megabytes_holds_batches_back_too(tmp_path):
    delivery = ConfirmingDelivery()
    fwd, _clock = forwarder(tmp_path, delivery, max_unconfirmed=100, max_unconfirmed_mb=0.1)

    for n in range(3):
        fwd._take_and_send(batch(n, size=5000))  # ~65 KB each

    assert delivery.delivered == ["b0", "b1"]
    assert fwd.stats["bound_reached"]


def test_a_refused_batch_is_kept_aside_and_never_sent_again(tmp_path):
    delivery = ConfirmingDelivery()
    errors: list[str] = []
    fwd, clock = forwarder(tmp_path, delivery, on_error=errors.append)
    fwd._take_and_send(batch(0))

    delivery.answers = {"b0": REFUSED}
    fwd.step()
    clock.now += 100
    fwd.step()

    assert delivery.delivered == ["b0"]
    assert files(tmp_path) == [] and files(tmp_path, "refused") == ["b0.json"]
    assert fwd.batches_refused == 1 and errors == ["the ingest refused batch b0"]


def test_on_restart_batches_stored_meanwhile_are_forgotten_without_being_sent(tmp_path):
    first = ConfirmingDelivery()
    fwd, _clock = forwarder(tmp_path, first)
    for n in range(3):
        fwd._take_and_send(batch(n))
    # killed here; the ingest stores b0 and b1 while the bridge is away
    delivery = ConfirmingDelivery()
    delivery.answers = {"b0": STORED, "b1": STORED}
    restarted, _clock = forwarder(tmp_path, delivery)

    restarted._poll(force=True)  # what run() does first
    restarted.step()

    assert delivery.delivered == ["b2"]


def test_stopping_keeps_what_was_not_confirmed_for_the_next_start(tmp_path):
    delivery = ConfirmingDelivery()
    delivery.up = False
    fwd = Forwarder(delivery=delivery, spool=Spool(tmp_path), redeliver_s=0.05)
    fwd.start()
    for n in range(3):
        fwd.submit(batch(n))

    fwd.stop()

    assert [e.batch_id for e in Spool(tmp_path).entries()] == ["b0", "b1", "b2"]


def test_a_delivery_without_confirmations_is_trusted_on_hand_over(tmp_path):
    class Recording:
        def __init__(self) -> None:
            self.batches: list[str] = []

        def deliver(self, batch: dict) -> None:
            self.batches.append(batch["batch_id"])

    delivery = Recording()
    fwd = Forwarder(delivery=delivery, spool=Spool(tmp_path))

    fwd._take_and_send(batch(0))

    assert delivery.batches == ["b0"] and files(tmp_path) == []


def test_a_stop_hands_over_for_its_budget_only_and_the_rest_waits_in_the_spool(tmp_path):
    """With the ingest in the bridge's process each hand-over is a whole ingest: a backlog at
    stop kept the bridge stopping past 30 s. Now the stop hands over for finish_budget_s; what
    is left stays on disk and the next start sends it, in order."""

    class SlowIngest:
        def __init__(self, clock: Clock) -> None:
            self.clock, self.batches = clock, []

        def deliver(self, batch: dict) -> None:
            self.clock.now += 3.0  # each ingest takes 3 s
            self.batches.append(batch["batch_id"])

    first, clock = forwarder(tmp_path, None, finish_budget_s=10.0)
    first.delivery = slow = SlowIngest(clock)
    for n in range(10):
        first.submit(batch(n))

    first._finish()  # what stop() runs in the forwarder's thread

    assert slow.batches == ["b0", "b1", "b2", "b3"]  # handed over at 0, 3, 6 and 9 s
    assert [e.batch_id for e in Spool(tmp_path).entries()] == [f"b{n}" for n in range(4, 10)]
    again, clock = forwarder(tmp_path, None)
    again.delivery = later = SlowIngest(clock)
    again.step()
    assert later.batches == [f"b{n}" for n in range(4, 10)]
