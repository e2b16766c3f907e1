"""The genealogy trace and "where are they now" endpoints, on a small graph known edge by edge."""

from datetime import UTC, datetime

import pytest

from lines import services
from lines.models import GenealogyEdge
from tests.factories import make_cell, make_roll, receive

UNITS = "/api/v1/units/"


@pytest.fixture
def graph(plant, operator):
    """LOT-1 -10 kg-> ROLL-1 -slit-> ROLL-1-A, ROLL-1-B; ROLL-1-A gives metres 0..1.2 to C-1
    (in its stacking operation, then passed) and 1.2..2.4 to C-2 (no operation)."""
    lot = receive(plant, "LOT-1", "50")
    roll = make_roll("ROLL-1")
    services.unit_consume(child=roll, parent=lot, quantity="10")
    lane_a, _lane_b = services.roll_split(
        parent=roll, daughter_identifiers=["ROLL-1-A", "ROLL-1-B"]
    )
    c1, c2 = make_cell(plant, "C-1"), make_cell(plant, "C-2")
    operation = services.operation_start(unit=c1, station=plant.station("stacking"))
    services.unit_consume(
        child=c1, parent=lane_a, position_from_m="0", position_to_m="1.2", operation=operation
    )
    services.operation_complete(operation=operation, result="passed")
    services.unit_consume(child=c2, parent=lane_a, position_from_m="1.2", position_to_m="2.4")
    edges = list(GenealogyEdge.objects.order_by("id"))
    return {"operation": operation.id, "edges": edges}


def at(edge: GenealogyEdge) -> str:
    return edge.created_at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def edge_json(edge, parent, child, quantity, positions=(None, None), operation=None):
    return {
        "parent": parent,
        "child": child,
        "quantity": quantity,
        "position_from": positions[0],
        "position_to": positions[1],
        "operation": operation,
        "created_at": at(edge),
    }


def node(identifier, kind, status, station=None):
    return {"identifier": identifier, "kind": kind, "status": status, "station": station}


def test_backward_trace_of_a_cell(graph, operator, api):
    e1, e2, _e3, e4, _e5 = graph["edges"]
    api.force_authenticate(operator)
    response = api.get(f"{UNITS}C-1/trace/?direction=backward")
    assert response.status_code == 200
    assert response.json() == {
        "root": "C-1",
        "direction": "backward",
        "nodes": [
            node("C-1", "cell", "in_process", "T-STACKING"),
            node("LOT-1", "material_lot", "created"),
            node("ROLL-1", "roll", "consumed"),
            node("ROLL-1-A", "roll", "created"),
        ],
        "edges": [
            edge_json(e1, "LOT-1", "ROLL-1", 10.0),
            edge_json(e2, "ROLL-1", "ROLL-1-A", 1000.0, (0.0, 1000.0)),
            edge_json(e4, "ROLL-1-A", "C-1", 1.2, (0.0, 1.2), graph["operation"]),
        ],
    }


def test_forward_trace_of_a_lot(graph, operator, api):
    e1, e2, e3, e4, e5 = graph["edges"]
    api.force_authenticate(operator)
    response = api.get(f"{UNITS}LOT-1/trace/?direction=forward")
    assert response.status_code == 200
    assert response.json() == {
        "root": "LOT-1",
        "direction": "forward",
        "nodes": [
            node("LOT-1", "material_lot", "created"),
            node("ROLL-1", "roll", "consumed"),
            node("ROLL-1-A", "roll", "created"),
            node("ROLL-1-B", "roll", "created"),
            node("C-1", "cell", "in_process", "T-STACKING"),
            node("C-2", "cell", "created"),
        ],
        "edges": [
            edge_json(e1, "LOT-1", "ROLL-1", 10.0),
            edge_json(e2, "ROLL-1", "ROLL-1-A", 1000.0, (0.0, 1000.0)),
            edge_json(e3, "ROLL-1", "ROLL-1-B", 1000.0, (0.0, 1000.0)),
            edge_json(e4, "ROLL-1-A", "C-1", 1.2, (0.0, 1.2), graph["operation"]),
            edge_json(e5, "ROLL-1-A", "C-2", 1.2, (1.2, 2.4)),
        ],
    }


