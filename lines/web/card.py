"""The unit card of a station screen: what the unit is, and what may be done with it here.

The rules are the services' own: a Start button appears only when operation_start_check
passes, and its refusal is shown otherwise; Complete, consume and measure appear only for an
operation open at this station that operation_complete_check allows.
"""

from dataclasses import dataclass, field

from lines import selectors, services
from lines.choices import UnitStatus
from lines.models import Operation, Station, Unit
from lines.web.station_quality import SpecLimits, station_quality
from mes.errors import DomainError


@dataclass
class Card:
    unit: Unit
    operation: Operation | None = None  # open at this station
    can_start: bool = False
    can_complete: bool = False
    refusal: str = ""
    holds: list[str] = field(default_factory=list)
    specs: list[SpecLimits] = field(default_factory=list)


def card_for(*, station: Station, unit: Unit) -> Card:
    card = Card(unit=unit)
    if unit.status == UnitStatus.ON_HOLD:
        card.holds = station_quality().hold_reasons(unit=unit)
    operation = selectors.unit_open_operation(unit=unit)
    try:
        if operation is not None and operation.station_id == station.pk:
            card.operation = operation
            services.operation_complete_check(operation=operation, unit=unit)
            card.can_complete = True
            card.specs = station_quality().measurable_specs(station=station, unit=unit)
        else:
            services.operation_start_check(unit=unit, station=station)
            card.can_start = True
    except DomainError as exc:
        card.refusal = exc.message
    return card
