"""The station screen's number fields: read one way (mes.numbers), refused with a clear message
that keeps what the operator typed, never reinterpreted and never a 500 (issues #18 and #19)."""

import uuid

import pytest

from lines.models import GenealogyEdge, Sample
from tests.factories import make_cell, make_roll, make_spec, receive

pytestmark = pytest.mark.django_db

STACK = "/station/T-STACKING/"
GROUPING = (
    "stack_pressure_kpa: “%s” is not a plain number. Write it without digit grouping and with “.” as the "
    "decimal separator, e.g. 8000 or 300.1."
)


@pytest.fixture
def started(client, operator, plant):
    """C-1 in operation at the stacker, with a spec to measure against."""
    client.force_login(operator)
    make_cell(plant, "C-1")
    make_spec("stack_pressure_kpa", "stacking", lsl=5000, usl=9000, uom="kPa")
    post(client, "start")
    return client


def post(client, action: str, **data):
    data = {"unit": "C-1", "key": str(uuid.uuid4()), **data}
    response = client.post(f"{STACK}{action}/", data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    return response.content.decode()


def value_field(page: str) -> str:
    start = page.index('name="value"')
    return page[start : page.index(">", start)]


@pytest.mark.parametrize("typed", ["8,000", "300,1", "8 000"])
def test_a_grouped_or_comma_measurement_is_refused_and_the_typed_text_kept(started, typed):
    page = post(started, "measure", parameter="stack_pressure_kpa", value=typed)

    assert GROUPING % typed in page
    assert f'value="{typed}"' in value_field(page)
    assert not Sample.objects.exists()


def test_a_plain_measurement_is_read_as_written(started):
    page = post(started, "measure", parameter="stack_pressure_kpa", value="8000")

    assert "Recorded stack_pressure_kpa = 8000 kPa: in spec." in page
    assert Sample.objects.get().value == 8000.0
    assert 'value="8000"' not in value_field(page)  # recorded: the field is empty again


def test_a_measurement_beyond_any_process_value_is_refused(started):
    page = post(started, "measure", parameter="stack_pressure_kpa", value="1e300")

    assert "stack_pressure_kpa must be between -1e+09 and 1e+09, got 1e+300." in page
    assert not Sample.objects.exists()


def test_a_grouped_measurement_is_refused_in_chinese_too(started):
    started.cookies.load({"django_language": "zh-hans"})

    page = post(started, "measure", parameter="stack_pressure_kpa", value="8,000")

    assert (
        "stack_pressure_kpa：“8,000” 不是一个规范的数字。请不要使用千位分隔符，并以“.”作为小数点，"
        "例如 8000 或 300.1。"
    ) in page
    assert not Sample.objects.exists()


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("1e30", "quantity must be less than 10000000000, got 1e+30."),
        ("1e-30", "quantity must be at least 0.0001, got 1e-30."),
        ("8,000", "quantity: “8,000” is not a plain number."),
    ],
)
def test_consuming_an_absurd_quantity_is_refused_and_keeps_the_lot_whole(
    started, plant, quantity, message
):
    lot = receive(plant, "LOT-1", "100")

    page = post(started, "consume", parent="LOT-1", quantity=quantity)

    assert message in page
    assert f'value="{quantity}"' in page
    lot.refresh_from_db()
    assert lot.quantity_remaining == 100 and not GenealogyEdge.objects.exists()


def test_consuming_roll_metres_beyond_any_roll_is_refused(started):
    roll = make_roll("MR-7-A", "1200")

    page = post(started, "consume", parent="MR-7-A", position_from_m="1e30", position_to_m="1e30")

    assert "position_from_m must be less than 10000000, got 1e+30." in page
    roll.refresh_from_db()
    assert roll.quantity_remaining == 1200 and not GenealogyEdge.objects.exists()
