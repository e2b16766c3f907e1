"""The shift calendar through the API and the admin: three shifts are fine, an overlap is refused
naming both shifts, two planners adding overlapping shifts at once cannot both succeed."""

import pytest
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token

from mes import roles
from oee.models import ShiftPattern
from tests.factories import make_user
from tests.quality.test_dispositions_race import post_all

EARLY = {
    "name": "early",
    "start": "06:00",
    "hours": "8",
    "weekdays": "01234",
    "breaks": [{"start": "10:00", "minutes": 30}],
}
LATE = {"name": "late", "start": "14:00", "hours": "8", "weekdays": "01234"}
NIGHT = {
    "name": "night",
    "start": "22:00",
    "hours": "8",
    "weekdays": "0123",
    "breaks": [{"start": "02:00", "minutes": 30}],
}


@pytest.fixture
def planner(db):
    return make_user("planner", roles.QUALITY_ENGINEER)


def create(api, plant, body):
    return api.post("/api/v1/shift-patterns/", {**body, "line": plant.line.code}, format="json")


def test_three_shifts_are_a_calendar_and_a_fourth_that_overlaps_is_refused(api, plant, planner):
    api.force_authenticate(planner)
    for body in (EARLY, LATE, NIGHT):
        made = create(api, plant, body)
        assert made.status_code == 201, made.json()
    assert made.json()["breaks"] == [{"start": "02:00", "minutes": 30}]

    overlap = create(api, plant, {"name": "day", "start": "08:00", "hours": "8", "weekdays": "2"})

    assert overlap.status_code == 400
    error = overlap.json()["error"]
    assert "start" in error["fields"]
    assert "early" in error["message"] and "day" in error["message"]
    assert ShiftPattern.objects.count() == 3


def test_moving_a_shift_onto_another_is_refused_and_changes_nothing(api, plant, planner):
    api.force_authenticate(planner)
    create(api, plant, EARLY)
    late = create(api, plant, LATE).json()

    moved = api.patch(f"/api/v1/shift-patterns/{late['id']}/", {"start": "13:00"}, format="json")

    assert moved.status_code == 400
    assert str(ShiftPattern.objects.get(pk=late["id"]).start) == "14:00:00"
    assert (
        api.patch(
            f"/api/v1/shift-patterns/{late['id']}/", {"start": "14:30"}, format="json"
        ).status_code
        == 200
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**LATE, "weekdays": "7"}, "weekdays"),
        ({**LATE, "weekdays": "00"}, "weekdays"),
        ({**LATE, "hours": "25"}, "hours"),
        ({**LATE, "hours": "0"}, "hours"),
        ({**LATE, "breaks": [{"start": "25:00", "minutes": 30}]}, "breaks"),
    ],
)
def test_a_malformed_pattern_is_refused_naming_its_field(api, plant, planner, body, field):
    api.force_authenticate(planner)
    refused = create(api, plant, body)
    assert refused.status_code == 400, refused.json()
    assert field in refused.json()["error"]["fields"]
    assert not ShiftPattern.objects.exists()


def test_operators_read_the_calendar_but_do_not_write_it(api, plant, operator, planner):
    api.force_authenticate(planner)
    create(api, plant, EARLY)
    api.force_authenticate(operator)
    assert api.get("/api/v1/shift-patterns/", {"line": plant.line.code}).json()["count"] == 1
    refused = create(api, plant, LATE)
    assert refused.status_code == 403
    assert ShiftPattern.objects.count() == 1


def test_the_admin_refuses_an_overlapping_shift(client, plant):
    admin = User.objects.create_superuser("root", password="pw-for-the-test-1")
    client.force_login(admin)
    ShiftPattern.objects.create(line=plant.line, name="early", start="06:00", hours=8)
    response = client.post(
        "/admin/oee/shiftpattern/add/",
        {
            "line": plant.line.pk,
            "name": "day",
            "start": "08:00",
            "hours": "8",
            "weekdays": "0123456",
            "breaks": "[]",
        },
    )
    assert response.status_code == 200  # the form again, with the error
    assert "would overlap shift" in response.content.decode()
    assert ShiftPattern.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_planners_adding_overlapping_shifts_at_once_cannot_both_succeed(live_server, plant):
    tokens = [
        Token.objects.create(user=make_user(f"pl-{n}", roles.QUALITY_ENGINEER)).key
        for n in range(8)
    ]
    bodies = [
        {"line": plant.line.code, "name": f"shift-{n}", "start": f"{6 + n:02d}:00", "hours": "8"}
        for n in range(8)
    ]
    results = post_all(
        f"{live_server.url}/api/v1/shift-patterns/", list(zip(tokens, bodies, strict=True))
    )
    codes = sorted(code for code, _ in results)
    assert codes == [201] + [400] * 7, codes
    assert ShiftPattern.objects.count() == 1
