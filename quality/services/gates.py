"""Quality gates, checked by lines when a unit starts or completes a step (lines.hooks).

A unit cannot complete a gated step, or start any step, while it has an open flag (SPC warnings
aside); nor complete a gated step, or start the one after it, without a usable, in-spec
measurement of every spec the gate requires. The refusal lists every reason at once. Figures of
an operation's whole profile (time at pressure, peak temperature: conditions.pressure) are recorded
once it has ended, so they are required to start the next step, not to complete their own; the
app that derives them names them here (figures_after_end_register), quality knows none of them.
"""

from collections.abc import Iterable
from datetime import datetime

from django.utils.translation import gettext as _

from lines.models import Operation, RouteStep, Unit
from lines.selectors import is_usable_value, samples
from mes.errors import RuleViolation
from quality.evaluation import IN_SPEC, Limits, evaluate
from quality.models import GateRequirement, Spec
from quality.selectors.flags import open_flags_of
from quality.selectors.spec_cache import SpecResolver

USABLE_LOOKBACK = 20  # recent readings searched for the latest usable one
# Parameters recorded only once an operation has ended, filled by the apps that derive them.
FIGURES_AFTER_END: set[str] = set()


def figures_after_end_register(parameters: Iterable[str]) -> None:
    """Name parameters that exist only after an operation ends (AppConfig.ready() of their app)."""
    FIGURES_AFTER_END.update(parameters)


def _latest_usable(unit: Unit, spec: Spec) -> tuple[datetime, float] | None:
    """(source time, value) of the unit's latest usable reading of the spec's parameter."""
    wanted = samples.Where(
        units=[unit.pk], parameters=[spec.parameter], station_kind=spec.station_kind, usable=True
    )
    recent = [(s.source_time, s.value) for s in samples.newest(wanted, USABLE_LOOKBACK)]
    return next(((at, value) for at, value in recent if is_usable_value(value)), None)


def _measurement_gaps(
    unit: Unit, requirements: list[GateRequirement], *, completing: bool, specs: SpecResolver
) -> list[str]:
    # Figures of a whole profile are recorded when the operation has ended; they are required
    # to start the next step, not to complete their own.
    required = [
        r.spec for r in requirements if not (completing and r.spec.parameter in FIGURES_AFTER_END)
    ]
    gaps = []
    for spec in required:
        latest = _latest_usable(unit, spec)
        if latest is None:
            gaps.append(_("%(parameter)s not measured") % {"parameter": spec.parameter})
            continue
        at, value = latest
        version = specs.timeline(spec).at(at)
        limits = Limits(lsl=version.lsl, usl=version.usl) if version else Limits()
        if evaluate([value], [0], limits)[0] != IN_SPEC:
            gaps.append(
                _("%(parameter)s %(value)s out of spec")
                % {"parameter": spec.parameter, "value": f"{value:g}"}
            )
    return gaps


def gate_refusals(
    *,
    unit: Unit,
    requirements: list[GateRequirement],
    completing: bool = False,
    specs: SpecResolver,
) -> list[str]:
    """Every reason the unit may not pass a gate of `requirements` now (empty when it may; no
    requirements: open flags only). `completing`: the unit is completing the gated step itself,
    so figures of its whole profile cannot exist yet."""
    reasons = [
        _("open flag %(flag)s: %(kind)s %(parameter)s")
        % {"flag": f.pk, "kind": f.get_kind_display().lower(), "parameter": f.parameter}
        + (f" {f.value:g} ({f.limit})" if f.value is not None else "")
        for f in open_flags_of(unit.pk)
    ]
    reasons.extend(_measurement_gaps(unit, requirements, completing=completing, specs=specs))
    return reasons


def check_start(*, unit: Unit, step: RouteStep) -> None:
    # The gate of the step before this one (no requirements: not gated).
    specs = SpecResolver()
    requirements = specs.requirements(specs.step_before(step))
    reasons = gate_refusals(unit=unit, requirements=requirements, specs=specs)
    if reasons:
        raise RuleViolation(
            _("%(unit)s cannot start '%(step)s': %(reasons)s.")
            % {"unit": unit.identifier, "step": step.name, "reasons": "; ".join(reasons)}
        )


def check_complete(*, unit: Unit, operation: Operation, result: str) -> None:
    step = operation.step
    if result != "passed" or step is None:
        return  # a failed result may always be recorded
    specs = SpecResolver()
    requirements = specs.requirements(step.pk)
    if not requirements:
        return
    reasons = gate_refusals(unit=unit, requirements=requirements, completing=True, specs=specs)
    if reasons:
        raise RuleViolation(
            _("%(unit)s cannot complete '%(step)s', quality gate: %(reasons)s.")
            % {"unit": unit.identifier, "step": step.name, "reasons": "; ".join(reasons)}
        )
