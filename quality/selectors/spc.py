"""SPC over stored samples: the usable readings of one station parameter, charted and judged."""

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from django.utils.translation import gettext as _

from lines.models import Station
from lines.selectors.sample_series import datetimes, series_points
from mes.errors import RuleViolation
from quality import spc
from quality.models import SpcBaseline, Spec, SpecVersion
from quality.selectors.spc_baselines import baseline_to_dict, spc_baseline_current
from quality.selectors.specs import VersionTimeline, spec_for
from quality.spc_refusals import spc_refusal

logger = logging.getLogger(__name__)

DEFAULT_BASELINE = 100  # leading readings that set the control limits when the spec gives none
MAX_POINTS = 200_000


@dataclass
class SpcSeries:
    sample_ids: np.ndarray
    times: list[datetime]
    values: np.ndarray


@dataclass
class SpcResult:
    """A chart of one series with its rule violations, capability and the spec version it used."""

    station: Station
    parameter: str
    series: SpcSeries
    chart: spc.Chart
    violations: list[spc.RuleViolations]
    capability: spc.Capability | None
    spec: Spec | None
    version: SpecVersion | None
    baseline: SpcBaseline | None = None

    @property
    def limits_source(self) -> str:
        """Where the control limits come from: a stored baseline (Phase II), the spec's LCL/UCL,
        or, provisionally, the first readings of the window itself."""
        if self.baseline is not None:
            return "baseline"
        if (
            self.version is not None
            and self.version.lcl is not None
            and self.version.ucl is not None
        ):
            return "spec"
        return "provisional"

    def to_dict(self) -> dict[str, Any]:
        version = self.version
        return {
            "station": self.station.code,
            "parameter": self.parameter,
            "points": [
                {"sample": int(i), "time": _iso(t), "value": float(v)}
                for i, t, v in zip(
                    self.series.sample_ids, self.series.times, self.series.values, strict=True
                )
            ],
            "chart": self.chart.to_dict(),
            "limits_source": self.limits_source,
            "baseline": baseline_to_dict(self.baseline) if self.baseline else None,
            "violations": [v.to_dict() for v in self.violations],
            "capability": self.capability.to_dict() if self.capability else None,
            "spec": None
            if version is None
            else {
                "version": version.version,
                "lsl": version.lsl,
                "usl": version.usl,
                "target": version.target,
                "lcl": version.lcl,
                "ucl": version.ucl,
            },
        }


def _iso(moment: datetime) -> str:
    # The API's datetime format (DRF): UTC written as Z.
    return moment.isoformat().replace("+00:00", "Z")


def spc_series(
    *,
    station: Station,
    parameter: str,
    since: datetime | None = None,
    until: datetime | None = None,
) -> SpcSeries:
    """Usable readings (good status, not rejected, finite and within the ingest's bound: a stored
    1.7e308 made the mean overflow), oldest first, at most MAX_POINTS newest.

    Every point, hot rows and compacted segments alike (lines.selectors.sample_series), never a
    downsampled one: the figures are the same before and after a compaction."""
    points = series_points(station, parameter, since, until, newest=MAX_POINTS)
    return SpcSeries(sample_ids=points.ids, times=datetimes(points.times), values=points.values)


def spc_chart(
    *,
    station: Station,
    parameter: str,
    since: datetime | None = None,
    until: datetime | None = None,
    subgroup_size: int = 1,
    baseline: int | None = None,
) -> SpcResult:
    """Individuals (n=1) or X-bar/R (n>1) chart with rules and capability.

    Control limits come from the chart's stored baseline (Phase I period chosen by a quality
    engineer; the window is then judged against it, Phase II), else from the spec's LCL/UCL when
    it gives both, else, provisionally, from the first `baseline` readings of the window (default
    DEFAULT_BASELINE). Nelson rules 5-8 run when the spec asks for them.
    """
    series = spc_series(station=station, parameter=parameter, since=since, until=until)
    needed = 2 * subgroup_size if subgroup_size > 1 else 2
    if len(series.values) < needed:
        raise RuleViolation(
            _(
                "No chart of %(parameter)s at %(station)s: %(count)s usable reading(s) in "
                "that window, at least %(needed)s needed."
            )
            % {
                "parameter": parameter,
                "station": station.code,
                "count": len(series.values),
                "needed": needed,
            }
        )
    spec = spec_for(station=station, parameter=parameter)
    version = VersionTimeline(spec).current() if spec else None
    stored = spc_baseline_current(station=station, parameter=parameter)
    overrides = {}
    if stored is not None:
        overrides = {"center": stored.center, "sigma": stored.sigma}
    elif version and version.lcl is not None and version.ucl is not None:
        overrides = {
            "center": (version.ucl + version.lcl) / 2,
            "sigma": (version.ucl - version.lcl) / 6,
        }
    window = baseline or DEFAULT_BASELINE
    # quality.spc is Django-free, so its guards speak plain English; should one fire on what a
    # person asked for, they read a refusal in their own language, and the detail goes to the log.
    try:
        if subgroup_size > 1:
            groups = spc.split_subgroups(series.values, subgroup_size)
            chart = spc.xbar_r_chart(groups, baseline=min(window, len(groups)), **overrides)
            data = groups
        else:
            chart = spc.individuals_chart(
                series.values, baseline=min(window, len(series.values)), **overrides
            )
            data = series.values
        rules = spc.ALL_RULES if spec and spec.nelson_rules else spc.WESTERN_ELECTRIC_RULES
        violations = [v for v in spc.chart_violations(chart, rules=rules) if len(v.indices)]
        cap = None
        # An exact spec (LSL = USL, such as 21 sheets) has no tolerance band to be capable within.
        if version is not None and version.lsl != version.usl:
            cap = spc.capability(
                data, lsl=version.lsl, usl=version.usl, sigma_within=chart.sigma_within
            )
    except ValueError as exc:
        raise spc_refusal(exc, station=station, parameter=parameter) from exc
    return SpcResult(station, parameter, series, chart, violations, cap, spec, version, stored)
