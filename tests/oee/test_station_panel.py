"""The station screen's machine panel: state, the shift's OEE so far, and a stop asking for its
reason while it runs; the reason given then holds until the stop ends."""

from datetime import timedelta

import pytest
from django.utils import timezone

from lines.models import Tag
from oee.models import DowntimeReason, StateChange, StopAssignment
from oee.selectors.machine_time import station_stops


@pytest.fixture
def jammed(plant):
    """The stacker ran for an hour and has been down for the last 10 minutes."""
    station = plant.station("stacking")
    Tag.objects.create(node_id="ns=2;s=S.State", station=station, role="machine_state")
    now = timezone.now()
    StateChange.objects.create(
        station=station, at=now - timedelta(minutes=70), plc_state="6", category="running"
    )
    StateChange.objects.create(
        station=station, at=now - timedelta(minutes=10), plc_state="11", category="down"
    )
    DowntimeReason.objects.create(code="mech-jam", name="Stacker jam", name_zh="叠片机卡料")
    return station


def test_the_station_screen_loads_the_machine_panel(client, operator, jammed):
    client.force_login(operator)
    page = client.get(f"/station/{jammed.code}/").content.decode()
    assert f'hx-get="/oee/stations/{jammed.code}/panel/"' in page


def test_a_running_stop_asks_for_its_reason_and_keeps_it_until_it_ends(client, operator, jammed):
    client.force_login(operator)
    panel = client.get(f"/oee/stations/{jammed.code}/panel/").content.decode()
    assert 'data-state="down"' in panel
    assert "Stopped since" in panel and 'name="running" value="1"' in panel
    start = StateChange.objects.get(plc_state="11").at

    answer = client.post(
        f"/oee/stations/{jammed.code}/reason/",
        {
            "start": start.isoformat(),
            "end": timezone.now().isoformat(),
            "reason": "mech-jam",
            "running": "1",
        },
    )

    assert answer.status_code == 200
    assert "Reason recorded: Stacker jam." in answer.content.decode()
    assert "Stopped since" not in answer.content.decode()  # nothing left to ask
    assignment = StopAssignment.objects.get()
    assert assignment.until_stop_end and assignment.assigned_by == operator
    # The stop runs on for 5 more minutes; the reason covers all of it.
    StateChange.objects.create(
        station=jammed, at=timezone.now() + timedelta(minutes=5), plc_state="6", category="running"
    )
    (stop,) = station_stops(
        jammed,
        start - timedelta(minutes=1),
        timezone.now() + timedelta(minutes=10),
        with_reasons=True,
    )
    assert stop.duration_s >= 15 * 60 - 5
    assert stop.unassigned_s == 0


def test_a_reason_given_meanwhile_by_someone_else_is_a_refusal_in_the_panel(
    client, operator, jammed
):
    client.force_login(operator)
    start = StateChange.objects.get(plc_state="11").at
    body = {
        "start": start.isoformat(),
        "end": timezone.now().isoformat(),
        "reason": "mech-jam",
        "running": "1",
    }
    assert client.post(f"/oee/stations/{jammed.code}/reason/", body).status_code == 200

    again = client.post(f"/oee/stations/{jammed.code}/reason/", body)  # saw no assignment

    assert again.status_code == 409
    assert 'role="alert"' in again.content.decode()
    assert StopAssignment.objects.count() == 1


def test_the_panel_speaks_chinese(client, operator, jammed):
    client.force_login(operator)
    panel = client.get(
        f"/oee/stations/{jammed.code}/panel/", headers={"Accept-Language": "zh-hans"}
    ).content.decode()
    for words in ("停机", "叠片机卡料", "保存原因"):
        assert words in panel, words


def test_an_unreadable_time_or_no_reason_is_a_refusal_in_the_panel(client, operator, jammed):
    client.force_login(operator)
    for body in (
        {"start": "2026-13-40T99:00:00Z", "end": "2026-12-01T00:00:00Z", "reason": "mech-jam"},
        {"start": "2026-12-01T00:00:00Z", "end": "2026-12-01T00:10:00Z", "reason": "nope"},
    ):
        answer = client.post(f"/oee/stations/{jammed.code}/reason/", body)
        assert answer.status_code == 400
        assert "Choose a reason for the stop." in answer.content.decode()
    assert not StopAssignment.objects.exists()
