"""Reading SPC baselines: the chart's current one and its history."""

from lines.models import Station
from quality.models import SpcBaseline


def spc_baseline_current(*, station: Station, parameter: str) -> SpcBaseline | None:
    """The latest baseline of a chart, with who set it; None while its limits are provisional."""
    return (
        SpcBaseline.objects.select_related("set_by")
        .filter(station=station, parameter=parameter)
        .order_by("-version")
        .first()
    )
