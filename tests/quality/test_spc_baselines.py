"""SPC baselines: a quality engineer signs the period when the process ran in control (Phase I),
and every window is then judged against its limits (Phase II), not against limits computed from
the window itself, faults included.

The series: 60 readings of a fault (loading low, around 24.55), then 200 in control around
25.00. Limits from the window's first 100 readings (the old behaviour, still the provisional
one) sit below where the process runs; the baseline's are centred on it.
"""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from lines.models import Sample
from mes import roles
from mes.errors import InvalidInput, RuleViolation
from quality.models import AuditEntry, SpcBaseline
from quality.selectors.spc import spc_chart
from quality.services.spc_baselines import spc_baseline_set
from tests.factories import PASSWORD, make_spec, make_user
from tests.lines.test_concurrency import _race as race

LOADING = "areal_loading_mg_cm2"
T0 = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
STEP = timedelta(minutes=1)
WIGGLE = [0.02, -0.03, 0.01, 0.04, -0.02, -0.01, 0.03, -0.04, 0.0, 0.02]
FAULT = [24.55 + w for w in WIGGLE] * 6
IN_CONTROL = [25.0 + w for w in WIGGLE] * 20
IN_CONTROL_FROM = T0 + len(FAULT) * STEP
IN_CONTROL_TO = T0 + (len(FAULT) + len(IN_CONTROL) - 1) * STEP


def store(station, values: list[float], start: datetime) -> None:
    Sample.objects.bulk_create(
        Sample(
            station=station,
            parameter=LOADING,
            value=value,
            source_time=start + i * STEP,
            server_time=start + i * STEP,
        )
        for i, value in enumerate(values)
    )


@pytest.fixture
def coater(plant):
    make_spec(LOADING, "coating", lsl=24.5, usl=25.5, target=25.0, uom="mg/cm2")
    station = plant.station("coating")
    store(station, FAULT + IN_CONTROL, T0)
    return station


def sign(station, user, *, replaces=None, password=PASSWORD, reason="steady week after service"):
    return spc_baseline_set(
        station=station,
        parameter=LOADING,
        period_from=IN_CONTROL_FROM,
        period_to=IN_CONTROL_TO,
        replaces=replaces,
        user=user,
        password=password,
        reason=reason,
    )


def test_without_a_baseline_the_limits_are_provisional_and_sit_below_the_process(coater):
    result = spc_chart(station=coater, parameter=LOADING)

    assert result.limits_source == "provisional"
    assert result.baseline is None
    assert result.chart.limits.center == pytest.approx(np.mean((FAULT + IN_CONTROL)[:100]))
    assert result.chart.limits.ucl < 25.0  # the in-control process runs above the UCL


def test_the_window_is_judged_against_the_signed_baseline(coater, quality_engineer):
    baseline = sign(coater, quality_engineer)

    result = spc_chart(station=coater, parameter=LOADING)

    assert (baseline.version, baseline.readings) == (1, 200)
    assert baseline.center == pytest.approx(np.mean(IN_CONTROL))
    mr_bar = np.mean(np.abs(np.diff(IN_CONTROL)))
    assert baseline.sigma == pytest.approx(mr_bar / 1.128)
    assert result.limits_source == "baseline"
    assert result.to_dict()["limits_source"] == "baseline"
    assert result.to_dict()["baseline"]["set_by"] == quality_engineer.username
    assert result.chart.limits.center == pytest.approx(25.002)
    rule_1 = next(v for v in result.violations if v.rule == 1).indices.tolist()
    assert rule_1 == list(range(len(FAULT)))  # every fault reading, no in-control one
    marked = {i for v in result.violations for i in v.indices.tolist()}
    assert marked <= set(range(len(FAULT)))


def test_the_baseline_is_audited_with_who_when_and_what_it_replaced(coater, quality_engineer):
    first = sign(coater, quality_engineer)
    second = sign(coater, quality_engineer, replaces=1, reason="new gauge calibrated")

    entries = AuditEntry.objects.filter(entity="spc_baseline").order_by("seq")
    assert [(e.entity_id, e.action) for e in entries] == [
        (first.pk, "set"),
        (second.pk, "replaced"),
    ]
    assert entries[1].before["version"] == 1 and entries[1].after["version"] == 2
    assert entries[1].reason == "new gauge calibrated"
    assert second.set_by == quality_engineer
    assert spc_chart(station=coater, parameter=LOADING).baseline == second


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"password": "wrong"}, "password"),
        ({"reason": "  "}, "reason"),
    ],
)
def test_an_unsigned_baseline_changes_nothing(coater, quality_engineer, change, field):
    with pytest.raises(InvalidInput) as refused:
        sign(coater, quality_engineer, **change)

    assert refused.value.field == field
    assert not SpcBaseline.objects.exists()
    assert not AuditEntry.objects.filter(entity="spc_baseline").exists()


