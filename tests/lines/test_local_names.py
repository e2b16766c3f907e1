"""Names in the plant's two languages: a Chinese reader sees name_zh where the plant gave one, a
step named for its station kind reads as the kind's word, and the demo line carries both."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from lines.models import Line, Product, RouteStep
from lines.services import operation_start_check
from mes.errors import RuleViolation
from tests.factories import make_cell

pytestmark = pytest.mark.django_db


def test_display_name_is_the_chinese_name_for_a_chinese_reader(plant):
    product = plant.cell_product
    product.name_zh = "测试电芯"

    with translation.override("zh-hans"):
        assert product.display_name == "测试电芯"
    with translation.override("en"):
        assert product.display_name == "Test cell"


def test_without_a_chinese_name_the_name_is_shown(plant):
    with translation.override("zh-hans"):
        assert plant.line.display_name == "Test line"


def test_a_step_named_for_its_station_kind_reads_as_the_kinds_word(plant):
    step = RouteStep.objects.get(route=plant.cell_route, name="stacking")

    with translation.override("zh-hans"):
        assert step.display_name == "叠片"
        step.name_zh = "Z 形叠片"
        assert step.display_name == "Z 形叠片"
    with translation.override("en"):
        assert step.display_name == "stacking"


def test_a_refusal_names_the_step_in_the_readers_language(plant):
    cell = make_cell(plant, "CELL-1")

    with translation.override("zh-hans"), pytest.raises(RuleViolation) as refused:
        operation_start_check(unit=cell, station=plant.station("sealing"))

    assert "“叠片”" in refused.value.message and "stacking" not in refused.value.message


def test_the_demo_line_loads_its_chinese_names():
    call_command("seed_demo", "--i-know-this-is-not-production", stdout=StringIO())

    assert Line.objects.get().name_zh == "固态软包电芯中试线 1 号"
    assert Product.objects.get(code="SSB-10AH").name_zh == "10 Ah 固态软包电芯"
    assert not Product.objects.filter(name_zh="").exists()
