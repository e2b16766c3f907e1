"""The station screen's views through Django's test client: scans that are refused change
nothing, every write goes through the services, and a repeated form is applied once."""

import uuid
from decimal import Decimal

import pytest

from lines import services
from lines.models import GenealogyEdge, Operation, Sample, Tag, Unit, UnitHistory
from mes.models import SubmissionReceipt
from quality import services as quality_services
from quality.models import Hold
from tests.factories import add_samples, make_cell, make_roll, make_spec, receive

pytestmark = pytest.mark.django_db

STACK = "/station/T-STACKING/"


@pytest.fixture
def signed_in(client, operator):
    client.force_login(operator)
    return client


@pytest.fixture
def cell(plant):
    return make_cell(plant, "C-1")


def state(unit: Unit) -> tuple:
    unit.refresh_from_db()
    return (
        unit.status,
        unit.current_step_id,
        unit.updated_at,
        UnitHistory.objects.filter(unit=unit).count(),
        Operation.objects.filter(unit=unit).count(),
    )


def post(client, action: str, unit: str, key: str | None = None, station: str = STACK, **data):
    data = {"unit": unit, "key": key or str(uuid.uuid4()), **data}
    return client.post(f"{station}{action}/", data, headers={"HX-Request": "true"})


def test_the_station_screen_remembers_the_station_in_the_tablet(signed_in, plant):
    response = signed_in.get(STACK)

    assert response.status_code == 200
    assert response.cookies["mes_station"].value == "T-STACKING"
    assert b"data-scan-field" in response.content and b"autofocus" in response.content


def test_an_unknown_station_is_a_404(signed_in, plant):
    assert signed_in.get("/station/NOPE-01/").status_code == 404


def test_scanning_an_unknown_identifier_says_what_to_do_and_whom_to_call(signed_in, plant):
    response = signed_in.get(f"{STACK}unit/", {"unit": "C-404"})

    page = response.content.decode()
    assert "No unit C-404 is known to the MES." in page
    assert "scan it again" in page and "call your shift lead" in page
    assert "HX-Push-Url" not in response.headers  # the address keeps no unknown unit


def test_scanning_a_cell_due_here_offers_start_and_changes_nothing(signed_in, cell):
    before = state(cell)

    page = signed_in.get(f"{STACK}unit/", {"unit": "C-1"}).content.decode()

    assert ">Start<" in page and "Complete: passed" not in page
    assert state(cell) == before


def test_a_held_cell_is_refused_with_its_reason_and_nothing_changes(
    signed_in, cell, quality_engineer
):
    quality_services.hold_place(
        unit=cell, reason="Alignment 0.31 mm out of spec at T-STACKING", by=quality_engineer
    )
    before = state(cell)

    page = signed_in.get(f"{STACK}unit/", {"unit": "C-1"}).content.decode()

    assert "ON HOLD: do not process this unit." in page
    assert "Alignment 0.31 mm out of spec at T-STACKING" in page
    assert "C-1 is on hold and cannot be started. Call quality to review the hold." in page
    assert ">Start<" not in page
    assert state(cell) == before


def test_starting_a_held_cell_by_a_stale_form_is_refused_and_nothing_changes(
    signed_in, cell, quality_engineer
):
    quality_services.hold_place(unit=cell, reason="SE lot recall", by=quality_engineer)
    before = state(cell)

    page = post(signed_in, "start", "C-1").content.decode()

    assert "C-1 is on hold and cannot be started. Call quality to review the hold." in page
    assert state(cell) == before
    assert SubmissionReceipt.objects.get().ok is False


def test_a_scrapped_cell_is_refused_with_whom_to_call(signed_in, cell):
    services.unit_scrap(unit=cell, reason="pouch torn")
    before = state(cell)

    page = signed_in.get(f"{STACK}unit/", {"unit": "C-1"}).content.decode()

    assert "C-1 is scrapped and cannot be started. Set it aside and call your shift lead." in page
    assert ">Start<" not in page and state(cell) == before


def test_a_consumed_lot_is_refused(signed_in, plant, cell):
    lot = receive(plant, "LOT-1", "2")
    services.unit_consume(child=cell, parent=lot, quantity="2")

    page = signed_in.get(f"{STACK}unit/", {"unit": "LOT-1"}).content.decode()

    assert "LOT-1 is consumed and cannot be started." in page
    assert ">Start<" not in page


