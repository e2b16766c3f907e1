"""What quality records refer to in telemetry, for retention (lines/hooks.py
RETENTION_REFERENCES; docs/telemetry.md, "Retention"): those samples are kept the product period
even when no unit is attributed to them.

- A flag: its samples by id, and its station parameter's samples around the time it was raised,
  the readings its page shows as context (quality.selectors.flag_queue).
- An SPC baseline: every reading of its period, which set the chart's limits.
Holds and NCRs refer to units and flags: a unit's samples are kept as a unit's, a flag's as above.
"""

from collections.abc import Iterator
from datetime import timedelta

from lines.services.telemetry_retention import Referenced
from quality.models import Flag, SpcBaseline

FLAG_CONTEXT = timedelta(minutes=30)


def telemetry_references() -> Iterator[Referenced]:
    flags = Flag.objects.order_by().values_list(
        "station_id", "parameter", "sample_ids", "raised_at"
    )
    for station_id, parameter, sample_ids, raised_at in flags.iterator(chunk_size=5000):
        yield Referenced(
            station_id=station_id,
            parameter=parameter,
            sample_ids=tuple(int(i) for i in sample_ids or ()),
            start=raised_at - FLAG_CONTEXT,
            end=raised_at + FLAG_CONTEXT,
        )
    baselines = SpcBaseline.objects.order_by().values_list(
        "station_id", "parameter", "period_from", "period_to"
    )
    for station_id, parameter, start, end in baselines.iterator():
        yield Referenced(station_id=station_id, parameter=parameter, start=start, end=end)