def test_a_unit_without_edges_traces_to_itself_alone(graph, operator, api):
    api.force_authenticate(operator)
    body = api.get(f"{UNITS}LOT-1/trace/?direction=backward").json()
    assert body == {
        "root": "LOT-1",
        "direction": "backward",
        "nodes": [node("LOT-1", "material_lot", "created")],
        "edges": [],
    }


@pytest.mark.parametrize(
    ("query", "message"),
    [("", "This field is required."), ("?direction=sideways", '"sideways" is not a valid choice.')],
)
def test_a_missing_or_invalid_direction_is_a_400_naming_it(graph, operator, api, query, message):
    api.force_authenticate(operator)
    response = api.get(f"{UNITS}C-1/trace/{query}")
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "invalid",
            "message": f"Invalid input. direction: {message}",
            "fields": {"direction": [message]},
        }
    }


def test_the_trace_path_answers_get_only_and_never_http_trace(graph, operator, api):
    api.force_authenticate(operator)
    response = api.generic("TRACE", f"{UNITS}C-1/trace/")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert api.get(f"{UNITS}C-1/trace/?direction=forward").status_code == 200


def test_the_trace_of_an_unknown_unit_is_a_404(operator, api):
    api.force_authenticate(operator)
    response = api.get(f"{UNITS}GHOST/trace/?direction=forward")
    assert response.status_code == 404
    assert response.json()["error"]["fields"] == {
        "identifier": ["No unit with identifier 'GHOST'."]
    }


def test_whereabouts_groups_the_forward_trace_by_status_and_station(graph, operator, api):
    api.force_authenticate(operator)
    response = api.get(f"{UNITS}LOT-1/whereabouts/")
    assert response.status_code == 200
    assert response.json() == {
        "root": "LOT-1",
        "total": 5,
        "groups": [
            {"status": "created", "station": None, "count": 3},
            {"status": "consumed", "station": None, "count": 1},
            {"status": "in_process", "station": "T-STACKING", "count": 1},
        ],
    }


def test_whereabouts_of_one_kind(graph, operator, api):
    api.force_authenticate(operator)
    response = api.get(f"{UNITS}LOT-1/whereabouts/?kind=cell")
    assert response.json() == {
        "root": "LOT-1",
        "total": 2,
        "groups": [
            {"status": "created", "station": None, "count": 1},
            {"status": "in_process", "station": "T-STACKING", "count": 1},
        ],
    }


def test_whereabouts_with_an_unknown_kind_is_a_400_naming_it(graph, operator, api):
    api.force_authenticate(operator)
    response = api.get(f"{UNITS}LOT-1/whereabouts/?kind=widget")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["kind"]


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin"])
def test_an_edge_time_reads_the_same_in_the_trace_and_the_edge_list(
    graph, operator, api, settings, zone
):
    settings.TIME_ZONE = zone
    api.force_authenticate(operator)
    traced = api.get(f"{UNITS}LOT-1/trace/?direction=forward").json()["edges"]
    listed = api.get("/api/v1/consumptions/").json()["results"]
    assert [edge["created_at"] for edge in traced] == [edge["created_at"] for edge in listed]
    suffix = "Z" if zone == "UTC" else ("+01:00", "+02:00")
    assert traced[0]["created_at"].endswith(suffix)


def test_an_edge_made_on_a_whole_second_reads_as_the_edge_list_writes_it(graph, operator, api):
    # given: one edge at a whole second, one with a fraction
    GenealogyEdge.objects.filter(pk=graph["edges"][0].pk).update(
        created_at=datetime(2026, 11, 26, 6, 0, 0, tzinfo=UTC)
    )
    GenealogyEdge.objects.filter(pk=graph["edges"][1].pk).update(
        created_at=datetime(2026, 11, 26, 6, 0, 0, 120, tzinfo=UTC)
    )
    api.force_authenticate(operator)
    # when
    traced = api.get(f"{UNITS}LOT-1/trace/?direction=forward").json()["edges"]
    listed = api.get("/api/v1/consumptions/").json()["results"]
    # then
    assert [edge["created_at"] for edge in traced][:2] == [
        "2026-11-26T06:00:00Z",
        "2026-11-26T06:00:00.000120Z",
    ]
    assert [edge["created_at"] for edge in traced] == [edge["created_at"] for edge in listed]
