"""What the station screen shows from quality: limits in force, verdicts, hold reasons.

lines never imports quality: quality registers this module in lines.hooks.STATION_QUALITY
(QualityConfig.ready) and the screens read it through lines.web.station_quality. Writes still go
through lines.services, whose hooks let quality judge and hold.
"""

from django.db.models import Q
from django.utils.translation import gettext as _

from lines.models import Operation, Station, Unit
from lines.selectors import is_usable_value, samples
from lines.web.station_quality import (
    CHECK_IN,
    CHECK_MISSING,
    CHECK_OUT,
    BrokenRule,
    ChecklistItem,
    SpecLimits,
)
from quality.choices import FlagKind, HoldState
from quality.evaluation import ABOVE_USL, BELOW_LSL, IN_SPEC, Limits, evaluate
from quality.models import Flag, Hold, Spec, SpecVersion
from quality.selectors.spec_cache import SpecResolver
from quality.selectors.specs import VersionTimeline, recipe_for, spec_for
from quality.services.gates import FIGURES_AFTER_END, USABLE_LOOKBACK


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


def checklist(*, station: Station, unit: Unit, operation: Operation) -> list[ChecklistItem]:
    """The specs measured at this station, gate requirements of the operation's step first, each
    with the unit's latest usable reading of it (as the gate reads it: a reading of this unit at
    a station of this kind, whether the PLC or an operator gave it) and its verdict."""
    specs = SpecResolver()
    required = {
        r.spec.parameter
        for r in specs.requirements(operation.step_id)
        # Figures of a whole profile exist only once the operation has ended (gates.py).
        if r.spec.parameter not in FIGURES_AFTER_END
    }
    shown = {limits.parameter: limits for limits in measurable_specs(station=station, unit=unit)}
    for parameter in required - shown.keys():
        limits = limits_for(station=station, parameter=parameter, unit=unit)
        if limits is not None:
            shown[parameter] = limits
    items = [
        _checked(unit, station, limits, required=limits.parameter in required)
        for limits in shown.values()
    ]
    return sorted(items, key=lambda item: (not item.required, item.spec.parameter))


def _checked(unit: Unit, station: Station, limits: SpecLimits, *, required: bool) -> ChecklistItem:
    wanted = samples.Where(
        units=[unit.pk], parameters=[limits.parameter], station_kind=station.kind, usable=True
    )
    recent = [(s.source_time, s.value, s.source) for s in samples.newest(wanted, USABLE_LOOKBACK)]
    latest = next(
        ((at, value, source) for at, value, source in recent if is_usable_value(value)), None
    )
    if latest is None:
        return ChecklistItem(limits, required, CHECK_MISSING)
    at, value, source = latest
    verdict = evaluate([value], [0], Limits(limits.lsl, limits.usl))[0]
    state = CHECK_IN if verdict == IN_SPEC else CHECK_OUT
    return ChecklistItem(limits, required, state, value, source, at)


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


def rules_broken(*, raised: list[object]) -> list[BrokenRule]:
    """The spec limits a recording broke (`raised`: the flags its judgement raised, as
    lines.hooks.AFTER_INGEST reports them), each with the active hold it placed, if any."""
    flags = [
        flag
        for flag in raised
        if isinstance(flag, Flag) and flag.kind in (FlagKind.OUT_OF_SPEC, FlagKind.DATA_QUALITY)
    ]
    holds = dict(
        Hold.objects.filter(flag__in=flags, state=HoldState.ACTIVE).values_list("flag_id", "pk")
    )
    return [_broken(flag, holds.get(flag.pk)) for flag in flags]


def _broken(flag: Flag, hold: int | None) -> BrokenRule:
    version = flag.spec_version
    bound = flag.limit[:3] if flag.limit[:3] in ("LSL", "USL") else ""
    limit = None
    if version is not None and bound:
        limit = version.lsl if bound == "LSL" else version.usl
    return BrokenRule(
        parameter=flag.parameter,
        value=flag.value,
        uom=version.spec.unit_of_measure if version is not None else "",
        bound=bound,
        limit=limit,
        spec_version=version.version if version is not None else None,
        hold=hold,
    )
