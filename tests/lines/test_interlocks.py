"""Interlock decisions (lines.services.interlocks): codes, records, exactly-once, both languages."""

import time
from datetime import UTC, datetime

import pytest
from django.utils import timezone, translation

from lines.models import Interlock, Operation, Sample, Unit
from lines.selectors.interlocks import interlock_reason, interlocks_list
from lines.services.interlocks import (
    CheckoutValue,
    TooLate,
    interlock_checkin,
    interlock_checkout,
    interlock_settle,
    interlock_undecided,
)
from quality import services as quality_services
from quality.models import Flag
from tests.factories import make_cell, make_spec

AT = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db


def checkin(station, serial, key="h1"):
    return interlock_checkin(
        station=station, serial=serial, handshake_id=key, requested_at=timezone.now()
    )


def checkout(station, serial, result=1, values=(), key="o1"):
    return interlock_checkout(
        station=station,
        serial=serial,
        result=result,
        values=list(values),
        handshake_id=key,
        requested_at=timezone.now(),  # after the spec's first version: judged by it
    )


def open_at(identifier):
    return list(
        Operation.objects.filter(
            unit__identifier=identifier, completed_at__isnull=True
        ).values_list("station__code", flat=True)
    )


def test_checkin_ok_starts_the_operation_through_the_tablet_service(plant):
    make_cell(plant, "C-1")
    record = checkin(plant.station("stacking"), "C-1")
    assert (record.code, record.reason_code, record.side) == (1, "started", "checkin")
    assert open_at("C-1") == ["T-STACKING"]
    assert record.operation == Operation.objects.get(unit__identifier="C-1")
    assert Unit.objects.get(identifier="C-1").status == "in_process"
    assert interlock_reason(record) == "Checked in: operation started at T-STACKING."


def test_a_new_serial_at_the_first_station_of_an_open_work_order_is_made_and_started(plant):
    record = checkin(plant.station("stacking"), "C-NEW")
    assert record.code == 1
    assert Unit.objects.get(identifier="C-NEW").work_order == plant.work_order


def test_a_held_cell_is_refused_with_2_in_both_languages_and_nothing_starts(plant):
    held = make_cell(plant, "C-2")
    quality_services.hold_place(unit=held, reason="suspect foil")
    record = checkin(plant.station("stacking"), "C-2")
    assert (record.code, record.reason_code) == (2, "refused")
    assert open_at("C-2") == []
    assert interlock_reason(record) == (
        "C-2 is on hold and cannot be started. Call quality to review the hold."
    )
    with translation.override("zh-hans"):
        chinese = interlock_reason(record)
    assert chinese != interlock_reason(record) and "C-2" in chinese


def test_a_cell_not_due_here_is_refused_with_3(plant):
    make_cell(plant, "C-3")  # due for stacking
    record = checkin(plant.station("sealing"), "C-3")
    assert (record.code, open_at("C-3")) == (3, [])
    assert "is due for 'stacking'" in interlock_reason(record)


@pytest.mark.parametrize(
    ("serial", "reason"),
    [
        ("", "no_serial"),
        ("   ", "no_serial"),
        ("C 4", "invalid_serial"),
        ("X" * 300, "invalid_serial"),
        ("电池-1", "invalid_serial"),
    ],
)
def test_a_bad_serial_is_4_recorded_and_makes_nothing(plant, serial, reason):
    record = checkin(plant.station("stacking"), serial)
    assert (record.code, record.reason_code) == (4, reason)
    assert record.serial == serial[:255]
    assert not Unit.objects.exists()
    assert interlock_reason(record)  # worded, whatever the input


def test_a_serial_padded_by_the_plc_is_the_unit(plant):
    make_cell(plant, "C-5")
    record = checkin(plant.station("stacking"), "  C-5\x00\x00")
    assert (record.code, record.serial) == (1, "  C-5\\x00\\x00")


def test_an_unknown_serial_where_no_unit_begins_is_4(plant):
    record = checkin(plant.station("sealing"), "C-NOPE")
    assert (record.code, record.reason_code) == (4, "unknown_serial")
    assert not Unit.objects.filter(identifier="C-NOPE").exists()


