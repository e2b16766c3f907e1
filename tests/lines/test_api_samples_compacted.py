"""The samples API answers the same, byte for byte, before and after its samples are compacted:
every filter, every page (a page spanning hot and compacted samples), a sample by id."""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest

from lines.models import IngestBatch, Sample
from lines.services.telemetry_compaction import samples_compact
from tests.factories import add_samples, make_roll
from tests.lines.test_api_samples import SAMPLES, at, stored  # noqa: F401  # the fixture

FAR_FUTURE = datetime(2100, 1, 1, tzinfo=UTC)
QUERIES = [
    {},
    {"station": "T-COATING", "parameter": "areal_loading_mg_cm2"},
    {"station": "T-COATING"},
    {"parameter": "web_speed_m_min"},
    {"tag": "ns=2;s=COAT-01.ArealLoading"},
    {"tag": "ns=2;s=GHOST"},
    {"unit": "MR-1"},
    {"unit": "C-1"},
    {"rejected": "true"},
    {"rejected": "false"},
    {"source_after": "2025-03-01T08:01:00Z"},
    {"source_before": "2025-03-01T08:01:00Z"},
    {"source_after": "2025-03-01T09:01:00+01:00", "source_before": "2025-03-01T08:03:00Z"},
    {"station": "NOWHERE"},
    {"unit": "C-404"},
]


def every_answer(api, ids) -> dict:
    answers = {urlencode(q): api.get(f"{SAMPLES}?{urlencode(q)}").json() for q in QUERIES}
    answers |= {f"id {pk}": api.get(f"{SAMPLES}{pk}/").json() for pk in ids}
    return answers


def test_every_filter_and_sample_the_same_once_compacted(stored, operator, api):  # noqa: F811
    api.force_authenticate(operator)
    hot = every_answer(api, stored)
    assert len(hot["station=T-COATING"]["results"]) == 4

    assert samples_compact(before=FAR_FUTURE).samples == 6
    assert not Sample.objects.exists()
    assert every_answer(api, stored) == hot


def pages(api, query: str = "") -> list[dict]:
    out, url = [], f"{SAMPLES}?{query}"
    while url:
        out.append(api.get(url).json())
        url = out[-1]["next"]
    return out


@pytest.mark.parametrize("before", [at(40), at(61), FAR_FUTURE])
def test_the_same_pages_when_a_page_spans_hot_and_compacted_samples(plant, operator, api, before):
    """130 samples one every 30 s (13 buckets); compacted up to a time inside a page."""
    roll = make_roll("MR-1")
    batch = IngestBatch.objects.create(
        batch_id="6f0c2a4e-1d3b-4c5a-9e8f-7a6b5c4d3e2f", received_at=at(0)
    )
    coater = plant.station("coating")
    for i in range(130):
        made = add_samples(
            coater,
            "dry_thickness_um",
            [float(i)],
            unit=roll if i % 3 else None,
            at=at(0) + timedelta(seconds=30 * i),
            positions=[float(i)],
        )
        Sample.objects.filter(pk=made[0].pk).update(batch=batch)
    api.force_authenticate(operator)
    queries = [
        "",
        "unit=MR-1",
        "source_after=2025-03-01T08:20:00Z&source_before=2025-03-01T09:00:00Z",
    ]
    hot = {q: pages(api, q) for q in queries}
    assert [len(p["results"]) for p in hot[""]] == [50, 50, 30]

    compacted = samples_compact(before=before)
    assert 0 < compacted.samples
    assert {q: pages(api, q) for q in queries} == hot
