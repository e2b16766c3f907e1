"""A reason the system writes on a hold is stored as a code and parameters beside its English text,
and read in the reader's language; a reason a person typed, or an older row, reads as written."""

import re

import pytest
from django.utils import translation

from quality import services
from quality.models import Hold
from quality.reasons import REASONS, limit_text, reason_text, system_reason
from quality.station_reads import hold_reasons
from tests.browser.untranslated import english_words
from tests.factories import receive
from tests.quality.web_scenario import build_scenario

pytestmark = pytest.mark.django_db


def test_a_segment_hold_stores_its_english_text_code_and_parameters(plant):
    hold = build_scenario(plant).hold

    # No metres in the reason: the flag grows while the hold's reason is sealed by its audit.
    assert (
        hold.reason == f"areal_loading_mg_cm2 out of spec on a roll segment (flag {hold.flag_id})"
    )
    assert hold.reason_code == "segment_out_of_spec_flag"
    assert hold.reason_params == {"parameter": "areal_loading_mg_cm2", "flag": str(hold.flag_id)}


def test_the_station_screen_reads_a_system_reason_in_the_readers_language(plant):
    scenario = build_scenario(plant)
    cell, flag = scenario.cells[1], scenario.hold.flag_id  # MR-1-A-C1, held by the segment

    with translation.override("zh-hans"):
        assert hold_reasons(unit=cell) == [
            f"areal_loading_mg_cm2 在卷材区段上超规格（标记 {flag}）"
        ]
    with translation.override("en"):
        assert hold_reasons(unit=cell) == [
            f"areal_loading_mg_cm2 out of spec on a roll segment (flag {flag})"
        ]


def test_a_typed_reason_reads_as_written_in_every_language(plant, quality_engineer):
    unit = receive(plant, "LOT-X")
    hold = services.hold_place(unit=unit, reason="supplier CoA mismatch", by=quality_engineer)

    assert (hold.reason_code, hold.reason_params) == ("", {})
    with translation.override("zh-hans"):
        assert hold.reason_shown == "supplier CoA mismatch"


def test_an_unknown_code_or_other_parameters_read_as_stored():
    assert reason_text(stored="as written", code="from_a_later_release", params={}) == "as written"
    assert reason_text(stored="as written", code="out_of_spec", params={"x": 1}) == "as written"


def test_system_reason_refuses_an_unknown_code_or_a_missing_parameter():
    with pytest.raises(KeyError):
        system_reason("no_such_code")
    with pytest.raises(KeyError):
        system_reason("segment_out_of_spec", parameter="x")


@pytest.mark.parametrize("code", sorted(REASONS))
def test_every_reason_has_a_chinese_text_with_the_same_parameters(code):
    english = str(REASONS[code])
    with translation.override("zh-hans"):
        chinese = str(REASONS[code])

    assert chinese != english
    assert english_words(re.sub(r"%\(\w+\)s", "", chinese)) == [], chinese
    assert sorted(re.findall(r"%\((\w+)\)s", chinese)) == sorted(
        re.findall(r"%\((\w+)\)s", english)
    )


def test_the_hold_page_shows_the_system_reason_in_chinese(client, plant, quality_engineer):
    hold = build_scenario(plant).hold
    client.force_login(quality_engineer)

    html = client.get(f"/quality/holds/{hold.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert f"areal_loading_mg_cm2 在卷材区段上超规格（标记 {hold.flag_id}）" in html
    assert Hold.objects.get(pk=hold.pk).reason.endswith(f"(flag {hold.flag_id})")  # audit text


@pytest.mark.parametrize(
    ("limit", "chinese"),
    [
        ("WE rule 2", "西方电气判异规则 2"),
        ("Nelson rule 5", "尼尔森判异规则 5"),
        ("usable value", "可用数值"),
        ("budget 300", "预算 300 加权分钟"),
        ("alarm 10 ppm", "报警值 10 ppm"),
        ("USL 25.5", "USL 25.5"),
        ("something else", "something else"),
    ],
)
def test_a_flags_limit_reads_in_the_readers_language(limit, chinese):
    with translation.override("zh-hans"):
        assert limit_text(limit) == chinese
    with translation.override("en"):
        assert limit_text(limit) in (limit, "budget 300 weighted min")


def test_a_flag_detail_the_system_wrote_reads_in_the_readers_language(plant):
    cell_flag = build_scenario(plant).cells[1].flags.get()  # MR-1-A-C1, reached by the segment
    root = cell_flag.source_flag

    assert cell_flag.detail_code == "reached_sheets"
    assert cell_flag.detail == f"sheets came from metres 420..450 of roll MR-1 (flag {root.pk})"
    with translation.override("zh-hans"):
        assert cell_flag.detail_shown == f"极片来自卷 MR-1 的第 420..450 米（标记 {root.pk}）"
    with translation.override("en"):
        assert cell_flag.detail_shown == cell_flag.detail


def test_an_spc_rule_reads_with_its_translated_description():
    params = {"rule": "1", "description": "1 point more than 3 sigma from the centre line"}
    params["points"] = "1"

    with translation.override("zh-hans"):
        shown = reason_text(stored="as stored", code="spc_violation", params=params)

    assert shown == "判异规则 1：1 个点距中心线超过 3 sigma（1 个点）"
