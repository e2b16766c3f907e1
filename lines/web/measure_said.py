"""What the station screen says after a measurement is recorded: in spec (a confirmation), or
out of spec with the rule it broke and, when the spec holds on a violation, that the unit is now
held (a warning, never the green confirmation: the recording succeeded, the unit did not)."""

from django.utils.translation import gettext as _

from lines.models import Unit
from lines.parameter_names import parameter_label
from lines.web.station_quality import BrokenRule, SpecLimits
from mes.web.once import Done


def measurement_said(
    *,
    unit: Unit,
    parameter: str,
    value: float | None,
    limits: SpecLimits | None,
    broken: list[BrokenRule],
) -> Done:
    names = {
        "unit": unit.identifier,
        "parameter": parameter_label(parameter, limits.uom if limits else None).name,
        "value": "" if value is None else f"{value:.6g}",
        "uom": limits.uom if limits else "",
    }
    if not broken:
        return Done(_("Recorded %(parameter)s = %(value)s %(uom)s: in spec.") % names)
    rule = next((b for b in broken if b.hold is not None), broken[0])
    names["rule"] = _rule_text(rule)
    if rule.hold is not None:
        names["hold"] = str(rule.hold)
        return Done(
            _(
                "%(unit)s is now ON HOLD (hold %(hold)s): %(parameter)s = %(value)s %(uom)s "
                "is %(rule)s. Put it in the hold rack and call quality."
            )
            % names,
            warning=True,
        )
    return Done(
        _(
            "Recorded %(parameter)s = %(value)s %(uom)s: OUT OF SPEC, %(rule)s. The spec does "
            "not hold the unit; call quality."
        )
        % names,
        warning=True,
    )


def _rule_text(rule: BrokenRule) -> str:
    """'above USL 0.2 mm of spec alignment_mm v1', in the reader's language."""
    names = {
        "parameter": rule.parameter,
        "limit": "" if rule.limit is None else f"{rule.limit:g}",
        "uom": rule.uom,
        "version": rule.spec_version or "",
    }
    if rule.bound == "USL":
        return _("above USL %(limit)s %(uom)s of spec %(parameter)s v%(version)s") % names
    if rule.bound == "LSL":
        return _("below LSL %(limit)s %(uom)s of spec %(parameter)s v%(version)s") % names
    return _("not a usable value for spec %(parameter)s v%(version)s") % names
