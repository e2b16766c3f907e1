"""What the station screen shows from quality: limits in force, verdicts, hold reasons.

lines never imports quality: quality registers this module in lines.hooks.STATION_QUALITY
(QualityConfig.ready) and the screens read it through lines.web.station_quality. Writes still go
through lines.services, whose hooks let quality judge and hold.
"""

from django.db.models import Q
from django.utils.translation import gettext as _

from lines.models import Station, Unit
from lines.web.station_quality import SpecLimits
from quality.choices import HoldState
from quality.evaluation import ABOVE_USL, BELOW_LSL, IN_SPEC, Limits, evaluate
from quality.models import Hold, Spec, SpecVersion
from quality.selectors.specs import VersionTimeline, recipe_for, spec_for


def limits_for(*, station: Station, parameter: str, unit: Unit | None) -> SpecLimits | None:
    """The limits in force for a parameter at the station (for the unit's recipe, if any)."""
    recipe = recipe_for(route_id=unit.route_id if unit else None, station_kind=station.kind)
    spec = spec_for(station=station, parameter=parameter, recipe_id=recipe)
    return _limits(spec) if spec else None


def _limits(spec: Spec) -> SpecLimits | None:
    version: SpecVersion | None = VersionTimeline(spec).current()
    if version is None:
        return None
    return SpecLimits(
        spec.parameter, spec.unit_of_measure, version.lsl, version.usl, version.target
    )


def measurable_specs(*, station: Station, unit: Unit) -> list[SpecLimits]:
    """The parameters with a spec at this station, each with the limits for this unit."""
    parameters = Spec.objects.filter(
        Q(station=station) | Q(station__isnull=True, station_kind=station.kind)
    ).values_list("parameter", flat=True)
    found = [limits_for(station=station, parameter=p, unit=unit) for p in sorted(set(parameters))]
    return [limits for limits in found if limits is not None]


def verdict_text(
    value: float | None, limits: SpecLimits | None, status_code: int = 0
) -> tuple[str, bool]:
    """(what to show, out of spec?) for a value against its limits."""
    if limits is None:
        return _("No spec"), False
    verdict = evaluate(
        [float("nan") if value is None else value], [status_code], Limits(limits.lsl, limits.usl)
    )[0]
    if verdict == IN_SPEC:
        return _("In spec"), False
    if verdict == BELOW_LSL:
        return _("Out of spec: below LSL %(lsl)s") % {"lsl": f"{limits.lsl:g}"}, True
    if verdict == ABOVE_USL:
        return _("Out of spec: above USL %(usl)s") % {"usl": f"{limits.usl:g}"}, True
    return _("Unusable value (sensor or signal fault)"), True


def hold_reasons(*, unit: Unit) -> list[str]:
    """Why the unit is held: the reason of each active hold it belongs to, oldest first."""
    holds = Hold.objects.filter(members__unit=unit, state=HoldState.ACTIVE).order_by(
        "placed_at", "id"
    )
    return [hold.reason_shown for hold in holds.only("reason", "reason_code", "reason_params")]
