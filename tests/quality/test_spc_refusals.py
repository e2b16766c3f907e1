"""The chart math's refusals reach a person in their language: each code the Django-free math
raises has a sentence, translated with the same parameters; a coded refusal on a request or a
baseline signature is a 409 saying why, never the math's English or a 500 (faults injected)."""

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from mes.errors import RuleViolation
from quality import spc
from quality.spc.errors import SpcInputError
from quality.spc_refusals import WHY
from tests.factories import make_spec
from tests.quality.test_spc_baselines import FAULT, IN_CONTROL, LOADING, T0, sign, store

SPC = "/api/v1/spc/"


@pytest.fixture
def coater(plant):
    make_spec(LOADING, "coating", lsl=24.5, usl=25.5, target=25.0, uom="mg/cm2")
    station = plant.station("coating")
    store(station, FAULT + IN_CONTROL, T0)
    return station


def raised_codes() -> set[str]:
    """The first argument of every SpcInputError(...) in quality/spc/."""
    codes = set()
    for path in (Path(settings.BASE_DIR) / "quality" / "spc").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", "") == "SpcInputError"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                codes.add(node.args[0].value)
    return codes


def test_every_code_the_math_raises_has_a_sentence():
    assert raised_codes()  # the walk finds them
    assert raised_codes() <= set(WHY)


@pytest.mark.parametrize("code", sorted(WHY))
def test_every_sentence_is_translated_with_its_parameters(code):
    english = str(WHY[code])
    with translation.override("zh-hans"):
        chinese = str(WHY[code])
    assert chinese != english
    assert sorted(re.findall(r"%\((\w+)\)s", chinese)) == sorted(
        re.findall(r"%\((\w+)\)s", english)
    )


def test_a_coded_refusal_on_a_chart_request_says_why_in_the_readers_language(
    coater,
    operator,
    api,
    monkeypatch,
):
    def refuses(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - the injected fault
        raise SpcInputError("baseline_outside", "baseline indices must lie in 0..99")

    monkeypatch.setattr(spc, "individuals_chart", refuses)
    api.force_authenticate(operator)
    query = {"station": coater.code, "parameter": "areal_loading_mg_cm2"}

    english = api.get(SPC, query).json()["error"]
    chinese = api.get(SPC, query, HTTP_ACCEPT_LANGUAGE="zh-hans").json()["error"]

    assert english == {
        "code": "spc_unusable",
        "message": f"No chart of areal_loading_mg_cm2 at {coater.code} can be drawn: the "
        "baseline lies outside the readings.",
        "fields": {},
    }
    assert "基准期" in chinese["message"] and "0..99" not in chinese["message"]


def test_a_refusal_of_the_math_while_signing_a_baseline_is_a_409_not_a_500(
    coater,
    quality_engineer,
    monkeypatch,
):
    def refuses(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - the injected fault
        raise SpcInputError("baseline_too_short", "the baseline needs at least 2 readings")

    monkeypatch.setattr(spc, "individuals_chart", refuses)
    with pytest.raises(RuleViolation) as refused:
        sign(coater, quality_engineer)
    assert refused.value.code == "spc_unusable"
    assert refused.value.message.endswith("the baseline has too few readings.")
