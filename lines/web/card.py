"""The unit card of a station screen: what the unit is, and what may be done with it here.

The rules are the services' own: a Start button appears only when operation_start_check
passes, and its refusal is shown otherwise; Complete, consume and measure appear only for an
operation open at this station that operation_complete_check allows. A unit that is simply due
at another kind of station is not refused: the card says where it goes next.
"""

from dataclasses import dataclass, field

from lines import selectors, services
from lines.choices import UnitStatus
from lines.models import Operation, RouteStep, Station, Unit
from lines.parameter_names import ParameterLabel, parameter_label
from lines.web.station_quality import CHECK_IN, ChecklistItem, station_quality
from mes.errors import DomainError, RuleViolation


@dataclass
class NextStep:
    """Where a unit goes from here: its current route step and the stations that do it."""

    step: RouteStep
    stations: list[str]


@dataclass
class CheckRow:
    item: ChecklistItem
    label: ParameterLabel


@dataclass
class Card:
    unit: Unit
    operation: Operation | None = None  # open at this station
    can_start: bool = False
    can_complete: bool = False
    refusal: str = ""
    next_step: NextStep | None = None
    holds: list[str] = field(default_factory=list)
    checklist: list[CheckRow] = field(default_factory=list)

    @property
    def gated(self) -> bool:
        return any(row.item.required for row in self.checklist)

    @property
    def gate_gaps(self) -> list[str]:
        """The required measurements not yet in and in spec, by display name."""
        return [
            row.label.name
            for row in self.checklist
            if row.item.required and row.item.state != CHECK_IN
        ]


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
            card.checklist = checklist_rows(station=station, unit=unit, operation=operation)
        else:
            services.operation_start_check(unit=unit, station=station)
            card.can_start = True
    except RuleViolation as exc:
        if exc.field == "station" and unit.current_step is not None:
            # Due at another kind of station: information for the operator, not a refusal.
            card.next_step = next_step_of(unit.current_step)
        else:
            card.refusal = exc.message
    except DomainError as exc:
        card.refusal = exc.message
    return card


def checklist_rows(*, station: Station, unit: Unit, operation: Operation) -> list[CheckRow]:
    items = station_quality().checklist(station=station, unit=unit, operation=operation)
    return [CheckRow(item, parameter_label(item.spec.parameter, item.spec.uom)) for item in items]


def next_step_of(step: RouteStep) -> NextStep:
    codes = Station.objects.filter(kind=step.station_kind).order_by("code")
    return NextStep(step, list(codes.values_list("code", flat=True)))
