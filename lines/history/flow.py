"""The electrode side of one campaign: slurry batch -> mother roll -> daughter rolls (lanes).

Each campaign is planned backwards from the moment its first cell is stacked: slitting ends a few
hours before, calendering and coating before that, mixing before coating, and every lot is received
days before its first use. So times increase along the flow whatever the takt.
"""

from dataclasses import dataclass

from lines.choices import OperationResult, UnitKind, UnitOfMeasure, UnitStatus
from lines.history.context import Context
from lines.history.master import Step
from lines.history.params import HOUR
from lines.history.rows import created_row, edge_row, operation_row, unit_row
from lines.models import GenealogyEdge, Operation, Unit, UnitHistory

COAT_M_PER_MIN, CALENDER_M_PER_MIN, SLIT_M_PER_MIN = 8.0, 15.0, 40.0


@dataclass(slots=True)
class Lane:
    """A daughter roll; its unit row is written once the cells have taken their metres."""

    id: int
    identifier: str
    length: int  # mm
    created_at: float
    used: int = 0
    last_used_at: float = 0.0


def campaign_make(ctx: Context, *, number: int, first_cell: int) -> list[Lane]:
    """Write the batch, the mother roll and their edges; return the lanes, ready for stacking."""
    length = ctx.params.cell_pitch_mm * ctx.rng.randint(*ctx.params.cells_per_lane)
    metres = length / 1000
    slit_end = ctx.cell_start(first_cell) - ctx.between(2 * HOUR, 12 * HOUR)
    slit_start = slit_end - metres / SLIT_M_PER_MIN * 60
    calender_end = slit_start - ctx.between(1 * HOUR, 6 * HOUR)
    calender_start = calender_end - metres / CALENDER_M_PER_MIN * 60
    coat_end = calender_start - ctx.between(2 * HOUR, 8 * HOUR)
    coat_start = coat_end - metres / COAT_M_PER_MIN * 60
    mix_end = coat_start - ctx.between(0.5 * HOUR, 2 * HOUR)
    mix_start = mix_end - ctx.between(2.5 * HOUR, 3.5 * HOUR)

    batch_id, batch_kg = _slurry_batch(ctx, number, mix_start, mix_end, coat_start)
    roll_id = ctx.unit_id()
    coating, calendering, slitting = ctx.master.steps["R-CATHODE"]
    spans = [
        (coating, coat_start, coat_end),
        (calendering, calender_start, calender_end),
        (slitting, slit_start, slit_end),
    ]
    op_ids = [_passed_operation(ctx, roll_id, step, start, end) for step, start, end in spans]
    coat_by = ctx.operator(coat_start, coating.station_id)
    ctx.writer.add(
        GenealogyEdge,
        edge_row(
            parent=batch_id,
            child=roll_id,
            quantity=batch_kg,
            at=coat_start,
            by=coat_by,
            operation=op_ids[0],
        ),
    )
    _draw(ctx, "AL12", length + ctx.params.leader_mm, roll_id, coat_start, coat_by, op_ids[0])
    ctx.writer.add(
        Unit,
        unit_row(
            id=roll_id,
            identifier=f"{ctx.prefix}-CR-{number:05d}",
            kind=UnitKind.ROLL,
            status=UnitStatus.CONSUMED,
            uom=UnitOfMeasure.M,
            initial=length,
            remaining=0,
            created_at=coat_start,
            updated_at=slit_end,
            product=ctx.master.products["R-CATHODE"],
            route=ctx.master.routes["R-CATHODE"],
            station=slitting.station_id,
        ),
    )
    ctx.writer.add(UnitHistory, created_row(unit=roll_id, at=coat_start, by=coat_by))
    return _slit(ctx, number, roll_id, length, slit_end, op_ids[2], slitting.station_id)


