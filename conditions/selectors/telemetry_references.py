"""What conditions' records refer to in telemetry, for retention (lines/hooks.py
RETENTION_REFERENCES; docs/telemetry.md, "Retention"): a lot's exposure account was accrued
from its zone's dew point and flagged from its H2S while the lot was open there. Those readings
are raw telemetry (no unit is attributed to a zone's air), so without this they would go with
the raw period while the account they explain is kept for the product's."""

from collections.abc import Iterator

from conditions.models import ExposurePeriod
from conditions.services.exposure_accrual import DEW_POINT, H2S
from lines.services.telemetry_retention import Referenced


def telemetry_references() -> Iterator[Referenced]:
    periods = ExposurePeriod.objects.order_by().values_list(
        "zone__station_id", "opened_at", "closed_at", "accrued_until"
    )
    for station_id, opened_at, closed_at, accrued_until in periods.iterator(chunk_size=5000):
        for parameter in (DEW_POINT, H2S):
            yield Referenced(
                station_id=station_id,
                parameter=parameter,
                start=opened_at,
                end=closed_at or accrued_until,
            )
