"""Trace exports (CSV and JSON) and who may open the quality screens."""

import csv
import io
import json

import pytest

from mes import roles
from tests.factories import make_user
from tests.quality.web_scenario import build_scenario

PAGES = [
    "/quality/",
    "/quality/genealogy/MR-1/",
    "/quality/genealogy/MR-1/trace.csv",
    "/quality/genealogy/MR-1/trace.json",
    "/quality/recall/MR-1/",
    "/quality/queue/",
    "/quality/spc/",
    "/quality/spc/T-CALENDERING/thickness_um/",
    "/quality/spc/T-CALENDERING/thickness_um/chart/",
    "/quality/rolls/MR-1/",
    "/quality/units/MR-1/",
    "/quality/flags/1/",
    "/quality/holds/1/",
]


@pytest.fixture
def scenario(plant):
    return build_scenario(plant)


def test_csv_export_has_one_row_per_edge_both_ways(scenario, client, quality_engineer):
    client.force_login(quality_engineer)

    response = client.get("/quality/genealogy/MR-1-A/trace.csv")

    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert response["Content-Disposition"] == 'attachment; filename="trace-MR-1-A.csv"'
    assert {(r["direction"], r["parent"], r["child"]) for r in rows} == {
        ("backward", "LOT-NMC-1", "SLURRY-1"),
        ("backward", "SLURRY-1", "MR-1"),
        ("backward", "MR-1", "MR-1-A"),
        ("forward", "MR-1-A", "MR-1-A-C0"),
        ("forward", "MR-1-A", "MR-1-A-C1"),
        ("forward", "MR-1-A", "MR-1-A-C2"),
    }
    c1 = next(r for r in rows if r["child"] == "MR-1-A-C1")
    assert (c1["position_from_m"], c1["position_to_m"], c1["child_status"]) == (
        "430",
        "431.2",
        "on_hold",
    )


def test_json_export_names_nodes_and_edges(scenario, client, quality_engineer):
    client.force_login(quality_engineer)

    body = json.loads(client.get("/quality/genealogy/SLURRY-1/trace.json").content)

    assert body["root"] == {"identifier": "SLURRY-1", "kind": "slurry_batch", "status": "consumed"}
    assert [(e["parent"], e["child"], e["quantity"]) for e in body["backward"]["edges"]] == [
        ("LOT-NMC-1", "SLURRY-1", 40.0)
    ]
    assert len(body["forward"]["nodes"]) == 10  # itself, mother, 2 lanes, 6 cells


@pytest.mark.parametrize("path", PAGES)
def test_an_operator_is_refused_every_quality_page(scenario, client, operator, path):
    client.force_login(operator)

    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", PAGES)
def test_an_anonymous_visitor_is_sent_to_sign_in(scenario, client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/signin/")


def test_an_admin_may_open_the_quality_screens(scenario, client):
    client.force_login(make_user("ada.admin", roles.ADMIN))

    assert client.get("/quality/genealogy/MR-1/").status_code == 200


def test_an_operator_cannot_post_a_recall(scenario, client, operator):
    client.force_login(operator)

    response = client.post("/quality/recall/LOT-NMC-1/", {"reason": "x", "password": "y"})

    assert response.status_code == 403
    assert not scenario.lot.holds.exists()