def test_a_cell_at_another_kind_of_station_is_shown_its_next_step_not_refused(signed_in, cell):
    before = state(cell)

    page = signed_in.get("/station/T-SEALING/unit/", {"unit": "C-1"}).content.decode()

    assert "Next step: 10 · Stacking. Take the unit to a Stacking station (T-STACKING)." in page
    assert 'class="banner banner-info" role="status" data-next-step' in page
    assert "data-refusal" not in page and "is due for" not in page
    assert ">Start<" not in page and state(cell) == before


def test_start_applies_once_per_form(signed_in, cell, operator):
    key = str(uuid.uuid4())

    first = post(signed_in, "start", "C-1", key).content.decode()
    second = post(signed_in, "start", "C-1", key).content.decode()

    assert "C-1 started: Stacking at T-STACKING." in first
    assert "C-1 started: Stacking at T-STACKING." in second
    operation = Operation.objects.get(unit=cell)
    assert (operation.station.code, operation.started_by, operation.completed_at) == (
        "T-STACKING",
        operator,
        None,
    )
    assert "Complete: passed" in second and ">Start<" not in second


def test_complete_twice_with_one_key_completes_once(signed_in, cell, plant):
    post(signed_in, "start", "C-1")
    key = str(uuid.uuid4())

    first = post(signed_in, "complete", "C-1", key, result="passed").content.decode()
    second = post(signed_in, "complete", "C-1", key, result="passed").content.decode()

    assert "C-1 completed as passed." in first and "C-1 completed as passed." in second
    cell.refresh_from_db()
    assert cell.current_step == plant.step("densification")
    assert Operation.objects.filter(unit=cell, result="passed").count() == 1
    assert SubmissionReceipt.objects.filter(action="complete").count() == 1


def test_complete_with_a_new_form_after_completion_is_refused(signed_in, cell):
    post(signed_in, "start", "C-1")
    post(signed_in, "complete", "C-1", result="passed")
    before = state(cell)

    page = post(signed_in, "complete", "C-1", result="passed").content.decode()

    assert "C-1 is not in operation at T-STACKING: start it first." in page
    assert state(cell) == before


def test_a_form_key_that_is_not_a_uuid_is_refused(signed_in, cell):
    before = state(cell)

    page = post(signed_in, "start", "C-1", key="not-a-key").content.decode()

    assert "This form is out of date: scan the unit again." in page
    assert state(cell) == before


def test_someone_without_a_role_cannot_move_units(client, nobody, cell):
    client.force_login(nobody)
    before = state(cell)

    assert post(client, "start", "C-1").status_code == 403
    assert state(cell) == before


def test_a_measurement_in_spec_is_stored_as_manual_and_said_so(signed_in, cell, operator):
    make_spec("alignment_mm", "stacking", lsl=-0.2, usl=0.2, target=0.0, uom="mm")
    post(signed_in, "start", "C-1")

    page = post(signed_in, "measure", "C-1", parameter="alignment_mm", value="0.05")

    assert "Recorded Cathode-to-anode alignment = 0.05 mm: in spec." in page.content.decode()
    sample = Sample.objects.get(unit=cell)
    assert (sample.value, sample.source, sample.recorded_by, sample.station.code) == (
        0.05,
        "manual",
        operator,
        "T-STACKING",
    )


def test_a_measurement_out_of_spec_holds_the_cell_and_stops_the_screen(signed_in, cell):
    make_spec("alignment_mm", "stacking", lsl=-0.2, usl=0.2, target=0.0, uom="mm")
    post(signed_in, "start", "C-1")
    key = str(uuid.uuid4())

    page = post(signed_in, "measure", "C-1", key, parameter="alignment_mm", value="0.31")
    again = post(signed_in, "measure", "C-1", key, parameter="alignment_mm", value="0.31")

    hold = Hold.objects.get(unit=cell)
    # A warning that names the hold and the rule, never the green confirmation; the same when
    # a resend of the form replays the stored outcome.
    banner = (
        '<p class="banner banner-hold" role="alert" data-notice="warning">C-1 is now ON HOLD '
        f"(hold {hold.pk}): Cathode-to-anode alignment = 0.31 mm is above USL 0.2 mm of spec "
        "alignment_mm v1. Put it in the hold rack and call quality.</p>"
    )
    for html in (page.content.decode(), again.content.decode()):
        assert banner in html
        assert "banner-ok" not in html.split("<article")[0]
        assert "ON HOLD: do not process this unit." in html and "Complete: passed" not in html
    cell.refresh_from_db()
    assert cell.status == "on_hold"
    assert Sample.objects.filter(unit=cell).count() == 1


