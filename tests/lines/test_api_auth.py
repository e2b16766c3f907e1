"""Who may do what through the API: logins (session, token), and the roles that move units."""

from decimal import Decimal

import pytest
from django.http import HttpRequest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from lines import services
from lines.models import GenealogyEdge, Operation, Unit, WorkOrder
from tests.factories import PASSWORD, make_cell, make_roll, receive

READS = [
    "/api/v1/units/",
    "/api/v1/units/C-1/",
    "/api/v1/units/C-1/trace/?direction=backward",
    "/api/v1/units/C-1/whereabouts/",
    "/api/v1/operations/",
    "/api/v1/operations/1/",
    "/api/v1/consumptions/",
    "/api/v1/lines/",
    "/api/v1/stations/",
    "/api/v1/stations/T-STACKING/",
    "/api/v1/equipment/",
    "/api/v1/materials/",
    "/api/v1/products/",
    "/api/v1/recipes/",
    "/api/v1/routes/",
    "/api/v1/work-orders/",
]
WRITES = [
    "/api/v1/units/",
    "/api/v1/material-lots/",
    "/api/v1/units/C-1/scrap/",
    "/api/v1/units/ROLL-1/split/",
    "/api/v1/operations/",
    "/api/v1/operations/1/complete/",
    "/api/v1/consumptions/",
    "/api/v1/work-orders/",
]
NOT_LOGGED_IN = {
    "error": {
        "code": "not_authenticated",
        "message": "Authentication credentials were not provided.",
        "fields": {},
    }
}
NO_ROLE = {
    "error": {
        "code": "permission_denied",
        "message": "Moving units needs the operator, integration or quality engineer role.",
        "fields": {},
    }
}


@pytest.mark.parametrize("url", READS)
def test_anonymous_reads_are_refused_with_the_error_shape(plant, api, url):
    make_cell(plant, "C-1")
    response = api.get(url)
    assert (response.status_code, response.json()) == (401, NOT_LOGGED_IN)
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("url", WRITES)
def test_anonymous_writes_are_refused_and_change_nothing(plant, api, url):
    make_cell(plant, "C-1")
    response = api.post(url, {}, format="json")
    assert (response.status_code, response.json()) == (401, NOT_LOGGED_IN)
    assert list(Unit.objects.values_list("identifier", "status")) == [("C-1", "created")]


def test_a_token_logs_an_integration_in(plant, integration):
    make_cell(plant, "C-1")
    token = Token.objects.create(user=integration)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/v1/units/C-1/").status_code == 200
    response = client.post(
        "/api/v1/operations/", {"unit": "C-1", "station": "T-STACKING"}, format="json"
    )
    assert response.status_code == 201
    assert Operation.objects.get().started_by == integration


def test_a_wrong_token_is_refused(plant, integration):
    Token.objects.create(user=integration)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-key")
    response = client.get("/api/v1/units/")
    assert response.status_code == 401
    assert response.json()["error"] == {
        "code": "authentication_failed",
        "message": "Invalid token.",
        "fields": {},
    }


def test_a_session_login_works(plant, operator):
    make_cell(plant, "C-1")
    client = APIClient()
    assert client.login(request=HttpRequest(), username="olivia.operator", password=PASSWORD)
    assert client.get("/api/v1/units/C-1/").json()["identifier"] == "C-1"


def test_a_session_write_needs_the_csrf_token(plant, operator):
    make_cell(plant, "C-1")
    client = APIClient(enforce_csrf_checks=True)
    client.login(request=HttpRequest(), username="olivia.operator", password=PASSWORD)
    response = client.post(
        "/api/v1/operations/", {"unit": "C-1", "station": "T-STACKING"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["message"].startswith("CSRF Failed")
    assert not Operation.objects.exists()


def test_a_user_without_a_role_reads_but_cannot_start(plant, nobody, api):
    make_cell(plant, "C-1")
    api.force_authenticate(nobody)
    assert api.get("/api/v1/units/C-1/").status_code == 200
    response = api.post(
        "/api/v1/operations/", {"unit": "C-1", "station": "T-STACKING"}, format="json"
    )
    assert (response.status_code, response.json()) == (403, NO_ROLE)
    assert not Operation.objects.exists()
    assert Unit.objects.get(identifier="C-1").status == "created"


def test_a_user_without_a_role_cannot_complete(plant, nobody, api):
    cell = make_cell(plant, "C-1")
    operation = services.operation_start(unit=cell, station=plant.station("stacking"))
    api.force_authenticate(nobody)
    response = api.post(
        f"/api/v1/operations/{operation.id}/complete/", {"result": "passed"}, format="json"
    )
    assert (response.status_code, response.json()) == (403, NO_ROLE)
    assert Operation.objects.get().is_open
    assert Unit.objects.get(identifier="C-1").current_step.name == "stacking"


def test_a_user_without_a_role_cannot_consume(plant, nobody, api):
    receive(plant, "LOT-1", "5")
    make_roll("ROLL-1")
    api.force_authenticate(nobody)
    response = api.post(
        "/api/v1/consumptions/",
        {"child": "ROLL-1", "parent": "LOT-1", "quantity": 1},
        format="json",
    )
    assert (response.status_code, response.json()) == (403, NO_ROLE)
    assert not GenealogyEdge.objects.exists()
    assert Unit.objects.get(identifier="LOT-1").quantity_remaining == Decimal("5")


@pytest.mark.parametrize("persona", ["operator", "integration"])
def test_operators_and_integrations_start_complete_and_consume(plant, api, request, persona):
    user = request.getfixturevalue(persona)
    receive(plant, "LOT-1", "5")
    make_cell(plant, "C-1")
    api.force_authenticate(user)
    started = api.post("/api/v1/operations/", {"unit": "C-1", "station": "T-STACKING"})
    consumed = api.post("/api/v1/consumptions/", {"child": "C-1", "parent": "LOT-1", "quantity": 1})
    completed = api.post(
        f"/api/v1/operations/{started.json()['id']}/complete/", {"result": "passed"}
    )
    assert (started.status_code, consumed.status_code, completed.status_code) == (201, 201, 200)
    operation = Operation.objects.get()
    assert (operation.started_by, operation.completed_by) == (user, user)
    assert GenealogyEdge.objects.get().created_by == user


WORK_ORDER = {"code": "WO-2", "route": "T-CELL-ROUTE", "quantity_planned": 20}


@pytest.mark.parametrize("persona", ["operator", "integration", "nobody"])
def test_master_data_writes_are_refused_for_other_roles(plant, api, request, persona):
    api.force_authenticate(request.getfixturevalue(persona))
    response = api.post("/api/v1/work-orders/", WORK_ORDER, format="json")
    assert response.status_code == 403
    assert response.json()["error"] == {
        "code": "permission_denied",
        "message": "This change needs the quality engineer role.",
        "fields": {},
    }
    assert list(WorkOrder.objects.values_list("code", flat=True)) == ["T-WO-1"]


@pytest.mark.parametrize("url", ["/api/v1/stations/", "/api/v1/routes/", "/api/v1/materials/"])
def test_other_master_data_is_read_only_through_the_api(plant, quality_engineer, api, url):
    api.force_authenticate(quality_engineer)
    response = api.post(url, {"code": "X"}, format="json")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