def _slurry_batch(
    ctx: Context, number: int, mix_start: float, mix_end: float, consumed_at: float
) -> tuple[int, int]:
    """The batch, its mixing and its material edges; returns its id and its weight in grams."""
    batch_id = ctx.unit_id()
    (mixing,) = ctx.master.steps["R-SLURRY"]
    op_id = _passed_operation(ctx, batch_id, mixing, mix_start, mix_end)
    by = ctx.operator(mix_start, mixing.station_id)
    total = 0
    for code, (grams, spread) in ctx.params.slurry_recipe_g.items():
        weighed = grams + ctx.rng.randint(-spread, spread)
        _draw(ctx, code, weighed, batch_id, mix_start + 600, by, op_id)
        total += weighed
    ctx.writer.add(
        Unit,
        unit_row(
            id=batch_id,
            identifier=f"{ctx.prefix}-SB-{number:05d}",
            kind=UnitKind.SLURRY_BATCH,
            status=UnitStatus.CONSUMED,
            uom=UnitOfMeasure.KG,
            initial=total,
            remaining=0,
            created_at=mix_start,
            updated_at=consumed_at,
            product=ctx.master.products["R-SLURRY"],
            route=ctx.master.routes["R-SLURRY"],
            station=mixing.station_id,
        ),
    )
    ctx.writer.add(UnitHistory, created_row(unit=batch_id, at=mix_start, by=by))
    return batch_id, total


def _slit(
    ctx: Context, number: int, roll_id: int, length: int, at: float, op_id: int, station_id: int
) -> list[Lane]:
    """Edges mother -> each lane over the whole length: lane metre m is mother metre m."""
    by = ctx.operator(at, station_id)
    lanes = []
    for lane_number in range(1, ctx.params.lanes + 1):
        lane = Lane(ctx.unit_id(), f"{ctx.prefix}-CR-{number:05d}-L{lane_number}", length, at)
        ctx.writer.add(
            GenealogyEdge,
            edge_row(
                parent=roll_id,
                child=lane.id,
                quantity=length,
                at=at,
                by=by,
                operation=op_id,
                position_from=0,
                position_to=length,
            ),
        )
        ctx.writer.add(UnitHistory, created_row(unit=lane.id, at=at, by=by))
        lanes.append(lane)
    return lanes


def lanes_write(ctx: Context, lanes: list[Lane]) -> None:
    """Daughter rolls as the cells left them: used up (consumed) or with metres left."""
    slitting = ctx.master.steps["R-CATHODE"][-1]
    for lane in lanes:
        used_up = lane.used == lane.length
        ctx.writer.add(
            Unit,
            unit_row(
                id=lane.id,
                identifier=lane.identifier,
                kind=UnitKind.ROLL,
                status=UnitStatus.CONSUMED if used_up else UnitStatus.CREATED,
                uom=UnitOfMeasure.M,
                initial=lane.length,
                remaining=lane.length - lane.used,
                created_at=lane.created_at,
                updated_at=max(lane.created_at, lane.last_used_at),
                product=ctx.master.products["R-CATHODE"],
                station=slitting.station_id,
            ),
        )


def _passed_operation(ctx: Context, unit_id: int, step: Step, start: float, end: float) -> int:
    op_id = ctx.operation_id()
    row = operation_row(
        id=op_id,
        unit=unit_id,
        station=step.station_id,
        step=step.id,
        started_at=start,
        by=ctx.operator(start, step.station_id),
        completed_at=end,
        result=OperationResult.PASSED,
    )
    ctx.writer.add(Operation, row)
    return op_id


def _draw(
    ctx: Context, code: str, quantity: int, child: int, at: float, by: int, op_id: int
) -> None:
    for piece in ctx.streams[code].draw(quantity, at):
        ctx.writer.add(
            GenealogyEdge,
            edge_row(
                parent=piece.lot.id,
                child=child,
                quantity=piece.quantity,
                at=at,
                by=by,
                operation=op_id,
                position_from=piece.position_from,
                position_to=piece.position_to,
            ),
        )
