"""Text the system writes on a hold's reason or a flag's detail (an out-of-spec value, a segment,
an SPC rule, a spent moisture budget, a recall window): a code and its parameters, shown in the
reader's language.

The English text is still stored (Hold.reason, Flag.detail): the audit chain sealed it, the
uniqueness of an active hold is keyed on it, and rows written before codes existed have nothing
else. An English reader sees that stored text; any other reader sees the code rendered through
REASONS in the active language. A code the registry does not know (a later release's, or none)
shows the stored text as written.
"""

import re
from dataclasses import dataclass, field

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

REASONS: dict[str, Promise] = {
    "out_of_spec": _("%(parameter)s %(value)s out of spec (%(limit)s) at %(station)s"),
    "segment_out_of_spec": _("%(parameter)s out of spec on metres %(from_m)s..%(to_m)s"),
    # No metres: the flag grows as readings arrive while the hold's reason is sealed by its audit
    # entry; the screens show the flag's current metres beside it.
    "segment_out_of_spec_flag": _("%(parameter)s out of spec on a roll segment (flag %(flag)s)"),
    "spc_we_rule": _("%(parameter)s: WE rule %(rule)s"),
    "spc_nelson_rule": _("%(parameter)s: Nelson rule %(rule)s"),
    "exposure_spent": _("moisture exposure budget spent: %(spent)s of %(budget)s weighted min"),
    "recall": _("recall: defect at %(station)s %(start)s..%(end)s UTC: %(reason)s"),
    # Flag details.
    "reached_metres": _(
        "metres %(lo)s..%(hi)s of it came from metres %(from_m)s..%(to_m)s of roll %(roll)s "
        "(flag %(flag)s)"
    ),
    "reached_sheets": _(
        "sheets came from metres %(from_m)s..%(to_m)s of roll %(roll)s (flag %(flag)s)"
    ),
    "unusable_status": _("%(count)s unusable value(s); first: OPC UA status %(status)s"),
    "unusable_not_finite": _("%(count)s unusable value(s); first: not a finite number"),
    "unusable_rejected": _("%(count)s unusable value(s); first: %(why)s"),
    # The rule's description comes from quality.spc (no Django there) in English: translated when
    # shown, by the catalogue entry of the same words (quality.web.labels.RULE).
    "spc_violation": _("rule %(rule)s: %(description)s (%(points)s points)"),
    "exposure_spent_in_zone": _(
        "moisture exposure budget spent in %(zone)s at %(at)s UTC: "
        "%(spent)s of %(budget)s weighted min"
    ),
    "h2s_alarm": _("open in %(zone)s when H2S read %(ppm)s ppm at %(at)s UTC"),
}


@dataclass(frozen=True)
class SystemReason:
    """A reason by code: `english` is what Hold.reason stores, `text()` what a reader sees."""

    code: str
    params: dict[str, str] = field(default_factory=dict)

    @property
    def english(self) -> str:
        with translation.override("en"):
            return self.text()

    def text(self) -> str:
        return str(REASONS[self.code]) % self.params


def system_reason(code: str, **params: object) -> SystemReason:
    """The reason `code` with its parameters as text (numbers formatted by the caller)."""
    reason = SystemReason(code, {name: str(value) for name, value in params.items()})
    reason.english  # noqa: B018 - an unknown code or a missing parameter fails here, not on a screen
    return reason


# A flag's limit is a short label the system writes ("USL 25.5", "WE rule 2", "budget 300"):
# read back by its pattern into words in the active language. LSL/USL stay as they are.
LIMITS: list[tuple[re.Pattern[str], Promise]] = [
    (re.compile(r"WE rule (?P<rule>\d+)"), _("WE rule %(rule)s")),
    (re.compile(r"Nelson rule (?P<rule>\d+)"), _("Nelson rule %(rule)s")),
    (re.compile(r"usable value"), _("usable value")),
    (re.compile(r"budget (?P<minutes>\S+)"), _("budget %(minutes)s weighted min")),
    (re.compile(r"alarm (?P<ppm>\S+) ppm"), _("alarm %(ppm)s ppm")),
]


def limit_text(limit: str) -> str:
    """A flag's limit in the active language; a label of another shape as stored."""
    for pattern, template in LIMITS:
        if found := pattern.fullmatch(limit):
            return str(template) % found.groupdict()
    return limit


def _translated(params: dict) -> dict:
    if "description" not in params:
        return params
    return {**params, "description": gettext(str(params["description"]))}


def reason_text(*, stored: str, code: str, params: dict) -> str:
    """What a reader sees: the code rendered in the active language, else the stored text."""
    if code not in REASONS or (translation.get_language() or "en").startswith("en"):
        return stored
    try:
        return str(REASONS[code]) % _translated(params)
    except (KeyError, TypeError, ValueError):  # a row written with other parameters
        return stored