def test_an_operator_cannot_set_a_baseline(coater, operator):
    from mes.errors import Forbidden

    with pytest.raises(Forbidden):
        sign(coater, operator)
    assert not SpcBaseline.objects.exists()


def test_a_period_with_too_few_readings_is_refused(coater, quality_engineer):
    with pytest.raises(InvalidInput) as refused:
        spc_baseline_set(
            station=coater,
            parameter=LOADING,
            period_from=IN_CONTROL_FROM,
            period_to=IN_CONTROL_FROM + 5 * STEP,
            replaces=None,
            user=quality_engineer,
            password=PASSWORD,
            reason="short",
        )
    assert "at least 20" in refused.value.message
    assert not SpcBaseline.objects.exists()


def test_replacing_a_baseline_one_has_not_seen_is_refused(coater, quality_engineer):
    sign(coater, quality_engineer)

    with pytest.raises(RuleViolation) as refused:
        sign(coater, quality_engineer, replaces=None, reason="from a stale page")

    assert refused.value.code == "baseline_changed"
    assert list(SpcBaseline.objects.values_list("version", flat=True)) == [1]


@pytest.mark.django_db(transaction=True)
def test_two_engineers_signing_at_once_exactly_one_wins(plant):
    """Both saw no baseline and sign at the same moment: the station's row lock (PostgreSQL) or
    the IMMEDIATE transaction (SQLite) serialises them, and the second finds the version it
    meant to replace gone. One baseline, one audit row, one refusal that says why."""
    make_spec(LOADING, "coating", lsl=24.5, usl=25.5, target=25.0, uom="mg/cm2")
    station = plant.station("coating")
    store(station, FAULT + IN_CONTROL, T0)
    engineers = [make_user(f"qe-{n}", roles.QUALITY_ENGINEER) for n in range(2)]

    wins, refusals = race(*(lambda user=user: sign(station, user) for user in engineers))

    assert len(wins) == 1 and len(refusals) == 1
    assert refusals[0].code == "baseline_changed"
    stored = list(SpcBaseline.objects.all())
    assert [(b.version, b.set_by_id) for b in stored] == [(1, wins[0].set_by_id)]
    assert AuditEntry.objects.filter(entity="spc_baseline").count() == 1


def _body(**change):
    return {
        "station": "T-COATING",
        "parameter": LOADING,
        "period_from": IN_CONTROL_FROM.isoformat(),
        "period_to": IN_CONTROL_TO.isoformat(),
        "reason": "steady week after service",
        "password": PASSWORD,
        **change,
    }


def test_the_api_signs_a_baseline_and_the_chart_answers_with_it(coater, quality_engineer, api):
    api.force_authenticate(quality_engineer)

    created = api.post("/api/v1/spc/baseline/", _body(), format="json")
    chart = api.get("/api/v1/spc/", {"station": "T-COATING", "parameter": LOADING}).json()

    assert created.status_code == 201, created.json()
    assert created.json()["version"] == 1
    assert created.json()["readings"] == 200
    assert created.json()["set_by"] == quality_engineer.username
    assert chart["limits_source"] == "baseline"
    assert chart["baseline"]["version"] == 1
    assert chart["chart"]["limits"]["center"] == pytest.approx(np.mean(IN_CONTROL))


def test_the_api_refuses_a_stale_replace_and_an_operator(coater, quality_engineer, operator, api):
    api.force_authenticate(quality_engineer)
    assert api.post("/api/v1/spc/baseline/", _body(), format="json").status_code == 201

    stale = api.post("/api/v1/spc/baseline/", _body(), format="json")
    api.force_authenticate(operator)
    forbidden = api.post("/api/v1/spc/baseline/", _body(replaces=1), format="json")

    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "baseline_changed"
    assert forbidden.status_code == 403
    assert SpcBaseline.objects.count() == 1


def test_the_page_keeps_the_input_when_the_password_is_wrong(coater, quality_engineer, client):
    client.force_login(quality_engineer)
    url = f"/quality/spc/T-COATING/{LOADING}/baseline/"

    answer = client.post(
        url,
        {
            "period_from": "2026-11-02T07:00",
            "period_to": "2026-11-02T09:19",
            "reason": "steady",
            "password": "wrong",
            "replaces": "",
        },
    )

    assert answer.status_code == 400
    page = answer.content.decode()
    assert "The password is not correct; nothing was signed." in page
    assert 'value="2026-11-02T07:00"' in page and ">\nsteady</textarea>" in page
    assert not SpcBaseline.objects.exists()
