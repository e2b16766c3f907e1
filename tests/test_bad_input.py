"""No 500 on any input to the API (issue #19 item 6): each input found to break the server is a
400 (or a 404 for an id in the path no record can have) in the one error shape, and stores
nothing. Numbers sent as text are read one way (mes.numbers, issue #18): no digit grouping."""

import pytest

from lines.models import GenealogyEdge, Unit, WorkOrder
from mes.api_parsers import MAX_DEPTH
from quality.models import Ncr
from quality.services.flags import flag_new, flags_raise
from tests.factories import make_cell, make_roll

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999999"


def error_of(response, status: int = 400) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


@pytest.fixture
def qe_api(api, quality_engineer, plant):
    api.force_authenticate(quality_engineer)
    return api


@pytest.mark.parametrize(
    ("path", "parameter", "value"),
    [
        ("/api/v1/dispositions/", "hold", "-5e106"),
        ("/api/v1/dispositions/", "hold", HUGE),
        ("/api/v1/dispositions/", "flag", HUGE),
        ("/api/v1/gates/", "spec", HUGE),
        ("/api/v1/gates/", "step", HUGE),
        ("/api/v1/consumptions/", "operation", HUGE),
        ("/api/v1/audit/", "entity_id", HUGE),
        ("/api/v1/dispositions/", "hold", "²"),
        ("/api/v1/dispositions/", "flag", "1.5"),
    ],
)
def test_an_integer_filter_out_of_the_columns_range_is_a_400_naming_it(
    qe_api, path, parameter, value
):
    error = error_of(qe_api.get(path, {parameter: value}))

    assert error["code"] == "invalid"
    assert list(error["fields"]) == [parameter]


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/samples/{HUGE}/",
        f"/api/v1/tags/{HUGE}/",
        f"/api/v1/operations/{HUGE}/",
        f"/api/v1/recipes/{HUGE}/",
        f"/api/v1/holds/{HUGE}/",
        f"/api/v1/flags/{HUGE}/",
        f"/api/v1/ncrs/{HUGE}/",
    ],
)
def test_an_id_in_the_path_no_record_can_have_is_a_404(qe_api, path):
    error = error_of(qe_api.get(path), 404)

    assert error["code"] == "not_found"
    assert list(error["fields"]) == ["id"] and error["message"].endswith(f" with id {HUGE}.")


@pytest.fixture
def flag_ids(plant):
    cell = make_cell(plant, "C-1")
    draft = flag_new(
        kind="out_of_spec",
        station=plant.station("sealing"),
        parameter="seal_temperature_c",
        unit=cell,
        value=201.0,
        limit="USL 195",
    )
    return [flag.pk for flag in flags_raise(flags=[draft])]


@pytest.mark.parametrize("bad", [int(HUGE), 2**63, -(2**63) - 1])
def test_an_ncr_over_flag_ids_too_large_for_the_database_is_a_400(qe_api, flag_ids, bad):
    body = {"title": "Seal bar", "flags": [*flag_ids, bad]}

    error = error_of(qe_api.post("/api/v1/ncrs/", body, format="json"))

    assert list(error["fields"]) == ["flags"]
    assert not Ncr.objects.exists()


def test_a_work_order_of_2_to_the_63_cells_is_a_400(qe_api, plant):
    body = {"code": "WO-HUGE", "route": plant.cell_route.code, "quantity_planned": 2**63}

    error = error_of(qe_api.post("/api/v1/work-orders/", body, format="json"))

    assert error["fields"] == {
        "quantity_planned": ["Ensure this value is less than or equal to 2147483647."]
    }
    assert not WorkOrder.objects.filter(code="WO-HUGE").exists()


def test_a_consumption_naming_an_operation_id_beyond_a_bigint_is_a_400(qe_api, plant):
    make_cell(plant, "C-1")
    make_roll("MR-1", "1000")
    body = {"child": "C-1", "parent": "MR-1", "position_from": 1, "position_to": 2}

    error = error_of(qe_api.post("/api/v1/consumptions/", {**body, "operation": 2**64}, "json"))

    assert list(error["fields"]) == ["operation"]
    assert not GenealogyEdge.objects.exists()


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 100_000])
def test_json_nested_deeper_than_the_limit_is_a_400_and_stores_nothing(qe_api, depth):
    body = '{"identifier": "C-9", "kind": "cell", "x": ' + "[" * depth + "]" * depth + "}"

    response = qe_api.post("/api/v1/units/", body, content_type="application/json")

    error = error_of(response)
    assert error["code"] == "parse_error"
    assert error["message"] == f"JSON nested deeper than {MAX_DEPTH} levels is not accepted."
    assert not Unit.objects.filter(identifier="C-9").exists()


