"""Manual measurements: a value an operator measured by hand, stored and judged like a PLC value."""

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lines import hooks
from lines.choices import UnitStatus
from lines.models import Sample, SampleSource, Station, Unit
from lines.parameter_names import parameter_label
from mes.actors import Actor
from mes.errors import InvalidInput, RuleViolation
from mes.numbers import parse_number

PARAMETER_RE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
# No process value we measure by hand reaches a billion in its unit (um, MPa, mOhm, Ah...).
MEASURED_MAX = 1e9


@dataclass
class Measurement:
    """The stored sample and the flags its judgement raised (empty when in spec)."""

    sample: Sample
    flags: list = field(default_factory=list)


@transaction.atomic
def measurement_record(
    *,
    unit: Unit,
    station: Station,
    parameter: str,
    value: float | str,
    by: Actor = None,
    at: datetime | None = None,
) -> Measurement:
    """Store a manual measurement of a unit at a station and judge it at once.

    It becomes a Sample with source `manual` and the operator in `recorded_by`, and goes through
    the same judgement as telemetry (lines.hooks.AFTER_INGEST: the quality evaluation raises a
    flag, and holds the unit when the spec says so). A held unit may still be measured (the
    value is evidence for the hold's review); a consumed, scrapped or shipped one may not.
    """
    if not PARAMETER_RE.match(parameter or ""):
        raise InvalidInput(_("Choose the parameter measured."), field="parameter")
    number = _finite(value, parameter)
    if unit.status in UnitStatus.terminal():
        raise RuleViolation(
            _("%(unit)s is %(status)s; it cannot be measured any more.")
            % {"unit": unit.identifier, "status": unit.get_status_display().lower()}
        )
    now = timezone.now()
    sample = Sample.objects.create(
        station=station,
        parameter=parameter,
        value=number,
        source_time=at or now,
        server_time=now,
        unit=unit,
        source=SampleSource.MANUAL,
        recorded_by=by,
    )
    raised: list = []
    # Imported here: lines.ingest builds on these services, so a module-level import would loop.
    from lines.ingest.columns import SampleColumns

    hooks.run(hooks.AFTER_INGEST, rows=SampleColumns.of_samples([sample]), raised=raised)
    return Measurement(sample, raised)


def _finite(value: float | str, parameter: str) -> float:
    """The value as typed, read by mes.numbers (no comma taken for a decimal point), and within
    what any process value we measure can be, so a slip of the finger is not stored as data."""
    label = parameter_label(parameter).name  # what the operator reads on the card
    number = float(parse_number(value, field="value", label=label))
    if not abs(number) <= MEASURED_MAX:
        raise InvalidInput(
            _("%(field)s must be between -%(limit)s and %(limit)s, got %(value)s.")
            % {"field": label, "limit": f"{MEASURED_MAX:g}", "value": f"{number:g}"},
            field="value",
        )
    return number
