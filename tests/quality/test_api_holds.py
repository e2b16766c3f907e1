"""The holds API: place a hold on a lot and every descendant reads on hold; the impact preview;
the members list; filters; refusals that change nothing."""

import pytest
from django.utils import timezone

from lines import services as lines_services
from lines.models import Unit
from quality import services
from quality.models import AuditEntry, Hold, HoldMember
from tests.factories import build_cathode_chain, make_cell

HOLDS = "/api/v1/holds/"
LOT = "LOT-NMC-1"
CELLS = [f"MR-1-{lane}-C{n}" for lane in "AB" for n in range(3)]
# The slurry and the mother roll were used up (consumed): a hold lists them but they keep that.
CONSUMED = ["SLURRY-1", "MR-1"]
STOPPED = [LOT, "MR-1-A", "MR-1-B", *CELLS]


@pytest.fixture
def chain(plant):
    return build_cathode_chain(plant)


def statuses() -> dict[str, str]:
    return dict(Unit.objects.values_list("identifier", "status"))


def test_a_hold_on_a_lot_puts_every_descendant_on_hold(chain, quality_engineer, api):
    api.force_authenticate(quality_engineer)

    response = api.post(HOLDS, {"unit": LOT, "reason": "supplier CoA mismatch"}, format="json")

    assert response.status_code == 201
    hold = Hold.objects.get()
    body = response.json()
    assert body == {
        "id": hold.pk,
        "unit": LOT,
        "reason": "supplier CoA mismatch",
        "reason_code": "",  # typed by a person: no code
        "reason_params": {},
        "state": "active",
        "flag": None,
        "placed_by": "quinn.quality",
        "placed_at": body["placed_at"],
        "released_at": None,
        "member_count": 11,
        "first_members": [
            {"identifier": LOT, "kind": "material_lot", "status": "on_hold"},
            {"identifier": "SLURRY-1", "kind": "slurry_batch", "status": "consumed"},
            {"identifier": "MR-1", "kind": "roll", "status": "consumed"},
            {"identifier": "MR-1-A", "kind": "roll", "status": "on_hold"},
            {"identifier": "MR-1-B", "kind": "roll", "status": "on_hold"},
            *[{"identifier": cell, "kind": "cell", "status": "on_hold"} for cell in CELLS],
        ],
    }
    assert body["placed_at"] == hold.placed_at.isoformat().replace("+00:00", "Z")
    for identifier in STOPPED:
        unit = api.get(f"/api/v1/units/{identifier}/").json()
        assert (unit["identifier"], unit["status"]) == (identifier, "on_hold")
    for identifier in CONSUMED:
        assert api.get(f"/api/v1/units/{identifier}/").json()["status"] == "consumed"
    assert api.get(f"{HOLDS}{hold.pk}/").json() == body


def test_the_impact_preview_counts_exactly_and_changes_nothing(plant, chain, operator, api):
    cells = chain[4]
    lines_services.operation_start(unit=cells[0], station=plant.station("stacking"))
    before = statuses()
    api.force_authenticate(operator)

    response = api.get(f"{HOLDS}impact/", {"unit": LOT})

    assert response.status_code == 200
    assert response.json() == {
        "root": LOT,
        "units": 11,
        "by_kind": {"material_lot": 1, "slurry_batch": 1, "roll": 3, "cell": 6},
        "would_stop": 9,
        "already_on_hold": 0,
        "cells": [
            {"status": "created", "station": None, "count": 5},
            {"status": "in_process", "station": "T-STACKING", "count": 1},
        ],
    }
    assert statuses() == before
    assert (Hold.objects.count(), AuditEntry.objects.filter(entity="hold").count()) == (0, 0)


def test_the_impact_preview_of_a_held_lane(chain, quality_engineer, api):
    services.hold_place(unit=Unit.objects.get(identifier="MR-1-A"), reason="wrinkles")
    api.force_authenticate(quality_engineer)
    response = api.get(f"{HOLDS}impact/", {"unit": "MR-1-A"})
    assert response.json() == {
        "root": "MR-1-A",
        "units": 4,
        "by_kind": {"roll": 1, "cell": 3},
        "would_stop": 0,
        "already_on_hold": 4,
        "cells": [{"status": "on_hold", "station": None, "count": 3}],
    }


