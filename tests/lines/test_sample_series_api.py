"""GET /api/v1/series/: a station parameter's min/max buckets over a window, and its refusals."""

from datetime import UTC, datetime, timedelta

import pytest

from lines.models import Sample
from lines.services.telemetry_compaction import samples_compact

SERIES = "/api/v1/series/"
T0 = datetime(2026, 9, 1, 0, 0, tzinfo=UTC)


@pytest.fixture
def coater(plant):
    station = plant.station("coating")
    rows = [
        Sample(station=station, parameter="loading", value=float(i % 10), status_code=0,
               source_time=T0 + timedelta(seconds=i), server_time=T0 + timedelta(seconds=i))
        for i in range(7200)  # two hours at 1 Hz
    ]  # fmt: skip
    rows[4000].value = 42.0
    rows[4001].status_code = 0x80000000
    rows[4001].value = 1000.0  # Bad status: not in any bucket
    Sample.objects.bulk_create(rows)
    samples_compact(before=T0 + timedelta(hours=1, minutes=3))  # the first hour and a bit
    return station


def _query(**changes):
    query = {
        "station": "T-COATING",
        "parameter": "loading",
        "source_after": "2026-09-01T00:00:00Z",
        "source_before": "2026-09-01T02:00:00Z",
        "points": "12",
    }
    return {k: v for k, v in {**query, **changes}.items() if v is not None}


def test_buckets_of_a_window_half_compacted(coater, operator, api):
    api.force_authenticate(operator)

    response = api.get(SERIES, _query())

    assert response.status_code == 200
    body = response.json()
    assert body["bucket_seconds"] == 600.0
    assert (body["station"], body["parameter"]) == ("T-COATING", "loading")
    buckets = body["buckets"]
    assert len(buckets) == 12
    assert buckets[0] == {"start": "2026-09-01T00:00:00Z", "min": 0.0, "max": 9.0, "count": 600}
    spiked = buckets[4000 // 600]
    assert (spiked["max"], spiked["count"]) == (42.0, 599)
    assert sum(b["count"] for b in buckets) == 7199


def test_an_empty_window_answers_no_buckets(coater, operator, api):
    api.force_authenticate(operator)
    response = api.get(SERIES, _query(source_after="2026-08-01T00:00:00Z",
                                      source_before="2026-08-02T00:00:00Z"))  # fmt: skip
    assert response.status_code == 200
    assert response.json()["buckets"] == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"source_before": "2026-09-01T00:00:00Z"}, "source_before"),  # empty window
        ({"source_before": "2026-08-31T00:00:00Z"}, "source_before"),  # inverted
        ({"source_before": "2027-12-01T00:00:00Z"}, "source_before"),  # beyond 400 days
        ({"points": "0"}, "points"),
        ({"points": "10001"}, "points"),
        ({"points": "1.5"}, "points"),
        ({"source_after": "yesterday"}, "source_after"),
        ({"source_after": None}, "source_after"),
        ({"parameter": None}, "parameter"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(coater, operator, api, changes, field):
    api.force_authenticate(operator)
    response = api.get(SERIES, _query(**changes))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert list(error["fields"]) == [field]


def test_an_unknown_station_is_a_404_as_every_reference(coater, operator, api):
    api.force_authenticate(operator)
    response = api.get(SERIES, _query(station="NOPE"))
    assert response.status_code == 404
    assert list(response.json()["error"]["fields"]) == ["station"]


def test_refusals_are_translated(coater, operator, api):
    api.force_authenticate(operator)
    inverted = api.get(
        SERIES, _query(source_before="2026-08-31T00:00:00Z"), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    too_long = api.get(
        SERIES, _query(source_before="2027-12-01T00:00:00Z"), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert inverted.json()["error"]["fields"]["source_before"] == ["时间窗口的结束必须晚于开始。"]
    assert too_long.json()["error"]["fields"]["source_before"] == ["时间窗口最长为 400 天。"]


def test_only_signed_in_users_read_it(coater, api):
    assert api.get(SERIES, _query()).status_code == 401
