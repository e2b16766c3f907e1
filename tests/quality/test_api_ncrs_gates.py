"""The NCR and gate APIs: open and close an NCR over flags; gate a route step on a spec."""

import pytest
from django.utils import timezone

from quality.models import AuditEntry, GateRequirement, Ncr
from quality.services.flags import flag_new, flags_raise
from tests.factories import make_cell, make_spec

NCRS = "/api/v1/ncrs/"
GATES = "/api/v1/gates/"


@pytest.fixture
def flags(plant):
    """Two hot-seal flags on C-1 and C-2, and a dry-room flag on no unit."""
    sealer = plant.station("sealing")
    drafts = [
        flag_new(
            kind="out_of_spec",
            station=sealer,
            parameter="seal_temperature_c",
            unit=make_cell(plant, identifier),
            value=value,
            limit="USL 195",
        )
        for identifier, value in (("C-1", 201.0), ("C-2", 199.5))
    ]
    drafts.append(
        flag_new(
            kind="out_of_spec",
            station=plant.station("dry_room"),
            parameter="dew_point_c",
            value=-44.0,
            limit="USL -50",
        )
    )
    return [flag.pk for flag in flags_raise(flags=drafts)]


def ncr_rows() -> list[tuple]:
    return list(Ncr.objects.order_by("id").values_list("code", "state", "closed_at"))


def test_open_an_ncr_over_flags_attaches_their_units(flags, quality_engineer, api):
    api.force_authenticate(quality_engineer)

    response = api.post(
        NCRS,
        {"title": "Seal bar overheating", "description": "Line 1 sealer", "flags": flags},
        format="json",
    )

    assert response.status_code == 201
    ncr = Ncr.objects.get()
    assert response.json() == {
        "id": ncr.pk,
        "code": f"NCR-{timezone.now().year}-0001",
        "title": "Seal bar overheating",
        "description": "Line 1 sealer",
        "state": "open",
        "flags": flags,
        "units": ["C-1", "C-2"],
        "created_by": "quinn.quality",
        "created_at": ncr.created_at.isoformat().replace("+00:00", "Z"),
        "closed_at": None,
    }
    assert api.get(f"{NCRS}{ncr.pk}/").json() == response.json()


def test_close_an_ncr_once(flags, quality_engineer, api):
    api.force_authenticate(quality_engineer)
    ncr_id = api.post(NCRS, {"title": "Hot seals", "flags": flags[:1]}, format="json").json()["id"]

    closed = api.post(f"{NCRS}{ncr_id}/close/", {"reason": "heater relay replaced"}, format="json")
    after_close = ncr_rows()
    again = api.post(f"{NCRS}{ncr_id}/close/", {"reason": "again"}, format="json")

    assert closed.status_code == 200
    assert (closed.json()["state"], closed.json()["closed_at"] is not None) == ("closed", True)
    entry = AuditEntry.objects.get(entity="ncr", action="closed")
    assert (entry.entity_id, entry.reason, entry.by.username) == (
        ncr_id,
        "heater relay replaced",
        "quinn.quality",
    )
    assert (again.status_code, again.json()["error"]["message"]) == (
        409,
        f"{Ncr.objects.get().code} is already closed.",
    )
    assert ncr_rows() == after_close


@pytest.mark.parametrize(
    ("body", "status", "fields"),
    [
        ({"title": "T", "flags": []}, 400, {"flags": ["This list may not be empty."]}),
        ({"title": "T"}, 400, {"flags": ["This field is required."]}),
        ({"title": "", "flags": "first"}, 400, None),
        ({"title": "T", "flags": [999999]}, 404, {"flags": ["No flag with id 999999."]}),
    ],
)
def test_a_refused_ncr_stores_nothing(flags, quality_engineer, api, body, status, fields):
    api.force_authenticate(quality_engineer)
    response = api.post(NCRS, body, format="json")
    assert response.status_code == status
    if fields is None:
        assert sorted(response.json()["error"]["fields"]) == ["flags", "title"]
    else:
        assert response.json()["error"]["fields"] == fields
    assert (ncr_rows(), AuditEntry.objects.filter(entity="ncr").count()) == ([], 0)


def test_closing_needs_a_reason(flags, quality_engineer, api):
    api.force_authenticate(quality_engineer)
    ncr_id = api.post(NCRS, {"title": "Hot seals", "flags": flags}, format="json").json()["id"]
    response = api.post(f"{NCRS}{ncr_id}/close/", {"reason": " "}, format="json")
    assert (response.status_code, response.json()["error"]["fields"]) == (
        400,
        {"reason": ["This field may not be blank."]},
    )
    assert Ncr.objects.get().state == "open"


