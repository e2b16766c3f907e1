"""lines/selectors/sample_columns.py answers the samples lines/selectors/samples.py does, column
for column, hot, compacted and split; a hot row and its compacted copy count once."""

import math
from datetime import timedelta

import numpy as np
import pytest

from lines.models import Sample
from lines.sample_segments import moment_of
from lines.selectors import sample_columns, samples
from lines.selectors.sample_columns import NO_STATION, NO_UNIT
from lines.selectors.telemetry import is_usable_value
from lines.services.telemetry_compaction import samples_compact
from tests.lines.test_samples_selector_compacted import FAR_FUTURE, T0, mixed, wheres

__all__ = ["mixed"]  # the fixture, shared


def as_columns(found: list[Sample]) -> list[tuple]:
    return [
        (
            s.pk,
            s.source_time,
            NO_STATION if s.station_id is None else s.station_id,
            NO_UNIT if s.unit_id is None else s.unit_id,
            s.parameter,
            None if s.value is None else s.value,
            s.status_code,
            bool(s.rejected_reason),
            is_usable_value(s.value) and s.status_code == 0 and not s.rejected_reason,
        )
        for s in found
    ]


def read(where) -> list[tuple]:
    c = sample_columns.columns(where)
    at = [moment_of(us) for us in c.source_us.tolist()]
    values = [None if math.isnan(v) else v for v in c.value.tolist()]
    return list(
        zip(
            c.id.tolist(), at, c.station_id.tolist(), c.unit_id.tolist(), c.parameter.tolist(),
            values,
            c.status.tolist(), c.rejected.tolist(), c.usable().tolist(), strict=True,
        )
    )  # fmt: skip


@pytest.mark.parametrize("before", [None, T0 + timedelta(minutes=95), FAR_FUTURE])
def test_the_columns_are_the_samples(mixed, before):
    if before is not None:
        assert samples_compact(before=before).samples > 0
    for where in wheres(mixed):
        assert read(where) == as_columns(samples.samples(where)), where


def test_a_sample_both_hot_and_compacted_is_read_once(mixed):
    """A compaction committing between the hot read and the segments' read: both hold it."""
    roll = mixed["units"][0]
    where = samples.Where(units=[roll.pk])
    before = sample_columns.columns(where)
    kept = list(Sample.objects.filter(unit=roll).order_by("id"))
    samples_compact(before=FAR_FUTURE)
    Sample.objects.bulk_create(kept)  # the same ids again, as hot rows
    after = sample_columns.columns(where)
    assert after.id.tolist() == before.id.tolist()
    assert np.array_equal(after.value, before.value, equal_nan=True)


def test_nothing_asked_nothing_read(mixed, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert len(sample_columns.columns(samples.Where(units=[]))) == 0
