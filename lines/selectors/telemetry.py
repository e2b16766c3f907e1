"""Which stored readings count as measurements."""

import math

from django.db.models import QuerySet

from lines.models import Sample


def usable_samples(samples: QuerySet[Sample]) -> QuerySet[Sample]:
    """The readings that may be judged or charted: accepted by the ingest, Good OPC UA status, a
    value. PostgreSQL keeps NaN as a value (SQLite stores NULL), so callers also check
    is_usable_value on what they read."""
    return samples.filter(rejected_reason="", status_code=0, value__isnull=False)


def is_usable_value(value: float | None) -> bool:
    return value is not None and math.isfinite(value)
