"""The samples API: stored values newest first, filtered, paginated, read-only, in few queries."""

import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest

from lines.models import IngestBatch, Sample, SampleSource
from tests.factories import add_samples, make_cell, make_roll

SAMPLES = "/api/v1/samples/"
T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
BATCH = uuid.UUID("6f0c2a4e-1d3b-4c5a-9e8f-7a6b5c4d3e2f")
LOADING = "ns=2;s=COAT-01.ArealLoading"


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


@pytest.fixture
def stored(plant):
    """Six samples: coater values of roll MR-1, a NaN, a speed, a manual cell value, an unknown node.

    The speed has the same source time as the second loading but a higher id, so it lists first.
    """
    coater, stacker = plant.station("coating"), plant.station("stacking")
    roll, cell = make_roll("MR-1"), make_cell(plant, "C-1")
    batch = IngestBatch.objects.create(batch_id=BATCH, source="bridge@test", received_at=at(5))

    def sample(minutes: int, **fields) -> Sample:
        fields.setdefault("batch", batch)
        return Sample.objects.create(source_time=at(minutes), server_time=at(minutes), **fields)

    loading = {"station": coater, "parameter": "areal_loading_mg_cm2", "node_id": LOADING}
    made = {
        "load_1": sample(0, **loading, value=25.02, unit=roll, position_m=401.2),
        "load_2": sample(1, **loading, value=24.9, unit=roll, position_m=402.0),
        "speed": sample(
            1, station=coater, parameter="web_speed_m_min", node_id="ns=2;s=COAT-01.WebSpeed"
        ),
        "load_nan": sample(
            2, **loading, value=None, raw_value="NaN", rejected_reason="not a number: NaN"
        ),
        "align": sample(
            3,
            station=stacker,
            parameter="alignment_mm",
            value=0.12,
            unit=cell,
            source=SampleSource.MANUAL,
            batch=None,
        ),
        # What the ingest stores for a node the tag map does not know: no station, no parameter.
        "ghost": sample(
            4,
            node_id="ns=2;s=GHOST",
            value=1.0,
            status_code=2150891520,
            rejected_reason="unknown node: not in the tag map",
        ),
    }
    return {sample.id: name for name, sample in made.items()}


def names(stored, response) -> list[str]:
    return [stored[row["id"]] for row in response.json()["results"]]


def test_every_field_of_a_sample_of_a_roll(stored, operator, api):
    api.force_authenticate(operator)
    response = api.get(
        f"{SAMPLES}?{urlencode({'unit': 'MR-1', 'source_before': '2025-03-01T08:01:00Z'})}"
    )
    assert response.status_code == 200
    assert response.json()["results"] == [
        {
            "id": next(pk for pk, name in stored.items() if name == "load_1"),
            "node_id": LOADING,
            "station": "T-COATING",
            "parameter": "areal_loading_mg_cm2",
            "value": 25.02,
            "raw_value": "",
            "source_time": "2025-03-01T08:00:00Z",
            "server_time": "2025-03-01T08:00:00Z",
            "status_code": 0,
            "unit": "MR-1",
            "position_m": 401.2,
            "source": "plc",
            "rejected_reason": "",
            "batch": str(BATCH),
        }
    ]


def test_a_sample_of_an_unknown_node_has_no_station(stored, operator, api):
    ghost = next(pk for pk, name in stored.items() if name == "ghost")
    api.force_authenticate(operator)
    response = api.get(f"{SAMPLES}{ghost}/")
    assert response.status_code == 200
    assert response.json() == {
        "id": ghost,
        "node_id": "ns=2;s=GHOST",
        "station": None,
        "parameter": "",
        "value": 1.0,
        "raw_value": "",
        "source_time": "2025-03-01T08:04:00Z",
        "server_time": "2025-03-01T08:04:00Z",
        "status_code": 2150891520,
        "unit": None,
        "position_m": None,
        "source": "plc",
        "rejected_reason": "unknown node: not in the tag map",
        "batch": str(BATCH),
    }


def test_a_manual_sample_has_no_node_and_no_batch(stored, operator, api):
    api.force_authenticate(operator)
    [row] = api.get(f"{SAMPLES}?unit=C-1").json()["results"]
    assert (row["node_id"], row["source"], row["batch"], row["station"], row["value"]) == (
        "",
        "manual",
        None,
        "T-STACKING",
        0.12,
    )


