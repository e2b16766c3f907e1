"""The bridge's connection-gap bookkeeping, pure: when a gap opens and closes, what a restart
after a kill makes of the previous run's status, and how gaps ride in batches and the spool."""

from datetime import UTC, datetime, timedelta

from opcua_bridge.bridge.batcher import Batcher
from opcua_bridge.bridge.gaps import GapLog, last_sign_of_life
from opcua_bridge.bridge.spool import Spool

T = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
ENDPOINT = "opc.tcp://plc:4840/"


def s(seconds: float) -> datetime:
    return T + timedelta(seconds=seconds)


def test_a_loss_opens_a_gap_once_and_the_next_subscription_closes_it():
    log = GapLog(ENDPOINT)
    assert log.subscribed(s(0), ("A",)) is None  # the first connection: nothing was lost

    opened = log.lost(s(10), ("A", "B"))
    assert opened == {
        "start": "2026-12-03T08:00:10.000000Z",
        "end": None,
        "endpoint": ENDPOINT,
        "stations": ["A", "B"],
    }
    assert log.lost(s(20), ("A",)) is None  # failed reconnects do not move the outage's start
    closed = log.subscribed(s(30), ("A", "C"))
    assert closed is not None
    assert (closed["start"], closed["end"]) == (opened["start"], "2026-12-03T08:00:30.000000Z")
    assert closed["stations"] == ["A", "B"]  # what went unread: what was read before the loss
    assert log.open_since is None and log.reported == 2
    assert log.subscribed(s(40), ("A",)) is None


def test_a_clock_that_went_back_closes_the_gap_with_no_length_not_a_negative_one():
    log = GapLog(ENDPOINT)
    log.lost(s(10), ())
    closed = log.subscribed(s(5), ())
    assert closed is not None and closed["end"] == closed["start"]


def test_a_restart_after_a_kill_opens_the_gap_at_the_previous_runs_last_status():
    previous = {
        "state": "connected",
        "updated_at": "2026-12-03T08:00:07.500000Z",
        "reading_stations": ["A", "B"],
    }
    log = GapLog(ENDPOINT)
    log.resume(previous)
    assert log.open_since == s(7.5)
    # the stations the killed run read, not those this run's tag map would name
    assert log.open_entry(("A", "B", "C")) == {
        "start": "2026-12-03T08:00:07.500000Z",
        "end": None,
        "endpoint": ENDPOINT,
        "stations": ["A", "B"],
    }
    closed = log.subscribed(s(60), ("A",))
    assert closed is not None and (closed["start"], closed["end"]) == (
        "2026-12-03T08:00:07.500000Z",
        "2026-12-03T08:01:00.000000Z",
    )


def test_a_run_killed_during_an_outage_hands_the_same_gap_on_not_a_second_one():
    previous = {"gap_open_since": "2026-12-03T08:00:02Z", "updated_at": "2026-12-03T08:05:00Z"}
    log = GapLog(ENDPOINT)
    log.resume(previous)
    assert log.open_entry(("A",)) is not None  # a status of before reading_stations: the map's
    closed = log.subscribed(s(600), ("B",))
    assert closed is not None and closed["start"] == "2026-12-03T08:00:02.000000Z"
    assert closed["stations"] == ["A"]


def test_no_previous_run_or_an_unreadable_status_opens_nothing():
    for previous in (None, {}, {"updated_at": None}, {"updated_at": "yesterday"}):
        log = GapLog(ENDPOINT)
        log.resume(previous)
        assert log.open_since is None and log.open_entry(()) is None, previous
    assert last_sign_of_life({"updated_at": "2026-12-03T08:00:00"}) is None  # no zone: no time


def test_a_gap_rides_in_the_next_batch_and_a_batch_without_one_has_no_gaps_key():
    clock = [0.0]
    batcher = Batcher(source="b", max_items=100, max_age_s=1.0, monotonic=lambda: clock[0])
    batcher.add_sample(
        {"node_id": "n", "value": 1.0, "source_time": None, "server_time": None, "status": 0}
    )
    plain = batcher.flush()
    assert plain is not None and "gaps" not in plain

    gap = GapLog(ENDPOINT).lost(s(1), ("A",))
    assert gap is not None
    assert batcher.add_gap(gap) is None
    assert not batcher.due()
    clock[0] = 1.0
    assert batcher.due()  # a gap alone makes a batch: the MES hears of the outage at once
    only_gap = batcher.flush()
    assert only_gap is not None and only_gap["gaps"] == [gap]
    assert only_gap["columns"]["node_id"] == [] and only_gap["events"] == []
    assert batcher.flush() is None


def test_the_spool_keeps_a_batchs_gaps_across_a_restart(tmp_path):
    batcher = Batcher(source="b", max_items=100, max_age_s=1.0)
    gap = GapLog(ENDPOINT).lost(s(1), ("A",))
    assert gap is not None
    batcher.add_gap(gap)
    batch = batcher.flush()
    assert batch is not None
    Spool(tmp_path).add(batch)

    reopened = Spool(tmp_path)  # the bridge was killed and starts again
    (entry,) = reopened.entries()
    loaded = reopened.load(entry)
    assert loaded is not None and loaded["gaps"] == [gap]
