"""Unit events from the PLC, applied through the lines services like any tablet action.

A new serial on a station's unit-id tag starts that unit's operation there (creating the cell, or
the roll at a coater, when the MES does not know it yet); a result event consumes the roll
metres the cell's sheets came from and, after the batch's values are judged, completes the
operation. A refusal (a held unit, a wrong step, an unknown roll) is recorded on the batch as a
problem and never stops the rest of the batch.
"""

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import TypeVar

from django.conf import settings
from django.db.models import Exists, OuterRef, Q

from lines import services
from lines.choices import UnitKind, UnitStatus, WorkOrderStatus
from lines.models import (
    Interlock,
    InterlockCode,
    InterlockSide,
    Operation,
    Route,
    Station,
    Unit,
    WorkOrder,
)
from lines.services.common import IDENTIFIER_RE
from lines.telemetry_bounds import as_number, text_of
from mes.errors import DomainError

T = TypeVar("T")
ROLL_STATION_KINDS = frozenset({"coating", "calendering", "slitting"})


class UnitEvents:
    """Applies one batch's unit events; collects what was refused in `problems`."""

    def __init__(self, orders: dict[str, WorkOrder | None] | None = None) -> None:
        self.problems: list[str] = []
        # The open work order a new cell joins, per station kind; a caller that keeps them
        # (the interlock decisions: lines.selectors.interlocks.open_orders) hands its own in.
        self._orders: dict[str, WorkOrder | None] = {} if orders is None else orders
        self._routes: dict[str, Route | None] = {}

    def attempt(self, what: str, call: Callable[[], T]) -> T | None:
        """Run one lines service, recording its refusal. Every service is atomic itself: inside
        the batch's transaction that is a savepoint, so a refusal undoes that service's writes
        alone; a savepoint of our own around it would only add two statements per event."""
        try:
            return call()
        except DomainError as exc:
            self.problems.append(f"{what}: {exc.message}")
            return None

    def arrived(
        self,
        *,
        station: Station,
        identifier: str,
        at: datetime,
        leaves_previous: bool,
        previous: str | None = None,
    ) -> None:
        """A new unit id on the station: the previous unit leaves (if this station says so by the
        serial alone), the new one starts. `previous` is the unit id the station reported before
        this one ("" for none), None where no earlier report is known."""
        if identifier and self._handshaken(station=station, identifier=identifier):
            identifier = ""  # the handshake started (and will complete) its operation here
        if not leaves_previous:
            if identifier:
                self._arrived_where_results_end(station=station, identifier=identifier, at=at)
            return
        # One read of the station's open operations: the ones leaving, and whether the arriving
        # unit is already in operation here (then it stays, and nothing starts). An operation a
        # PLC's check-in started is its check-out's to complete: a unit id read late (the ingest
        # runs behind the line) must not complete the next cell's operation.
        open_here = Operation.objects.filter(station=station, completed_at__isnull=True).exclude(
            self._checked_in()
        )
        if previous is not None:
            # A held (or finished) unit that left earlier was refused its completion then, and
            # its operation stays open until quality decides. Asking again at every later
            # arrival would repeat that refusal in every batch, one refused call per such unit.
            open_here = open_here.filter(
                Q(unit__identifier__in=[identifier, previous])
                | ~Q(unit__status__in=UnitStatus.unworkable())
            )
        staying = None
        for operation in open_here.select_related("unit"):
            if operation.unit.identifier == identifier:
                staying = operation
                continue
            self.attempt(
                f"{station.code} {operation.unit.identifier} leaving",
                partial(services.operation_complete, operation=operation, result="passed", at=at),
            )
        if identifier and staying is None:
            unit = self.unit_for(station=station, identifier=identifier)
            if unit is not None:
                self._start(unit=unit, station=station, at=at)

    def _arrived_where_results_end(
        self, *, station: Station, identifier: str, at: datetime
    ) -> None:
        # One read: the unit, and whether it is in operation here already (then nothing starts).
        unit = (
            Unit.objects.filter(identifier=identifier)
            .annotate(
                here=Exists(
                    Operation.objects.filter(
                        unit=OuterRef("pk"), station=station, completed_at__isnull=True
                    )
                )
            )
            .first()
        )
        if unit is not None and unit.here:
            return
        arrived = unit or self.new_unit(station=station, identifier=identifier)
        if arrived is not None:
            self._start(unit=arrived, station=station, at=at)

    def at_station(
        self, *, station: Station, identifier: str, at: datetime
    ) -> tuple[Unit | None, Operation | None]:
        """The unit and its open operation at the station, creating the unit and starting the
        operation now if need be (None where that was refused)."""
        if not IDENTIFIER_RE.match(identifier):
            self.problems.append(
                f"{station.code} result for {text_of(identifier, 80)!r}: not a unit identifier"
            )
            return None, None
        open_here = (
            Operation.objects.filter(
                station=station, completed_at__isnull=True, unit__identifier=identifier
            )
            .select_related("unit")
            .first()
        )
        if open_here is not None:
            return open_here.unit, open_here
        handed_over = self._checked_out(station=station, identifier=identifier)
        if handed_over is not None:
            return handed_over.unit, handed_over
        unit = self.unit_for(station=station, identifier=identifier)
        if unit is None:
            return None, None
        return unit, self._start(unit=unit, station=station, at=at)

    @staticmethod
    def _checked_in() -> Exists:
        # Per operation (its foreign key's index), not a list of every check-in the station ever
        # answered: that list grows with every cell.
        return Exists(
            Interlock.objects.filter(
                operation=OuterRef("pk"), side=InterlockSide.CHECKIN, code=InterlockCode.OK
            )
        )

    @staticmethod
    def _handshaken(*, station: Station, identifier: str) -> bool:
        """The unit was checked in here by the PLC's handshake: its operations here are the
        handshake's, and a unit id report neither starts nor completes one."""
        return Interlock.objects.filter(
            station=station, side=InterlockSide.CHECKIN, unit__identifier=identifier
        ).exists()

    @staticmethod
    def _checked_out(*, station: Station, identifier: str) -> Operation | None:
        """The unit's operation here that the PLC's check-out handshake already completed (code
        1): a result event that follows a check-out belongs to it, and starts nothing new."""
        answered = Interlock.objects.filter(
            operation=OuterRef("pk"), side=InterlockSide.CHECKOUT, code=InterlockCode.OK
        )
        return (
            Operation.objects.filter(station=station, unit__identifier=identifier)
            .filter(Exists(answered))
            .select_related("unit")
            .order_by("-completed_at")
            .first()
        )

    def _start(self, *, unit: Unit, station: Station, at: datetime) -> Operation | None:
        return self.attempt(
            f"{station.code} {unit.identifier} start",
            lambda: services.operation_start(unit=unit, station=station, at=at),
        )

    def unit_for(self, *, station: Station, identifier: str) -> Unit | None:
        unit = Unit.objects.filter(identifier=identifier).first()
        return unit if unit is not None else self.new_unit(station=station, identifier=identifier)

    def new_unit(self, *, station: Station, identifier: str) -> Unit | None:
        """A serial the MES does not know: a roll at a roll station, else a cell of the open work
        order whose route starts at this kind of station."""
        if station.kind in ROLL_STATION_KINDS:
            route = self._first_route(station.kind)
            return self.attempt(
                f"{station.code} new roll {identifier}",
                lambda: services.unit_create(
                    identifier=identifier,
                    kind=UnitKind.ROLL,
                    route=route,
                    quantity=settings.MES_DEFAULT_ROLL_LENGTH_M,
                ),
            )
        order = self._open_order(station.kind)
        if order is None:
            self.problems.append(
                f"{station.code} new cell {identifier}: no open work order starts at {station.kind}"
            )
            return None
        return self.attempt(
            f"{station.code} new cell {identifier}",
            lambda: services.unit_create(
                identifier=identifier, kind=UnitKind.CELL, work_order=order
            ),
        )

    def consume_feed(
        self, *, cell: Unit, operation: Operation | None, fields: dict, at: datetime
    ) -> None:
        roll_id = fields.get("feed_roll")
        if not roll_id:
            return
        metres = self._feed_metres(cell, fields)
        if metres is None:
            return
        if not isinstance(roll_id, str) or not IDENTIFIER_RE.match(roll_id):
            self.problems.append(
                f"{cell.identifier}: feed roll {text_of(roll_id, 80)!r} is no unit"
            )
            return
        roll = Unit.objects.filter(identifier=roll_id).first()
        if roll is None:
            self.problems.append(f"{cell.identifier}: feed roll {roll_id} is not known to the MES")
            return
        self.attempt(
            f"{cell.identifier} consuming {roll_id}",
            lambda: services.unit_consume(
                child=cell,
                parent=roll,
                position_from_m=metres[0],
                position_to_m=metres[1],
                operation=operation,
                at=at,
            ),
        )

    def _feed_metres(self, cell: Unit, fields: dict) -> tuple[float | None, float | None] | None:
        """The event's feed metres as numbers (None where absent), or None with the problem
        recorded: a metre of 1e30 made the consumption's decimal arithmetic raise."""
        metres = []
        for name in ("feed_from_m", "feed_to_m"):
            raw = fields.get(name)
            number, problem = (None, "") if raw is None else _metre(raw)
            if problem:
                self.problems.append(f"{cell.identifier}: {name} {text_of(raw, 80)!r}: {problem}")
                return None
            metres.append(number)
        return metres[0], metres[1]

    def finished(
        self, *, unit: Unit, station: Station, operation: Operation | None, ok: bool, at: datetime
    ) -> None:
        """Complete `operation`, the unit's open one at the station that at_station returned:
        nothing between the two (the consumption, the judging of the event's values) opens or
        completes an operation, and the service re-reads it under the unit's lock."""
        if operation is None:
            self.problems.append(
                f"{station.code} {unit.identifier} result: no open operation to complete"
            )
            return
        if operation.completed_at is not None:
            return  # completed by the check-out handshake, with the PLC's result
        self.attempt(
            f"{station.code} {unit.identifier} result",
            lambda: services.operation_complete(
                operation=operation, result="passed" if ok else "failed", at=at
            ),
        )

    def _open_order(self, station_kind: str) -> WorkOrder | None:
        if station_kind not in self._orders:
            orders = (
                WorkOrder.objects.filter(
                    status__in=[WorkOrderStatus.RELEASED, WorkOrderStatus.IN_PROGRESS]
                )
                .select_related("route__product")  # unit_create reads the route's product
                .order_by("created_at", "id")
            )
            self._orders[station_kind] = next(
                (
                    o
                    for o in orders
                    if (s := o.route.first_step()) and s.station_kind == station_kind
                ),
                None,
            )
        return self._orders[station_kind]

    def _first_route(self, station_kind: str) -> Route | None:
        if station_kind not in self._routes:
            routes = Route.objects.filter(
                active=True, product__unit_kind=UnitKind.ROLL
            ).select_related("product")
            self._routes[station_kind] = next(
                (r for r in routes if (s := r.first_step()) and s.station_kind == station_kind),
                None,
            )
        return self._routes[station_kind]


def _metre(raw: object) -> tuple[float | None, str]:
    """A roll metre from an event field: a JSON number (or one written as text), finite and
    within telemetry_bounds.MAX_ABS_VALUE (the roll's length is checked by the consumption)."""
    if isinstance(raw, str):
        try:
            raw = float(raw)
        except ValueError:
            return None, "not a number"
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return None, "not a number"
    return as_number(raw)
