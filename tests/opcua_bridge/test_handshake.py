"""The four-phase handshake: the real bridge against a real asyncua "PLC" with typed nodes, and
the MES decisions in the real database (committed: the bridge decides in its own threads)."""

import logging
import threading
import time

import pytest

from lines.models import Interlock, Operation, Sample, Unit
from opcua_bridge.bridge.decisions import LinesDecider
from quality import services as quality_services
from tests.factories import make_cell, make_plant
from tests.opcua_bridge.loop_helpers import PlcSide, map_station, station_plc
from tests.opcua_bridge.servers import BridgeRunner, RecordingDelivery, bridge_config, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def quiet_asyncua_server():
    logging.getLogger("asyncua.server").setLevel(logging.ERROR)


@pytest.fixture
def plant():
    plant = make_plant()
    map_station(plant.station("stacking"))
    return plant


@pytest.fixture(scope="module")
def module_plc():
    server = station_plc()
    yield server
    server.close()


@pytest.fixture
def plc(module_plc):
    module_plc.reset()
    return module_plc


@pytest.fixture
def run_bridge(tmp_path):
    runners = []

    def start(endpoint, decider=None, **overrides):
        config = bridge_config(endpoint, tmp_path, handshake_poll_s=0.5, **overrides)
        runner = BridgeRunner(config, RecordingDelivery(), decider=decider).start()
        runners.append(runner)
        return runner

    yield start
    for runner in runners:
        if runner._future is not None:
            runner.stop()


def settled(handshakes: int):
    return lambda: Interlock.objects.exclude(state="decided").count() == handshakes


def test_checkin_answers_1_and_starts_then_refuses_a_held_cell_with_2(plant, plc, run_bridge):
    make_cell(plant, "C-1")
    held = make_cell(plant, "C-2")
    quality_services.hold_place(unit=held, reason="suspect foil")
    bridge = run_bridge(plc.endpoint)
    station = PlcSide(plc)
    assert station.handshake("C-1") == 1
    assert Operation.objects.get(unit__identifier="C-1").station.code == "T-STACKING"
    assert station.handshake("C-2") == 2
    assert not Operation.objects.filter(unit__identifier="C-2").exists()
    wait_until(settled(2), timeout=5, what="both answers settled")
    first = Interlock.objects.get(serial="C-1")
    assert (first.code, first.state, first.answer_ms is not None) == (1, "answered", True)
    # the request node is a control signal, never delivered as a process value
    delivered = {s["node_id"] for s in bridge.bridge.forwarder.delivery.samples()}
    assert "ns=2;s=ST.InReq" not in delivered


def test_checkout_stores_the_values_read_at_the_trigger_once(plant, plc, run_bridge):
    make_cell(plant, "C-3")
    run_bridge(plc.endpoint)
    assert PlcSide(plc).handshake("C-3") == 1
    plc.write("ST.Align", 0.05)
    out = PlcSide(plc, "Out")
    assert out.handshake("C-3", result=1) == 1
    sample = Sample.objects.get(unit__identifier="C-3")
    assert (sample.parameter, round(sample.value, 4)) == ("alignment_mm", 0.05)
    operation = Operation.objects.get(unit__identifier="C-3")
    assert operation.result == "passed"
    assert Unit.objects.get(identifier="C-3").current_step.name == "densification"


def test_bad_serials_get_4_and_a_record_each(plant, plc, run_bridge):
    run_bridge(plc.endpoint)
    serials = ["C 4", "", "X" * 300, "电池-1"]
    assert [PlcSide(plc).handshake(serial) for serial in serials] == [4, 4, 4, 4]
    records = Interlock.objects.order_by("id")
    assert [(r.code, r.serial) for r in records] == [(4, s[:255]) for s in serials]
    assert not Unit.objects.exists()


def test_a_request_up_when_the_bridge_starts_is_answered_once(plant, plc, run_bridge):
    make_cell(plant, "C-5")
    station = PlcSide(plc)
    station.ask("C-5")
    first = run_bridge(plc.endpoint)
    assert station.wait_done() == 1
    first.stop()
    run_bridge(plc.endpoint)  # request and done both up: answered already, nothing to do
    time.sleep(1.0)
    assert (Interlock.objects.count(), Operation.objects.count()) == (1, 1)
    station.release()  # and the new bridge still clears done when the PLC takes the answer
    assert plc.read("ST.InResp") == 1