def test_the_same_handshake_asked_again_gets_the_first_answer_and_starts_nothing(plant):
    make_cell(plant, "C-6")
    first = checkin(plant.station("stacking"), "C-6", key="same")
    again = checkin(plant.station("stacking"), "C-6", key="same")
    assert again.pk == first.pk and again.code == 1
    assert Operation.objects.filter(unit__identifier="C-6").count() == 1
    assert Interlock.objects.count() == 1


def test_a_new_request_for_a_cell_already_checked_in_here_is_ok_without_a_second_start(plant):
    make_cell(plant, "C-7")
    checkin(plant.station("stacking"), "C-7", key="a")
    again = checkin(plant.station("stacking"), "C-7", key="b")
    assert (again.code, again.reason_code) == (1, "already_in")
    assert Operation.objects.filter(unit__identifier="C-7").count() == 1


def test_the_same_cell_at_a_second_station_is_refused(plant):
    make_cell(plant, "C-8")
    stacking = plant.station("stacking")
    from lines.models import Station

    other = Station.objects.create(line=plant.line, code="T-STACK-2", name="S2", kind="stacking")
    assert checkin(stacking, "C-8", key="a").code == 1
    second = checkin(other, "C-8", key="b")
    assert second.code == 3
    assert "already in operation at T-STACKING" in interlock_reason(second)


def test_a_decision_past_the_deadline_commits_nothing(plant):
    make_cell(plant, "C-9")
    with pytest.raises(TooLate):
        interlock_checkin(
            station=plant.station("stacking"),
            serial="C-9",
            handshake_id="late",
            requested_at=AT,
            answer_by=time.monotonic() - 1,
        )
    assert (Interlock.objects.count(), open_at("C-9")) == (0, [])


def test_checkout_stores_values_once_judges_them_and_completes(plant):
    make_spec("alignment_mm", "stacking", lsl=-0.2, usl=0.2)
    make_cell(plant, "C-10")
    stacking = plant.station("stacking")
    checkin(stacking, "C-10")
    values = [CheckoutValue("ns=2;s=S.Align", "alignment_mm", 0.05)]
    record = checkout(stacking, "C-10", 1, values, key="out")
    assert (record.code, record.reason_code, record.samples) == (1, "completed", 1)
    assert interlock_reason(record) == (
        "Checked out passed, operation completed; values stored: 1."
    )
    again = checkout(stacking, "C-10", 1, values, key="out")
    assert again.pk == record.pk
    sample = Sample.objects.get(unit__identifier="C-10")
    assert (sample.parameter, sample.value, sample.node_id) == (
        "alignment_mm",
        0.05,
        "ns=2;s=S.Align",
    )
    cell = Unit.objects.get(identifier="C-10")
    assert (cell.current_step.name, open_at("C-10")) == ("densification", [])


def test_an_out_of_spec_checkout_value_holds_the_cell_and_the_answer_is_2(plant):
    make_spec("alignment_mm", "stacking", lsl=-0.2, usl=0.2)
    make_cell(plant, "C-11")
    stacking = plant.station("stacking")
    checkin(stacking, "C-11")
    values = [CheckoutValue("ns=2;s=S.Align", "alignment_mm", 0.9)]
    record = checkout(stacking, "C-11", 1, values)
    assert (record.code, record.samples) == (2, 1)
    assert Flag.objects.filter(unit__identifier="C-11").count() == 1
    assert Unit.objects.get(identifier="C-11").status == "on_hold"
    assert open_at("C-11") == ["T-STACKING"]  # quality decides; the operation stays open


def test_a_failed_checkout_completes_failed_and_answers_1(plant):
    make_cell(plant, "C-12")
    stacking = plant.station("stacking")
    checkin(stacking, "C-12")
    record = checkout(stacking, "C-12", 2)
    assert record.code == 1
    op = Operation.objects.get(unit__identifier="C-12")
    assert op.result == "failed"


def test_checkout_refusals(plant):
    make_cell(plant, "C-13")
    stacking = plant.station("stacking")
    assert checkout(stacking, "C-13", 1, key="a").reason_code == "not_checked_in"
    checkin(stacking, "C-13")
    bad = checkout(stacking, "C-13", 7, [CheckoutValue("n", "alignment_mm", 1.0)], key="b")
    assert (bad.code, bad.reason_code, bad.samples) == (3, "bad_result", 0)
    assert not Sample.objects.exists()
    assert checkout(stacking, "", 1, key="c").code == 4


