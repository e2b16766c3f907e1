"""The OEE page of a line, read through the test client: figures, Pareto, timeline."""

import re

from tests.oee.line_history import stacker_history


def test_the_line_page_shows_each_station_the_jam_on_top_and_the_timeline(client, operator, plant):
    stacker_history(plant)
    client.force_login(operator)

    page = client.get("/oee/T-LINE/?range=8h").content.decode()

    row = re.search(r'<tr data-station="T-STACKING">(.*?)</tr>', page, re.S).group(1)
    # 8 h window: 4 h before the history began are no data; planned 240 min, down 45, micro 1
    # 195 / 240 min = 81.25 %, a few seconds more of running by the time the page is read
    assert re.search(r'data-figure="availability">81\.[23] %', row)
    # the line's row: only the stacker had planned time, so the line's availability is its own
    line = re.search(r'<tfoot>\s*<tr data-station="">(.*?)</tr>', page, re.S).group(1)
    assert re.search(r'data-figure="availability">81\.[23] %', line)
    first_bar = re.search(r'class="oee-bar-label">([^<]+)<', page).group(1).strip()
    assert first_bar == "Stacker jam"
    assert page.count('class="oee-state"') >= 5 + 5  # the stacker's bars, the others' no data
    assert 'data-state="running"' in page


def test_the_line_page_speaks_chinese(client, operator, plant):
    stacker_history(plant)
    client.force_login(operator)
    page = client.get("/oee/T-LINE/", headers={"Accept-Language": "zh-hans"}).content.decode()
    assert "叠片机卡料" in page  # the reason's own Chinese name
    for words in ("可用率", "性能率", "良品率", "时间损失在哪里", "状态时间线", "运行", "产线"):
        assert words in page, words


def test_an_unknown_line_is_a_404_and_one_line_goes_straight_to_its_page(client, operator, plant):
    client.force_login(operator)
    assert client.get("/oee/NOPE/").status_code == 404
    response = client.get("/oee/")
    assert response.status_code == 302 and response["Location"].endswith("/oee/T-LINE/")


def test_the_page_needs_a_sign_in(client, plant):
    assert client.get("/oee/T-LINE/").status_code == 302