def test_an_out_of_spec_measurement_the_spec_does_not_hold_on_is_a_warning(signed_in, cell):
    spec = make_spec("alignment_mm", "stacking", lsl=-0.2, usl=0.2, target=0.0, uom="mm")
    spec.holds_on_violation = False
    spec.save(update_fields=["holds_on_violation"])
    post(signed_in, "start", "C-1")

    html = post(signed_in, "measure", "C-1", parameter="alignment_mm", value="-0.25").content

    assert (
        '<p class="banner banner-hold" role="alert" data-notice="warning">Recorded Cathode-to-anode '
        "alignment = -0.25 mm: OUT OF SPEC, below LSL -0.2 mm of spec alignment_mm v1. The spec "
        "does not hold the unit; call quality.</p>"
    ) in html.decode()
    cell.refresh_from_db()
    assert cell.status == "in_process" and not Hold.objects.exists()


def test_a_measurement_that_is_not_a_number_is_refused(signed_in, cell):
    make_spec("alignment_mm", "stacking", lsl=-0.2, usl=0.2, uom="mm")
    post(signed_in, "start", "C-1")

    page = post(signed_in, "measure", "C-1", parameter="alignment_mm", value="0,2x")

    assert "&#x27;0,2x&#x27; is not a number." in page.content.decode()
    assert not Sample.objects.exists()


def test_consuming_roll_metres_by_scanning_records_the_edge(signed_in, cell):
    roll = make_roll("MR-7-A", "1200")
    post(signed_in, "start", "C-1")

    page = post(
        signed_in, "consume", "C-1", parent="MR-7-A", position_from_m="400", position_to_m="401.2"
    ).content.decode()

    assert "C-1 consumed 1.2 m of MR-7-A." in page
    edge = GenealogyEdge.objects.get(child=cell)
    assert (edge.parent, edge.position_from_m, edge.position_to_m) == (roll, 400, Decimal("401.2"))


def test_consuming_a_roll_without_metres_is_refused_and_nothing_changes(signed_in, cell):
    roll = make_roll("MR-7-A", "1200")
    post(signed_in, "start", "C-1")

    page = post(signed_in, "consume", "C-1", parent="MR-7-A", quantity="1.2").content.decode()

    assert "MR-7-A is a roll: give the metres used (from and to)." in page
    roll.refresh_from_db()
    assert roll.quantity_remaining == 1200 and not GenealogyEdge.objects.exists()


def test_the_live_panel_shows_the_latest_value_with_limits_and_alarm(signed_in, plant):
    station = plant.station("stacking")
    Tag.objects.create(node_id="ns=2;s=T.Align", station=station, parameter="alignment_mm")
    make_spec("alignment_mm", "stacking", lsl=-0.2, usl=0.2, uom="mm")
    add_samples(station, "alignment_mm", [0.05])
    add_samples(station, "alignment_mm", [0.27])

    page = signed_in.get(f"{STACK}live/").content.decode()

    assert "0.27 mm" in page and "Out of spec: above USL 0.2" in page
    assert "-0.2 … 0.2" in page


def test_a_chinese_tablet_gets_the_refusal_in_chinese(signed_in, cell, quality_engineer):
    quality_services.hold_place(unit=cell, reason="隔膜批次召回", by=quality_engineer)

    page = signed_in.get(
        f"{STACK}unit/", {"unit": "C-1"}, headers={"Accept-Language": "zh-CN,zh;q=0.9"}
    ).content.decode()

    assert "C-1 已被扣留，不能开始。请联系质量部门评审该扣留。" in page
    assert "已扣留：请勿加工此单元。" in page and "隔膜批次召回" in page
