"""One generation run: master data, prefix, then campaign after campaign until the cells are made."""

import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from random import Random

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lines import hooks
from lines.choices import UnitKind, UnitStatus, WorkOrderStatus
from lines.demo import load_demo_line
from lines.history.cells import CellMaker
from lines.history.context import Context
from lines.history.flow import campaign_make, lanes_write
from lines.history.lots import LotStream
from lines.history.master import MATERIALS, master_load
from lines.history.params import FlowParams
from lines.history.rows import created_row, moment, unit_row
from lines.history.writers import bulk_writer
from lines.models import Operation, Station, Unit, UnitHistory, WorkOrder
from mes.errors import InvalidInput, RuleViolation

# Short enough that the longest identifier (<prefix>-CR-00001-L4, <prefix>-C0000001) fits 64.
PREFIX_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,23}$")
PROGRESS_EVERY = 50_000


@dataclass
class HistoryReport:
    """What a run wrote: rows per table, lots per material, where the cells are, how long it took."""

    prefix: str
    cells: int
    rows: dict[str, int]
    lots: dict[str, int]
    cell_states: list[tuple[str, str | None, int]] = field(default_factory=list)
    seconds_generate: float = 0.0
    seconds_analyze: float = 0.0
    seconds_loading: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def history_generate(
    *,
    cells: int,
    seed: int = 1,
    prefix: str | None = None,
    params: FlowParams | None = None,
    progress: Callable[[str], None] | None = None,
) -> HistoryReport:
    """Write a production history of `cells` cells with full genealogy on the demo line.

    Loads the demo line first (idempotent). Everything is written in one transaction, so a failed
    run leaves nothing behind; the statistics are refreshed after it.
    """
    if cells < 1:
        raise InvalidInput(_("Give at least one cell."), field="cells")
    say = progress or (lambda message: None)
    began = time.perf_counter()
    load_demo_line()
    master = master_load()
    with transaction.atomic():
        writer = bulk_writer()
        ctx = Context(
            writer=writer,
            rng=Random(seed),
            master=master,
            params=params or FlowParams(),
            prefix=_free_prefix(prefix),
            cells=cells,
            now=timezone.now().timestamp(),
            unit_id=writer.id_allocator(Unit),
            operation_id=writer.id_allocator(Operation),
        )
        try:
            _make(ctx, say, began)
        finally:
            writer.close()
    report = _report(ctx, began)
    say(f"Written in {report.seconds_generate:.1f} s; refreshing statistics ...")
    analyze_began = time.perf_counter()
    # Outside a transaction (the command) VACUUM runs too; inside one (a test) only ANALYZE can.
    writer.analyze(vacuum=not connection.in_atomic_block)
    report.seconds_analyze = time.perf_counter() - analyze_began
    return report


def _free_prefix(prefix: str | None) -> str:
    """The given prefix if valid and unused, else the first unused H1, H2, ... ."""
    if prefix is None:
        number = 1
        while _prefix_used(f"H{number}"):
            number += 1
        return f"H{number}"
    if not PREFIX_RE.match(prefix):
        raise InvalidInput(
            _("Prefix {prefix!r} is not valid: 1-24 letters, digits, '.', '_', ':' or '-'.").format(
                prefix=prefix
            ),
            field="prefix",
        )
    if _prefix_used(prefix):
        raise RuleViolation(
            _(
                "Units or work orders with prefix {prefix}- exist already; choose another prefix."
            ).format(prefix=prefix),
            field="prefix",
        )
    return prefix


def _prefix_used(prefix: str) -> bool:
    return (
        Unit.objects.filter(identifier__startswith=f"{prefix}-").exists()
        or WorkOrder.objects.filter(code__startswith=f"WO-{prefix}-").exists()
    )


