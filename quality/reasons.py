"""Reasons the system writes on a hold (an out-of-spec value, a segment, an SPC rule, a spent
moisture budget, a recall window): a code and its parameters, shown in the reader's language.

The English text is still stored in Hold.reason: the audit chain sealed it, the uniqueness of an
active hold is keyed on it, and rows written before codes existed have nothing else. A screen
renders the code through REASONS in the active language; a code it does not know (a later
release's, or none) shows the stored text as written.
"""

from dataclasses import dataclass, field

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

REASONS: dict[str, Promise] = {
    "out_of_spec": _("%(parameter)s %(value)s out of spec (%(limit)s) at %(station)s"),
    "segment_out_of_spec": _("%(parameter)s out of spec on metres %(from_m)s..%(to_m)s"),
    "spc_we_rule": _("%(parameter)s: WE rule %(rule)s"),
    "spc_nelson_rule": _("%(parameter)s: Nelson rule %(rule)s"),
    "exposure_spent": _("moisture exposure budget spent: %(spent)s of %(budget)s weighted min"),
    "recall": _("recall: defect at %(station)s %(start)s..%(end)s UTC: %(reason)s"),
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


def reason_text(*, stored: str, code: str, params: dict) -> str:
    """What a reader sees: the code rendered in the active language, else the stored text."""
    if code not in REASONS:
        return stored
    try:
        return str(REASONS[code]) % params
    except (KeyError, TypeError, ValueError):  # a row written with other parameters
        return stored
