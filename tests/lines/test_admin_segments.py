"""The admin shows compacted telemetry, read-only: a segment's series, counts and stored size."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import User

from lines.models import Sample, SampleSegment
from lines.services.telemetry_compaction import samples_compact

T = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def segment(plant) -> SampleSegment:
    station = plant.station("coating")
    Sample.objects.bulk_create(
        Sample(
            station=station,
            parameter="areal_loading_mg_cm2",
            node_id="ns=2;s=COAT.ArealLoading",
            value=25.0 + i / 100,
            source_time=T + timedelta(seconds=i),
            server_time=T + timedelta(seconds=i),
        )
        for i in range(120)
    )
    samples_compact(before=T + timedelta(hours=1))
    return SampleSegment.objects.get()


@pytest.fixture
def admin_client_(client, db):
    client.force_login(User.objects.create_superuser("admin", password="x" * 16))
    return client


def test_a_segment_is_listed_and_shown_with_its_size_and_never_editable(segment, admin_client_):
    listed = admin_client_.get("/admin/lines/samplesegment/")
    assert listed.status_code == 200 and "areal_loading_mg_cm2" in listed.text
    shown = admin_client_.get(f"/admin/lines/samplesegment/{segment.pk}/change/")
    assert shown.status_code == 200
    assert f"{len(segment.data)}" in shown.text and "120" in shown.text
    assert 'name="_save"' not in shown.text
    assert admin_client_.get("/admin/lines/samplesegment/add/").status_code == 403
    deleted = admin_client_.post(
        f"/admin/lines/samplesegment/{segment.pk}/delete/", {"post": "yes"}
    )
    assert deleted.status_code == 403 and SampleSegment.objects.filter(pk=segment.pk).exists()
