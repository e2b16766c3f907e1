"""The chart math's refusals (quality.spc.errors.SpcInputError) as a person reads them: one
translated sentence per code, said as a 409 by whoever ran the math on a person's request.
The English detail goes to the log."""

import logging

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from lines.models import Station
from mes.errors import RuleViolation
from quality.spc.errors import SpcInputError

logger = logging.getLogger(__name__)

WHY: dict[str, Promise] = {
    "bad_shape": _("the readings are not a series the chart can take"),
    "baseline_too_short": _("the baseline has too few readings"),
    "baseline_empty": _("the baseline has no reading"),
    "baseline_outside": _("the baseline lies outside the readings"),
    "not_finite": _("a limit or sigma is not a finite number"),
    "subgroup_size": _("subgroup size %(size)s is not allowed"),
    "no_spec_limit": _("the spec has no limit to compute capability against"),
    "limits_inverted": _("the spec's LSL %(lsl)s is not below its USL %(usl)s"),
    "no_rule": _("there is no rule %(rule)s"),
}


def spc_refusal(exc: ValueError, *, station: Station, parameter: str) -> RuleViolation:
    """The 409 for a refusal of the math; a ValueError without a known code is said generally."""
    logger.warning("SPC of %s at %s refused by the math: %s", parameter, station.code, exc)
    names = {"parameter": parameter, "station": station.code}
    why = WHY.get(exc.code) if isinstance(exc, SpcInputError) else None
    if why is None:
        return RuleViolation(
            gettext("No chart of %(parameter)s at %(station)s can be drawn from these readings.")
            % names,
            code="spc_unusable",
        )
    assert isinstance(exc, SpcInputError)
    reason = str(why) % {k: str(v) for k, v in exc.params.items()}
    return RuleViolation(
        gettext("No chart of %(parameter)s at %(station)s can be drawn: %(why)s.")
        % {**names, "why": reason},
        code="spc_unusable",
    )
