"""Reading SPC baselines: the chart's current one and its history."""

from datetime import datetime
from typing import Any

from lines.models import Station
from quality.models import SpcBaseline


def spc_baseline_current(*, station: Station, parameter: str) -> SpcBaseline | None:
    """The latest baseline of a chart, with who set it; None while its limits are provisional."""
    return (
        SpcBaseline.objects.select_related("set_by", "station")
        .filter(station=station, parameter=parameter)
        .order_by("-version")
        .first()
    )


def baseline_to_dict(baseline: SpcBaseline) -> dict[str, Any]:
    """The baseline as the API answers it (times in UTC, written with Z)."""
    return {
        "station": baseline.station.code,
        "parameter": baseline.parameter,
        "version": baseline.version,
        "period_from": _iso(baseline.period_from),
        "period_to": _iso(baseline.period_to),
        "readings": baseline.readings,
        "center": baseline.center,
        "sigma": baseline.sigma,
        "set_by": baseline.set_by.username,
        "set_at": _iso(baseline.set_at),
        "reason": baseline.reason,
    }


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