def test_list_filters_by_state_and_unit(flags, quality_engineer, api):
    api.force_authenticate(quality_engineer)
    first = api.post(NCRS, {"title": "A", "flags": flags[:1]}, format="json").json()["id"]
    second = api.post(NCRS, {"title": "B", "flags": flags[1:]}, format="json").json()["id"]
    api.post(f"{NCRS}{first}/close/", {"reason": "done"}, format="json")

    def ids(query: str) -> list[int]:
        return [row["id"] for row in api.get(f"{NCRS}?{query}").json()["results"]]

    assert ids("") == [second, first]
    assert ids("state=open") == [second]
    assert ids("state=closed") == [first]
    assert ids("unit=C-1") == [first]
    assert ids("unit=C-2") == [second]


@pytest.fixture
def seal_spec(plant):
    return make_spec("seal_temperature_c", "sealing", lsl=185, usl=195)


def test_gate_a_route_step_on_a_spec(seal_spec, quality_engineer, api):
    api.force_authenticate(quality_engineer)

    response = api.post(
        GATES, {"route": "T-CELL-ROUTE", "step": 30, "spec": seal_spec.pk}, format="json"
    )

    assert response.status_code == 201
    gate = GateRequirement.objects.get()
    assert (gate.step.name, gate.spec) == ("sealing", seal_spec)
    assert response.json() == {
        "id": gate.pk,
        "route": "T-CELL-ROUTE",
        "step": {"sequence": 30, "name": "sealing"},
        "spec": seal_spec.pk,
        "parameter": "seal_temperature_c",
    }
    entry = AuditEntry.objects.get(entity="gate")
    assert (entry.entity_id, entry.action, entry.by.username, entry.after) == (
        gate.pk,
        "created",
        "quinn.quality",
        {"route": "T-CELL-ROUTE", "step": 30, "spec": seal_spec.pk},
    )


@pytest.mark.parametrize(
    ("body", "status", "fields"),
    [
        ({"route": "NOPE", "step": 30}, 404, {"route": ["No route with code 'NOPE'."]}),
        (
            {"route": "T-CELL-ROUTE", "step": 35},
            404,
            {"step": ["Route T-CELL-ROUTE has no step 35."]},
        ),
        (
            {"route": "T-CELL-ROUTE", "step": 0},
            400,
            {"step": ["Ensure this value is greater than or equal to 1."]},
        ),
        (
            {"route": "T-CELL-ROUTE", "step": 30, "spec": 999999},
            404,
            {"spec": ["No spec with id 999999."]},
        ),
    ],
)
def test_a_refused_gate_stores_nothing(seal_spec, quality_engineer, api, body, status, fields):
    api.force_authenticate(quality_engineer)
    response = api.post(GATES, {"spec": seal_spec.pk, **body}, format="json")
    assert (response.status_code, response.json()["error"]["fields"]) == (status, fields)
    assert (GateRequirement.objects.count(), AuditEntry.objects.filter(entity="gate").count()) == (
        0,
        0,
    )


def test_a_step_is_gated_on_a_spec_once(seal_spec, quality_engineer, api):
    api.force_authenticate(quality_engineer)
    body = {"route": "T-CELL-ROUTE", "step": 30, "spec": seal_spec.pk}
    first = api.post(GATES, body, format="json")
    again = api.post(GATES, body, format="json")
    assert (first.status_code, again.status_code) == (201, 409)
    assert again.json()["error"] == {
        "code": "conflict",
        "message": f"Step 30 of T-CELL-ROUTE already requires spec {seal_spec.pk}.",
        "fields": {"spec": [f"Step 30 of T-CELL-ROUTE already requires spec {seal_spec.pk}."]},
    }
    assert (GateRequirement.objects.count(), AuditEntry.objects.filter(entity="gate").count()) == (
        1,
        1,
    )


def test_list_gates_filtered_by_route_and_step(plant, seal_spec, quality_engineer, api):
    stack_spec = make_spec("alignment_mm", "stacking", lsl=-0.2, usl=0.2)
    sealing = GateRequirement.objects.create(step=plant.step("sealing"), spec=seal_spec)
    stacking = GateRequirement.objects.create(step=plant.step("stacking"), spec=stack_spec)
    api.force_authenticate(quality_engineer)

    def ids(query: str) -> list[int]:
        return [row["id"] for row in api.get(f"{GATES}?{query}").json()["results"]]

    assert ids("") == [stacking.pk, sealing.pk]
    assert ids("route=T-CELL-ROUTE&step=30") == [sealing.pk]
    assert ids("step=10") == [stacking.pk]
    assert ids(f"spec={seal_spec.pk}") == [sealing.pk]
    assert ids("route=OTHER") == []