class DiesAfterDeciding:
    """A bridge process that dies between the MES's decision and the answer to the PLC."""

    def __init__(self) -> None:
        self.real = LinesDecider()
        self.decided = threading.Event()

    def decide(self, question):
        code = self.real.decide(question)
        self.decided.set()
        time.sleep(1.0)  # the bridge is killed now, before it writes the answer
        return code

    def record_undecided(self, question, error):
        self.real.record_undecided(question, error)

    def settle(self, *args):
        self.real.settle(*args)


def test_bridge_killed_mid_handshake_answers_the_pending_request_once(plant, plc, run_bridge):
    make_cell(plant, "C-6")
    dying = DiesAfterDeciding()
    first = run_bridge(plc.endpoint, decider=dying, answer_timeout_s=3.0)
    station = PlcSide(plc)
    station.ask("C-6")
    assert dying.decided.wait(10)
    first.stop()
    assert (plc.read("ST.InDone"), plc.read("ST.InResp")) == (False, 0)
    run_bridge(plc.endpoint)
    assert station.wait_done() == 1
    station.release()
    assert Operation.objects.filter(unit__identifier="C-6").count() == 1
    assert Interlock.objects.count() == 1


class SlowDatabase(DiesAfterDeciding):
    """A database that answers after `delay_s` (a lock held elsewhere, a failing-over server)."""

    def __init__(self, delay_s: float) -> None:
        super().__init__()
        self.delay_s = delay_s
        self.entered = threading.Event()
        self.outcome: list = []

    def decide(self, question):
        self.entered.set()
        time.sleep(self.delay_s)
        try:
            code = self.real.decide(question)
        except Exception as exc:
            self.outcome.append(type(exc).__name__)
            raise
        self.outcome.append(code)
        return code


def test_the_mes_that_cannot_decide_answers_9_within_2_s_never_1(plant, plc, run_bridge):
    make_cell(plant, "C-7")
    slow = SlowDatabase(delay_s=2.5)
    run_bridge(plc.endpoint, decider=slow, answer_timeout_s=1.5)
    station = PlcSide(plc)
    code, elapsed_s = station.timed("C-7")
    assert code == 9
    assert elapsed_s < 2.0
    station.release()
    wait_until(lambda: slow.outcome, timeout=10, what="the late decision")
    # The late decision finds the 9 recorded meanwhile, or comes past its deadline and rolls
    # back (TooLate): either way the PLC was told NOK and nothing started.
    assert slow.outcome[0] in (9, "TooLate")
    assert not Operation.objects.filter(unit__identifier="C-7").exists()
    record = Interlock.objects.get()
    assert (record.code, record.reason_code) == (9, "undecided")


class Unreachable(DiesAfterDeciding):
    def decide(self, question):
        from django.db import OperationalError

        raise OperationalError("connection to server at 127.0.0.1, port 5432 failed")


def test_an_unreachable_database_is_9_at_once(plant, plc, run_bridge):
    make_cell(plant, "C-8")
    run_bridge(plc.endpoint, decider=Unreachable())
    code, elapsed_s = PlcSide(plc).timed("C-8")
    assert (code, elapsed_s < 2.0) == (9, True)
    assert not Operation.objects.exists()


def test_a_request_dropped_before_the_answer_is_abandoned(plant, plc, run_bridge):
    make_cell(plant, "C-9")
    slow = SlowDatabase(delay_s=0.8)
    run_bridge(plc.endpoint, decider=slow, answer_timeout_s=3.0)
    station = PlcSide(plc)
    station.ask("C-9")
    assert slow.entered.wait(10)  # the MES is deciding
    plc.write("ST.InReq", False)  # the PLC gives up
    wait_until(lambda: Interlock.objects.filter(state="abandoned").exists(), timeout=10,
               what="the abandoned answer")  # fmt: skip
    assert (plc.read("ST.InDone"), plc.read("ST.InResp")) == (False, 0)


@pytest.fixture
def own_plc():
    server = station_plc()
    yield server
    server.close()


def test_after_a_plc_restart_the_handshake_resumes(plant, own_plc, run_bridge):
    plc = own_plc
    make_cell(plant, "C-10")
    make_cell(plant, "C-11")
    bridge = run_bridge(plc.endpoint)
    station = PlcSide(plc)
    assert station.handshake("C-10") == 1
    plc.stop()
    wait_until(lambda: not bridge.status.connected, timeout=10, what="the loss")
    plc.start()
    wait_until(lambda: bridge.status.connected, timeout=15, what="the reconnect")
    assert station.handshake("C-11") == 1
    assert Operation.objects.filter(completed_at__isnull=True).count() == 2