@pytest.mark.parametrize(
    ("query", "status", "fields"),
    [
        ({}, 400, {"unit": ["This field is required."]}),
        ({"unit": "NOPE-1"}, 404, {"unit": ["No unit with identifier 'NOPE-1'."]}),
    ],
)
def test_the_impact_preview_needs_a_known_unit(plant, operator, api, query, status, fields):
    api.force_authenticate(operator)
    response = api.get(f"{HOLDS}impact/", query)
    assert (response.status_code, response.json()["error"]["fields"]) == (status, fields)


def test_the_members_are_paginated_oldest_unit_first(plant, quality_engineer, api):
    lot = build_cathode_chain(plant, cells_per_lane=25)[0]
    hold = services.hold_place(unit=lot, reason="recall")
    api.force_authenticate(quality_engineer)

    first = api.get(f"{HOLDS}{hold.pk}/members/").json()
    second = api.get(first["next"]).json()

    assert (first["count"], len(first["results"]), len(second["results"])) == (55, 50, 5)
    listed = [row["identifier"] for row in first["results"] + second["results"]]
    assert listed == list(Unit.objects.order_by("id").values_list("identifier", flat=True))
    assert first["results"][0] == api.get(f"/api/v1/units/{LOT}/").json()
    detail = api.get(f"{HOLDS}{hold.pk}/").json()
    assert (detail["member_count"], len(detail["first_members"])) == (55, 20)
    assert [m["identifier"] for m in detail["first_members"]] == listed[:20]


def test_list_filters_by_state_and_by_a_unit_the_hold_reaches(plant, chain, api, operator):
    lot_hold = services.hold_place(unit=Unit.objects.get(identifier=LOT), reason="CoA")
    other = services.hold_place(unit=make_cell(plant, "C-OTHER"), reason="dent")
    Hold.objects.filter(pk=other.pk).update(state="released", released_at=timezone.now())
    api.force_authenticate(operator)

    def ids(query: str) -> list[int]:
        return [row["id"] for row in api.get(f"{HOLDS}?{query}").json()["results"]]

    assert ids("") == [other.pk, lot_hold.pk]
    assert ids("state=active") == [lot_hold.pk]
    assert ids("state=released") == [other.pk]
    assert ids(f"unit={LOT}") == [lot_hold.pk]
    assert ids("unit=MR-1-B-C2") == [lot_hold.pk]
    assert ids("unit=C-OTHER") == [other.pk]
    assert ids("unit=NOPE") == []
    assert api.get(f"{HOLDS}?unit=MR-1-B-C2").json()["results"][0]["member_count"] == 11


@pytest.mark.parametrize(
    ("body", "status", "fields"),
    [
        ({"unit": LOT, "reason": "  "}, 400, {"reason": ["This field may not be blank."]}),
        ({"reason": "x"}, 400, {"unit": ["This field is required."]}),
        ({"unit": "NOPE-1", "reason": "x"}, 404, {"unit": ["No unit with identifier 'NOPE-1'."]}),
    ],
)
def test_a_refused_hold_changes_nothing(chain, quality_engineer, api, body, status, fields):
    before = statuses()
    api.force_authenticate(quality_engineer)
    response = api.post(HOLDS, body, format="json")
    assert (response.status_code, response.json()["error"]["fields"]) == (status, fields)
    assert statuses() == before
    assert (Hold.objects.count(), HoldMember.objects.count(), AuditEntry.objects.count()) == (
        0,
        0,
        0,
    )


def test_an_unknown_hold_is_a_404_naming_id(plant, operator, api):
    api.force_authenticate(operator)
    for url in (f"{HOLDS}424242/", f"{HOLDS}424242/members/"):
        response = api.get(url)
        assert (response.status_code, response.json()["error"]["fields"]) == (
            404,
            {"id": ["No hold with id 424242."]},
        )