def test_a_rejected_sample_keeps_what_arrived(stored, operator, api):
    api.force_authenticate(operator)
    response = api.get(f"{SAMPLES}?{urlencode({'tag': LOADING, 'rejected': 'true'})}")
    [row] = response.json()["results"]
    assert (row["value"], row["raw_value"], row["rejected_reason"]) == (
        None,
        "NaN",
        "not a number: NaN",
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["ghost", "align", "load_nan", "speed", "load_2", "load_1"]),
        (
            {"station": "T-COATING", "parameter": "areal_loading_mg_cm2"},
            ["load_nan", "load_2", "load_1"],
        ),
        ({"station": "T-COATING"}, ["load_nan", "speed", "load_2", "load_1"]),
        ({"parameter": "web_speed_m_min"}, ["speed"]),
        ({"tag": LOADING}, ["load_nan", "load_2", "load_1"]),
        ({"tag": "ns=2;s=GHOST"}, ["ghost"]),
        ({"unit": "MR-1"}, ["load_2", "load_1"]),
        ({"unit": "C-1"}, ["align"]),
        ({"rejected": "true"}, ["ghost", "load_nan"]),
        ({"rejected": "false"}, ["align", "speed", "load_2", "load_1"]),
        (
            {"source_after": "2025-03-01T08:01:00Z"},
            ["ghost", "align", "load_nan", "speed", "load_2"],
        ),
        ({"source_before": "2025-03-01T08:01:00Z"}, ["load_1"]),
        (
            {"source_after": "2025-03-01T09:01:00+01:00", "source_before": "2025-03-01T08:03:00Z"},
            ["load_nan", "speed", "load_2"],
        ),
        ({"station": "NOWHERE"}, []),
        ({"unit": "C-404"}, []),
    ],
)
def test_each_filter_newest_first(stored, operator, api, query, expected):
    api.force_authenticate(operator)
    response = api.get(f"{SAMPLES}?{urlencode(query)}")
    assert response.status_code == 200
    assert names(stored, response) == expected


@pytest.mark.parametrize("query", ["source_after=yesterday", "source_before=2025-13-01T00:00:00Z"])
def test_a_malformed_time_is_a_400_naming_it(operator, api, query):
    api.force_authenticate(operator)
    response = api.get(f"{SAMPLES}?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert list(response.json()["error"]["fields"]) == [query.split("=")[0]]


def test_an_unknown_sample_id_is_a_404_naming_it(operator, api):
    api.force_authenticate(operator)
    response = api.get(f"{SAMPLES}999/")
    assert response.status_code == 404
    assert response.json()["error"]["fields"] == {"id": ["No sample with id 999."]}


def test_a_page_of_samples_takes_three_queries_whatever_its_size(
    plant, operator, api, django_assert_max_num_queries
):
    roll = make_roll("MR-1")
    batch = IngestBatch.objects.create(batch_id=BATCH, received_at=T0)
    made = add_samples(
        plant.station("coating"),
        "dry_thickness_um",
        [float(n) for n in range(55)],
        unit=roll,
        at=T0,
    )
    Sample.objects.filter(pk__in=[s.pk for s in made]).update(batch=batch)
    api.force_authenticate(operator)

    # The segments that may hold an answer (read once for count and page: a page may span hot
    # and compacted samples, lines/selectors/samples.py), the hot count and the hot page with
    # its related rows joined; the related rows of compacted samples, when any, one each.
    with django_assert_max_num_queries(3):
        first = api.get(SAMPLES).json()

    assert (first["count"], len(first["results"]), first["next"]) == (
        55,
        50,
        "http://testserver/api/v1/samples/?page=2",
    )
    rows = first["results"]
    assert [row["value"] for row in rows[:3]] == [54.0, 53.0, 52.0]  # same time: newest id first
    assert {(row["station"], row["unit"], row["batch"]) for row in rows} == {
        ("T-COATING", "MR-1", str(BATCH))
    }
    assert [row["value"] for row in api.get(first["next"]).json()["results"]] == [
        4.0,
        3.0,
        2.0,
        1.0,
        0.0,
    ]


@pytest.mark.parametrize("persona", ["operator", "integration", "quality_engineer"])
def test_no_role_can_write_samples(stored, api, request, persona):
    before = list(Sample.objects.order_by("id").values())
    one = f"{SAMPLES}{next(iter(stored))}/"
    api.force_authenticate(request.getfixturevalue(persona))

    answers = [
        api.post(SAMPLES, {"parameter": "x", "value": 1}, format="json"),
        api.put(one, {"value": 2}, format="json"),
        api.patch(one, {"value": 2}, format="json"),
        api.delete(one),
    ]

    assert [(a.status_code, a.json()["error"]["code"]) for a in answers] == [
        (405, "method_not_allowed")
    ] * 4
    assert list(Sample.objects.order_by("id").values()) == before


def test_anonymous_is_a_401(api):
    assert api.get(SAMPLES).status_code == 401
