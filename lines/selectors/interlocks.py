"""Reads of the interlock record: the answers given to PLCs, worded in the reader's language."""

from django.db.models import QuerySet
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from lines.choices import OperationResult
from lines.models import Interlock


def interlocks_list(*, station: str = "", unit: str = "") -> QuerySet[Interlock]:
    """Newest first; `station` a station code, `unit` a unit identifier (or the serial sent)."""
    found = Interlock.objects.select_related("station", "unit")
    if station:
        found = found.filter(station__code=station)
    if unit:
        found = found.filter(unit__identifier=unit) | found.filter(serial=unit, unit__isnull=True)
    return found.order_by("-decided_at", "-id")


def interlock_reason(interlock: Interlock) -> str:
    """Why the MES answered as it did, in the active language."""
    params = dict(interlock.reason_params or {})
    code = interlock.reason_code
    if code == "refused":
        messages = params.get("message") or {}
        language = (get_language() or "en").lower()
        return messages.get(language) or messages.get("en") or ""
    if code == "completed":
        params["result"] = str(OperationResult(params.get("result", "passed")).label).lower()
    template = _templates().get(code)
    if template is None:
        return code
    try:
        return template % params
    except (KeyError, TypeError, ValueError):
        return template


def _templates() -> dict[str, str]:
    # Built per call: gettext answers in the language active now.
    return {
        "started": _("Checked in: operation started at %(station)s."),
        "already_in": _("Checked in again: %(unit)s is already in operation at %(station)s."),
        "completed": _("Checked out %(result)s, operation completed; values stored: %(samples)s."),
        "no_serial": _("The PLC sent no serial."),
        "invalid_serial": _(
            "%(serial)s is not a valid serial: use 1-64 letters, digits, '.', '_', ':' or '-'."
        ),
        "unknown_serial": _("%(serial)s is not known to the MES."),
        "not_checked_in": _("%(unit)s has no open operation at %(station)s to check out."),
        "bad_result": _(
            "The PLC sent result %(result)s; a check-out result is 1 (pass) or 2 (fail)."
        ),
        "undecided": _("The MES could not decide in time, so it answered NOK: %(error)s"),
    }
