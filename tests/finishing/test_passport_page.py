"""The passport page in zh-hans leaves no English but codes, names and units (the same check
as the quality screens), and the unit page of a graded cell shows its grade in zh-hans too."""

import pytest

from lines.demo import load_demo_line
from tests.quality.test_web_zh_hans import english_left


@pytest.fixture
def zh_client(client, quality_engineer):
    load_demo_line()
    client.force_login(quality_engineer)
    return client


@pytest.mark.parametrize(
    "path", ["/quality/units/CELL-DEMO-GR-001/passport/", "/quality/units/CELL-DEMO-GR-001/"]
)
def test_the_zh_hans_passport_and_graded_unit_pages_have_no_english(zh_client, path):
    response = zh_client.get(path, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 200
    assert english_left(response.content.decode()) == []


def test_an_unfinished_cell_gets_the_refusal_not_a_passport(zh_client):
    response = zh_client.get("/quality/units/CELL-DEMO-GR-010/passport/")

    assert response.status_code == 409
    assert "is not finished" in response.content.decode()
    assert "data-qr" not in response.content.decode()
