"""Which stored readings count as measurements."""

import math
from typing import TypeGuard

from django.db.models import Q, QuerySet

from lines.models import Sample
from lines.telemetry_bounds import MAX_ABS_VALUE

# A stored value within the ingest's bound (lines/telemetry_bounds.py). PostgreSQL orders NaN
# above every number, so the range leaves out NaN and both infinities too: rows an older ingest
# or a form stored as usable (a finite 1.7e308 made SPC's mean overflow).
USABLE_VALUE = Q(value__gte=-MAX_ABS_VALUE, value__lte=MAX_ABS_VALUE)


def usable_samples(samples: QuerySet[Sample]) -> QuerySet[Sample]:
    """The readings that may be judged or charted: accepted by the ingest, Good OPC UA status, a
    value within the ingest's bound. Callers that compute on what they read also check
    is_usable_value (the same test, in Python)."""
    return samples.filter(USABLE_VALUE, rejected_reason="", status_code=0)


def is_usable_value(value: float | None) -> TypeGuard[float]:
    return value is not None and math.isfinite(value) and abs(value) <= MAX_ABS_VALUE