def _make(ctx: Context, say: Callable[[str], None], began: float) -> None:
    for code in MATERIALS:
        ctx.streams[code] = LotStream(
            code=code,
            material=ctx.master.materials[code],
            size=ctx.params.lot_size_of(code),
            prefix=ctx.prefix,
            rng=ctx.rng,
            next_id=ctx.unit_id,
        )
    orders = _work_orders_create(ctx)
    maker = CellMaker(ctx)
    made, campaign, reported = 0, 0, 0
    while made < ctx.cells:
        campaign += 1
        lanes = campaign_make(ctx, number=campaign, first_cell=made)
        made += maker.make(lanes, first=made, count=ctx.cells - made)
        lanes_write(ctx, lanes)
        if made - reported >= PROGRESS_EVERY or made == ctx.cells:
            reported = made
            say(f"{made:,}/{ctx.cells:,} cells, {time.perf_counter() - began:.1f} s")
    _lots_write(ctx)
    ctx.writer.flush()
    _work_orders_close(ctx, orders)
    _machine_time(ctx)


def _machine_time(ctx: Context) -> None:
    """Let other apps write the stacker's state history: running from the first cell's start to
    the last one's slot, the stops between (no cell is stacked in them)."""
    hooks.run(
        hooks.AFTER_HISTORY,
        station_id=next(s.station_id for s in ctx.master.steps["R-CELL"] if s.kind == "stacking"),
        running_from=moment(ctx.cell_start(0)),
        running_to=moment(ctx.cell_start(ctx.cells - 1) + ctx.takt_s),
        stops=[(moment(a), moment(b), code) for a, b, code in ctx.stacker_stops()],
        notes=ctx.notes,
    )


def _work_orders_create(ctx: Context) -> list[WorkOrder]:
    """One work order per `cells_per_work_order` cells, dated a day before its first cell."""
    per_order = ctx.params.cells_per_work_order
    orders = []
    for number in range(math.ceil(ctx.cells / per_order)):
        planned = min(per_order, ctx.cells - number * per_order)
        orders.append(
            WorkOrder.objects.create(
                code=f"WO-{ctx.prefix}-{number + 1:04d}",
                product_id=ctx.master.products["R-CELL"],
                route_id=ctx.master.routes["R-CELL"],
                quantity_planned=planned,
                status=WorkOrderStatus.IN_PROGRESS,
            )
        )
        ctx.work_orders.append(orders[-1].id)
    return orders


def _work_orders_close(ctx: Context, orders: list[WorkOrder]) -> None:
    """Orders whose cells have all left the line are completed; created_at follows the history."""
    per_order = ctx.params.cells_per_work_order
    for number, order in enumerate(orders):
        status = (
            WorkOrderStatus.IN_PROGRESS
            if ctx.unfinished_per_order[order.id]
            else WorkOrderStatus.COMPLETED
        )
        created = moment(ctx.cell_start(number * per_order)) - timedelta(days=1)
        # update(), not save(): created_at is auto_now_add and save() would stamp it now.
        WorkOrder.objects.filter(id=order.id).update(status=status, created_at=created)


def _lots_write(ctx: Context) -> None:
    """Lot rows last: only now is each lot's remaining quantity known."""
    for stream in ctx.streams.values():
        for lot in stream.lots:
            ctx.writer.add(
                Unit,
                unit_row(
                    id=lot.id,
                    identifier=lot.identifier,
                    kind=UnitKind.MATERIAL_LOT,
                    status=UnitStatus.CONSUMED if lot.remaining == 0 else UnitStatus.CREATED,
                    uom=lot.uom,
                    initial=lot.initial,
                    remaining=lot.remaining,
                    created_at=lot.received_at,
                    updated_at=lot.last_used_at,
                    material=lot.material_id,
                    supplier=lot.supplier,
                    supplier_lot=lot.supplier_lot,
                ),
            )
            ctx.writer.add(UnitHistory, created_row(unit=lot.id, at=lot.received_at, by=None))


def _report(ctx: Context, began: float) -> HistoryReport:
    codes: dict[int | None, str] = dict(Station.objects.values_list("id", "code"))
    states = sorted(
        (
            (status, codes.get(station), count)
            for (status, station), count in ctx.cell_states.items()
        ),
        key=lambda state: -state[2],
    )
    return HistoryReport(
        prefix=ctx.prefix,
        cells=ctx.cells,
        rows=dict(ctx.writer.written),
        lots={code: len(stream.lots) for code, stream in ctx.streams.items()},
        cell_states=states,
        seconds_generate=time.perf_counter() - began,
        seconds_loading=dict(ctx.writer.seconds),
        notes=ctx.notes,
    )
