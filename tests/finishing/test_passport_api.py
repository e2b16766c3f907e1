"""API: GET /units/{identifier}/passport/ and /label/, POST /gradings/."""

import pytest

from finishing.models import CellGrade
from lines.demo import load_demo_line
from tests.factories import make_cell
from tests.finishing.test_grading_service import age, make_scheme

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    load_demo_line()


def test_the_passport_of_a_finished_demo_cell(api, operator, demo):
    api.force_authenticate(operator)
    response = api.get("/api/v1/units/CELL-DEMO-GR-004/passport/")
    assert response.status_code == 200
    body = response.json()
    assert body["performance"]["eolGrade"]["grade"] == "B"
    assert body["qr"]["digitalLink"].endswith("/21/CELL-DEMO-GR-004")


def test_an_unfinished_cell_is_a_conflict_and_an_unknown_one_a_404(api, operator, demo):
    api.force_authenticate(operator)
    response = api.get("/api/v1/units/CELL-DEMO-GR-010/passport/")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    assert "not finished" in response.json()["error"]["message"]
    response = api.get("/api/v1/units/NOPE-1/passport/")
    assert response.status_code == 404
    assert response.json()["error"]["fields"] == {
        "identifier": ["No unit with identifier 'NOPE-1'."]
    }


def test_anonymous_gets_no_passport(api, demo):
    assert api.get("/api/v1/units/CELL-DEMO-GR-001/passport/").status_code == 401


def test_the_label_prints_the_grade_and_the_qr_code(api, operator, demo):
    api.force_authenticate(operator)
    response = api.get("/api/v1/units/CELL-DEMO-GR-006/label/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" width="62mm"')
    assert "SSB-10AH  GRADE C" in svg and "CELL-DEMO-GR-006" in svg
    assert svg.count("<svg") == 2  # the label and the QR code inside it
    text = api.get("/api/v1/units/CELL-DEMO-GR-006/label/?as=text").content.decode()
    assert text.splitlines()[:2] == ["CELL-DEMO-GR-006", "SSB-10AH  GRADE C"]
    assert "K 0.350 mV/d" in text


def test_an_ungraded_cell_has_no_label(api, operator, plant):
    api.force_authenticate(operator)
    make_cell(plant, "CELL-1")
    response = api.get("/api/v1/units/CELL-1/label/")
    assert response.status_code == 409
    assert "no grade yet" in response.json()["error"]["message"]


def test_a_quality_engineer_grades_a_batch_through_the_api(api, plant, quality_engineer, operator):
    make_scheme()
    cells = [make_cell(plant, f"CELL-{n}") for n in range(5)]
    for cell in cells:
        age(plant, cell, start_mv=3652.0, k=0.2, acir=1.4)
    payload = {"scheme": "SSB-10AH-EOL", "cells": [c.identifier for c in cells], "batch": "B-1"}

    api.force_authenticate(operator)
    assert api.post("/api/v1/gradings/", payload, format="json").status_code == 403
    assert not CellGrade.objects.exists()

    api.force_authenticate(quality_engineer)
    response = api.post("/api/v1/gradings/", payload, format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["batch"], body["counts"]) == ("B-1", {"B": 5})
    assert body["grades"][0]["cell"] == "CELL-0"
    assert body["grades"][0]["k_mv_day"] == pytest.approx(0.2)
    unknown = api.post("/api/v1/gradings/", {**payload, "cells": ["CELL-0", "X-9"]}, format="json")
    assert unknown.status_code == 404
    assert unknown.json()["error"]["fields"] == {"cells": ["No unit with identifier 'X-9'."]}
