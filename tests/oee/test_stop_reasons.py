"""Reasons for stops: the tree, PLC codes that map into it, people's assignments, splits, and two
people assigning the same stop at once (exactly one wins)."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token

from lines.models import Tag
from mes import roles
from oee.models import DowntimeReason, PlcStopCode, StateChange, StopAssignment, StopReasonReport
from tests.factories import make_user
from tests.quality.test_dispositions_race import post_all

# Stops in the past: a reason is given for time that has passed.
T = timezone.now().replace(microsecond=0) - timedelta(hours=3)


def minutes(m: float) -> datetime:
    return T + timedelta(minutes=m)


@pytest.fixture
def tree(db):
    mechanical = DowntimeReason.objects.create(code="mech", name="Mechanical", name_zh="机械")
    jam = DowntimeReason.objects.create(
        code="mech-jam",
        parent=mechanical,
        name="Stacker jam",
        name_zh="叠片机卡料",
        station_kinds="stacking",
    )
    starved = DowntimeReason.objects.create(
        code="material", name="Waiting for material", name_zh="待料"
    )
    coater = DowntimeReason.objects.create(
        code="coat-web", name="Web break", station_kinds="coating"
    )
    return {"mech": mechanical, "jam": jam, "material": starved, "coater": coater}


@pytest.fixture
def stacker(plant):
    station = plant.station("stacking")
    Tag.objects.create(node_id="ns=2;s=S.State", station=station, role="machine_state")
    for m, state, category in [(0, "6", "running"), (60, "9", "down"), (100, "6", "running")]:
        StateChange.objects.create(
            station=station, at=minutes(m), plc_state=state, category=category
        )
    return station


def stops(api, station) -> list[dict]:
    response = api.get(
        "/api/v1/downtimes/",
        {"station": station.code, "start": minutes(0).isoformat(), "end": minutes(120).isoformat()},
    )
    assert response.status_code == 200, response.json()
    return response.json()


def assign(api, station, start, end, reason, replaces=()):
    return api.post(
        "/api/v1/downtimes/reasons/",
        {
            "station": station.code,
            "start": minutes(start).isoformat(),
            "end": minutes(end).isoformat(),
            "reason": reason,
            "replaces": list(replaces),
        },
        format="json",
    )


def test_the_tree_offered_at_a_station_is_its_kinds_and_the_common_ones(
    api, operator, stacker, tree
):
    api.force_authenticate(operator)
    got = api.get(
        "/api/v1/downtime-reasons/",
        {"station": stacker.code},
        headers={"Accept-Language": "zh-hans"},
    )
    assert [(r["code"], r["parent_code"], r["display_name"]) for r in got.json()] == [
        ("material", None, "待料"),
        ("mech", None, "机械"),
        ("mech-jam", "mech", "叠片机卡料"),
    ]


def test_a_stop_is_unassigned_until_a_person_gives_its_reason(api, operator, stacker, tree):
    api.force_authenticate(operator)
    (stop,) = stops(api, stacker)
    assert stop["unassigned_s"] == 40 * 60

    made = assign(api, stacker, 60, 100, "mech-jam")

    assert made.status_code == 201, made.json()
    assert made.json()["assigned_by"] == operator.username
    (stop,) = stops(api, stacker)
    assert [r["reason"] for r in stop["reasons"]] == ["mech-jam"]
    assert stop["unassigned_s"] == 0


def test_splitting_a_stop_keeps_the_first_reason_for_the_rest_and_every_assignment(
    api, operator, stacker, tree
):
    api.force_authenticate(operator)
    first = assign(api, stacker, 60, 100, "mech-jam").json()

    split = assign(api, stacker, 80, 100, "material", replaces=[first["id"]])

    assert split.status_code == 201, split.json()
    (stop,) = stops(api, stacker)
    assert [
        (r["reason"], r["start"][11:16], r["end"][11:16], r["assigned_by"]) for r in stop["reasons"]
    ] == [
        ("mech-jam", f"{minutes(60):%H:%M}", f"{minutes(80):%H:%M}", operator.username),
        ("material", f"{minutes(80):%H:%M}", f"{minutes(100):%H:%M}", operator.username),
    ]
    old = StopAssignment.objects.get(pk=first["id"])
    assert old.superseded_at is not None  # kept, not edited away
    assert StopAssignment.objects.count() == 3


def test_a_reason_given_over_one_not_seen_is_refused_naming_who_gave_it(
    api, operator, stacker, tree
):
    api.force_authenticate(operator)
    assign(api, stacker, 60, 100, "mech-jam")

    late = assign(api, stacker, 60, 100, "material", replaces=[])

    assert late.status_code == 409
    assert late.json()["error"]["code"] == "reason_changed"
    assert operator.username in late.json()["error"]["message"]
    assert StopAssignment.objects.filter(superseded_at__isnull=True).count() == 1


@pytest.mark.parametrize(
    ("start", "end", "reason", "status", "field"),
    [
        (60, 100, "coat-web", 400, "reason"),  # a coater's reason at the stacker
        (50, 70, "mech-jam", 404, "start"),  # half running, half stopped
        (100, 60, "mech-jam", 400, "end"),
        (60, 100, "nope", 404, "reason"),
    ],
)
def test_a_reason_that_does_not_fit_is_refused(
    api, operator, stacker, tree, start, end, reason, status, field
):
    api.force_authenticate(operator)
    response = assign(api, stacker, start, end, reason)
    assert response.status_code == status, response.json()
    assert field in response.json()["error"]["fields"]
    assert not StopAssignment.objects.exists()


def test_a_plc_code_in_the_map_gives_the_stop_its_reason(api, operator, stacker, tree):
    PlcStopCode.objects.create(station_kind="stacking", plc_code="17", reason=tree["jam"])
    StopReasonReport.objects.create(station=stacker, at=minutes(60), code="17")
    api.force_authenticate(operator)
    (stop,) = stops(api, stacker)
    assert (stop["plc_code"], stop["plc_reason"], stop["unassigned_s"]) == ("17", "mech-jam", 0)


@pytest.mark.django_db(transaction=True)
def test_twenty_operators_assign_the_same_stop_at_once_and_exactly_one_wins(
    live_server, plant, tree
):
    station = plant.station("stacking")
    for m, state, category in [(0, "6", "running"), (60, "9", "down"), (100, "6", "running")]:
        StateChange.objects.create(
            station=station, at=minutes(m), plc_state=state, category=category
        )
    tokens = [
        Token.objects.create(user=make_user(f"op-{n:02d}", roles.OPERATOR)).key for n in range(20)
    ]
    body = {
        "station": station.code,
        "start": minutes(60).isoformat(),
        "end": minutes(100).isoformat(),
        "replaces": [],
    }
    results = post_all(
        f"{live_server.url}/api/v1/downtimes/reasons/",
        [(t, {**body, "reason": ("mech-jam", "material")[n % 2]}) for n, t in enumerate(tokens)],
    )
    codes = sorted(code for code, _ in results)
    assert codes == [201] + [409] * 19, codes
    assert {b["error"]["code"] for c, b in results if c == 409} == {"reason_changed"}
    assert StopAssignment.objects.filter(superseded_at__isnull=True).count() == 1
