"""The SPC API: a hand-checked series with one point beyond 3 sigma (WE rule 1) charted over HTTP.

Calendered thickness, target 80 um: a baseline alternating 79.8/80.2 (centre 80, MR-bar 0.4,
sigma 0.4/1.128 = 0.3546), then one reading at 81.2 (> 80 + 3 * 0.3546 = 81.064): WE rule 1
at index 100 (as in test_spc_flags.py).
"""

from datetime import UTC, datetime

import pytest

from quality.models import Flag
from tests.factories import add_samples, make_spec

SPC = "/api/v1/spc/"
BASELINE = [79.8, 80.2] * 50
SIGMA = 0.4 / 1.128
T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
T1 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def series(plant):
    make_spec("thickness_um", "calendering", lsl=78, usl=82, target=80)
    press = plant.station("calendering")
    baseline = add_samples(press, "thickness_um", BASELINE, at=T0)
    spike = add_samples(press, "thickness_um", [81.2], at=T1)[0]
    return baseline, spike


def test_the_chart_reports_the_rule_1_point(series, operator, api):
    baseline, spike = series
    api.force_authenticate(operator)

    response = api.get(SPC, {"station": "T-CALENDERING", "parameter": "thickness_um"})

    assert response.status_code == 200
    body = response.json()
    assert (body["station"], body["parameter"]) == ("T-CALENDERING", "thickness_um")
    assert body["violations"] == [
        {
            "rule": 1,
            "name": "beyond 3 sigma",
            "description": "1 point more than 3 sigma from the centre line",
            "indices": [100],
        }
    ]
    assert len(body["points"]) == 101
    assert body["points"][0] == {
        "sample": baseline[0].pk,
        "time": "2025-03-01T08:00:00Z",
        "value": 79.8,
    }
    assert body["points"][100] == {
        "sample": spike.pk,
        "time": "2025-03-01T09:00:00Z",
        "value": 81.2,
    }
    chart = body["chart"]
    assert (chart["kind"], chart["subgroup_size"], chart["baseline"]) == (
        "individuals",
        1,
        list(range(100)),
    )
    assert chart["limits"] == {
        "center": pytest.approx(80.0),
        "ucl": pytest.approx(80 + 3 * SIGMA),
        "lcl": pytest.approx(80 - 3 * SIGMA),
        "sigma": pytest.approx(SIGMA),
    }
    assert chart["ranges"][0] is None
    assert chart["ranges"][100] == pytest.approx(1.0)
    assert body["spec"] == {
        "version": 1,
        "lsl": 78.0,
        "usl": 82.0,
        "target": 80.0,
        "lcl": None,
        "ucl": None,
    }
    capability = body["capability"]
    assert (capability["count"], capability["lsl"], capability["usl"]) == (101, 78.0, 82.0)
    assert capability["cp"] == pytest.approx(4 / (6 * SIGMA))
    assert Flag.objects.count() == 0  # a read: charting raises no flag


def test_a_window_without_the_spike_has_no_violation(series, operator, api):
    api.force_authenticate(operator)
    body = api.get(
        SPC,
        {
            "station": "T-CALENDERING",
            "parameter": "thickness_um",
            "until": "2025-03-01T08:30:00Z",
        },
    ).json()
    assert (len(body["points"]), body["violations"]) == (100, [])


def test_subgroups_give_an_xbar_r_chart(series, operator, api):
    api.force_authenticate(operator)
    body = api.get(
        SPC, {"station": "T-CALENDERING", "parameter": "thickness_um", "subgroup_size": 2}
    ).json()
    # 101 readings make 50 subgroups of 2 (the last reading waits for its pair), each mean 80.0.
    assert (body["chart"]["kind"], len(body["chart"]["points"])) == ("xbar_r", 50)
    assert body["chart"]["points"][0] == pytest.approx(80.0)
    assert body["chart"]["range_limits"]["center"] == pytest.approx(0.4)


@pytest.mark.parametrize(
    ("query", "status", "fields"),
    [
        ({"station": "T-CALENDERING"}, 400, {"parameter": ["This field is required."]}),
        ({"parameter": "thickness_um"}, 400, {"station": ["This field is required."]}),
        (
            {"station": "NOWHERE", "parameter": "thickness_um"},
            404,
            {"station": ["No station with code 'NOWHERE'."]},
        ),
        (
            {"station": "T-CALENDERING", "parameter": "thickness_um", "subgroup_size": 11},
            400,
            {"subgroup_size": ["Ensure this value is less than or equal to 10."]},
        ),
        (
            {"station": "T-CALENDERING", "parameter": "thickness_um", "since": "today"},
            400,
            {
                "since": [
                    "Datetime has wrong format. Use one of these formats instead: "
                    "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."
                ]
            },
        ),
    ],
)
def test_a_bad_query_is_refused_naming_the_field(series, operator, api, query, status, fields):
    api.force_authenticate(operator)
    response = api.get(SPC, query)
    assert (response.status_code, response.json()["error"]["fields"]) == (status, fields)


def test_a_series_too_short_to_chart_is_a_conflict(plant, operator, api):
    make_spec("thickness_um", "calendering", lsl=78, usl=82)
    add_samples(plant.station("calendering"), "thickness_um", [80.0])
    api.force_authenticate(operator)
    response = api.get(SPC, {"station": "T-CALENDERING", "parameter": "thickness_um"})
    assert response.status_code == 409
    assert response.json()["error"] == {
        "code": "conflict",
        "message": "No chart of thickness_um at T-CALENDERING: 1 usable reading(s) in that "
        "window, at least 2 needed.",
        "fields": {},
    }


def test_spc_is_read_only(series, quality_engineer, api):
    api.force_authenticate(quality_engineer)
    response = api.post(SPC, {"station": "T-CALENDERING", "parameter": "thickness_um"})
    assert (response.status_code, response.json()["error"]["code"]) == (405, "method_not_allowed")


def test_a_guard_of_the_chart_math_reaches_the_reader_translated(
    series, operator, api, monkeypatch
):
    """quality.spc is Django-free and raises plain-English ValueErrors; one that fires on a request
    is a 409 in the reader's language, never the math's English or a 500 (fault injected)."""
    from quality import spc

    def refuses(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - the injected fault
        raise ValueError("baseline indices must lie in 0..99")

    monkeypatch.setattr(spc, "individuals_chart", refuses)
    api.force_authenticate(operator)

    query = {"station": "T-CALENDERING", "parameter": "thickness_um"}
    english = api.get(SPC, query).json()["error"]
    chinese = api.get(SPC, query, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert english["code"] == "spc_unusable"
    assert english["message"] == (
        "No chart of thickness_um at T-CALENDERING can be drawn from these readings."
    )
    assert chinese.status_code == 409
    assert "baseline" not in chinese.json()["error"]["message"]
    assert "无法" in chinese.json()["error"]["message"]