def test_undecided_is_recorded_unless_a_decision_stands_and_settle_marks_the_answer(plant):
    make_cell(plant, "C-14")
    stacking = plant.station("stacking")
    nine = interlock_undecided(
        station=stacking, side="checkin", serial="C-14", handshake_id="u",
        requested_at=AT, error="timeout after 1.5 s",
    )  # fmt: skip
    assert (nine.code, interlock_reason(nine)) == (
        9,
        "The MES could not decide in time, so it answered NOK: timeout after 1.5 s",
    )
    assert checkin(stacking, "C-14", key="u").pk == nine.pk  # the late question finds the 9
    assert open_at("C-14") == []
    assert interlock_settle(handshake_id="u", answered_at=AT, answer_ms=80) == 1
    nine.refresh_from_db()
    assert (nine.state, nine.answer_ms) == ("answered", 80)
    ok = checkin(stacking, "C-14", key="v")
    assert interlock_settle(handshake_id="v", answered_at=None, answer_ms=None) == 1
    ok.refresh_from_db()
    assert ok.state == "abandoned"


def test_the_list_by_station_and_unit(plant):
    make_cell(plant, "C-15")
    checkin(plant.station("stacking"), "C-15", key="a")
    checkin(plant.station("sealing"), "C-15", key="b")
    checkin(plant.station("sealing"), "C 9", key="c")
    assert [i.handshake_id for i in interlocks_list(unit="C-15")] == ["b", "a"]
    assert [i.handshake_id for i in interlocks_list(station="T-SEALING")] == ["c", "b"]
    assert [i.handshake_id for i in interlocks_list(unit="C 9")] == ["c"]


def test_the_api_lists_answers_by_station_and_unit_in_the_readers_language(plant, api, operator):
    held = make_cell(plant, "C-16")
    quality_services.hold_place(unit=held, reason="suspect foil")
    checkin(plant.station("stacking"), "C-16", key="a")
    checkin(plant.station("sealing"), "", key="b")
    assert api.get("/api/v1/interlocks/").status_code in (401, 403)
    api.force_authenticate(operator)
    body = api.get("/api/v1/interlocks/", {"station": "T-STACKING", "unit": "C-16"}).json()
    (row,) = body["results"]
    assert (row["station"], row["unit"], row["side"], row["code"]) == (
        "T-STACKING",
        "C-16",
        "checkin",
        2,
    )
    assert (
        row["reason"] == "C-16 is on hold and cannot be started. Call quality to review the hold."
    )
    chinese = api.get(
        "/api/v1/interlocks/", {"unit": "C-16"}, headers={"Accept-Language": "zh-Hans"}
    ).json()["results"][0]["reason"]
    assert chinese != row["reason"] and "C-16" in chinese
    everything = api.get("/api/v1/interlocks/").json()["results"]
    assert [(r["station"], r["code"]) for r in everything] == [("T-SEALING", 4), ("T-STACKING", 2)]
    assert api.get("/api/v1/interlocks/", {"station": "NOPE"}).json()["results"] == []


def test_the_unit_history_page_shows_each_answer_with_its_reason(plant, client, quality_engineer):
    held = make_cell(plant, "C-17")
    quality_services.hold_place(unit=held, reason="suspect foil")
    checkin(plant.station("stacking"), "C-17")
    client.force_login(quality_engineer)
    html = client.get("/quality/units/C-17/").content.decode()
    section = html[html.index('id="interlocks"') :]
    section = section[: section.index("</section>")]
    assert "T-STACKING" in section and "Check-in" in section
    assert "C-17 is on hold and cannot be started." in section
    chinese = client.get("/quality/units/C-17/", headers={"Accept-Language": "zh-Hans"})
    text = chinese.content.decode()
    assert "PLC 联锁" in text and "进站" in text


def test_the_station_screen_lists_the_plcs_last_answers(plant, client, operator):
    held = make_cell(plant, "C-18")
    quality_services.hold_place(unit=held, reason="suspect foil")
    checkin(plant.station("stacking"), "C-18")
    client.force_login(operator)
    html = client.get("/station/T-STACKING/live/").content.decode()
    section = html[html.index('class="interlocks"') :]
    assert "C-18" in section and "Check-in 2" in section
    assert "C-18 is on hold and cannot be started." in section