def test_json_nested_to_the_limit_is_read(qe_api):
    body = (
        '{"identifier": "C-9", "kind": "cell", "x": '
        + "[" * (MAX_DEPTH - 1)
        + "]" * (MAX_DEPTH - 1)
        + "}"
    )

    response = qe_api.post("/api/v1/units/", body, content_type="application/json")

    assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        (
            "8,000",
            "quantity: “8,000” is not a plain number. Write it without digit grouping and with "
            "“.” as the decimal separator, e.g. 8000 or 300.1.",
        ),
        (
            "300,1",
            "quantity: “300,1” is not a plain number. Write it without digit grouping and with "
            "“.” as the decimal separator, e.g. 8000 or 300.1.",
        ),
        ("1_000", "A valid number is required."),
    ],
)
def test_a_quantity_sent_as_grouped_or_comma_text_is_refused_never_reinterpreted(
    qe_api, plant, quantity, message
):
    body = {"material": "T-NMC811", "identifier": "LOT-9", "quantity": quantity}
    body |= {"supplier": "Umicore", "supplier_lot": "U-1"}

    error = error_of(qe_api.post("/api/v1/material-lots/", body, format="json"))

    assert error["fields"] == {"quantity": [message]}
    assert not Unit.objects.filter(identifier="LOT-9").exists()


def test_a_quantity_sent_as_plain_text_is_read(qe_api, plant):
    body = {"material": "T-NMC811", "identifier": "LOT-9", "quantity": "8000.5"}
    body |= {"supplier": "Umicore", "supplier_lot": "U-1"}

    response = qe_api.post("/api/v1/material-lots/", body, format="json")

    assert response.status_code == 201, response.content
    assert str(Unit.objects.get(identifier="LOT-9").quantity_initial) == "8000.5000"


@pytest.mark.parametrize("limit", [1e300, "1e300", -1e13])
def test_a_spec_limit_beyond_any_physical_value_is_a_400(qe_api, limit):
    body = {"parameter": "seal_temperature_c", "unit_of_measure": "degC"}
    body |= {"station_kind": "sealing", "usl": limit, "reason": "new line"}

    error = error_of(qe_api.post("/api/v1/specs/", body, format="json"))

    assert list(error["fields"]) == ["usl"]


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/api/v1/units/", "created_after"),
        ("/api/v1/operations/", "started_before"),
        ("/api/v1/samples/", "source_after"),
        ("/api/v1/flags/", "raised_after"),
        ("/api/v1/audit/", "at_before"),
    ],
)
@pytest.mark.parametrize("instant", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"])
def test_a_time_filter_past_the_calendar_in_utc_is_a_400_naming_it(
    qe_api, path, parameter, instant
):
    error = error_of(qe_api.get(path, {parameter: instant}))

    assert error["fields"] == {parameter: [f"{instant} is outside the years 1 to 9999 in UTC."]}


def test_an_spc_window_past_the_calendar_in_utc_is_a_400_naming_it(qe_api, plant):
    query = {"station": "T-COATING", "parameter": "x", "since": "9999-12-31T23:59:59-14:00"}

    error = error_of(qe_api.get("/api/v1/spc/", query))

    assert list(error["fields"]) == ["since"]


def test_a_work_order_due_past_the_calendar_in_utc_is_a_400(qe_api, plant):
    body = {"code": "WO-9", "route": plant.cell_route.code, "quantity_planned": 5}
    body["due_at"] = "9999-12-31T23:59:59-14:00"

    error = error_of(qe_api.post("/api/v1/work-orders/", body, format="json"))

    assert list(error["fields"]) == ["due_at"]
    assert not WorkOrder.objects.filter(code="WO-9").exists()


@pytest.mark.parametrize(
    ("path", "parameter"),
    [("/api/v1/flags/", "raised_after"), ("/api/v1/audit/", "at_after")],
)
def test_a_time_with_an_offset_postgresql_refuses_is_read_as_the_same_instant_in_utc(
    qe_api, plant, path, parameter
):
    """+16:33 is valid ISO 8601 and Python; PostgreSQL refuses offsets beyond +-15:59 (a 500)."""
    make_cell(plant, "C-1")

    response = qe_api.get(path, {parameter: "2059-06-09T07:04:29.3+16:33"})

    assert response.status_code == 200, response.content
    assert response.json()["count"] == 0
