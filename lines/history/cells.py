"""Cells: stacked from lane metres, lithium foil and pouch film, then moved along R-CELL until now.

Each cell's steps are timed from its stacking start (durations and waits from params). Where the
history's end (`now`) falls decides the cell's state: waiting for a step, in an open operation, or
done; a step may fail (the cell is scrapped, ~1 % in all); the oldest finished cells are shipped.
"""

from lines.choices import OperationResult, UnitKind, UnitOfMeasure, UnitStatus
from lines.history.context import Context
from lines.history.flow import Lane
from lines.history.params import CELL_SCRAP, CELL_STEP_SECONDS, CELL_WAIT_SECONDS, DAY
from lines.history.rows import created_row, edge_row, operation_row, unit_row
from lines.models import GenealogyEdge, Operation, Unit, UnitHistory

CONSUMED_AFTER_S = 5.0  # into stacking, when the sheets are cut and the pouch cup is loaded


class CellMaker:
    """Makes cells in stacking order; one instance per run (it holds the step plan)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.plan = []
        for step in ctx.master.steps["R-CELL"]:
            low, high = CELL_STEP_SECONDS[step.kind]
            wait_low, wait_high = CELL_WAIT_SECONDS.get(step.kind, (0.0, 0.0))
            fail, reason = CELL_SCRAP[step.kind]
            plan = (
                step,
                low,
                high - low,
                wait_low,
                wait_high - wait_low,
                fail,
                f"scrapped: {reason}",
            )
            self.plan.append(plan)
        self.shipped_below = int(ctx.params.shipped * ctx.cells)
        self.li, self.pouch = ctx.streams["LI30"], ctx.streams["POUCH-AL"]

    def make(self, lanes: list[Lane], *, first: int, count: int) -> int:
        """Stack up to `count` cells from the lanes in order, numbering from `first`; return how many."""
        made = 0
        for lane in lanes:
            while made < count and lane.length - lane.used >= self.ctx.params.cell_pitch_mm:
                self._cell(first + made, lane)
                made += 1
        return made

    def _cell(self, index: int, lane: Lane) -> None:
        ctx, params = self.ctx, self.ctx.params
        cell_id, start = ctx.unit_id(), ctx.cell_start(index)
        ops, state = self._steps(cell_id, index, start)
        stacking_op, by = ops[0][0], ops[0][5]
        at = start + CONSUMED_AFTER_S
        used = lane.used
        lane.used, lane.last_used_at = used + params.cell_pitch_mm, at
        write = ctx.writer.add
        write(
            GenealogyEdge,
            edge_row(
                parent=lane.id,
                child=cell_id,
                quantity=params.cell_pitch_mm,
                at=at,
                by=by,
                operation=stacking_op,
                position_from=used,
                position_to=lane.used,
            ),
        )
        for stream, quantity in (
            (self.li, params.li_per_cell_mm),
            (self.pouch, params.pouch_per_cell_mm),
        ):
            for piece in stream.draw(quantity, at):
                write(
                    GenealogyEdge,
                    edge_row(
                        parent=piece.lot.id,
                        child=cell_id,
                        quantity=piece.quantity,
                        at=at,
                        by=by,
                        operation=stacking_op,
                        position_from=piece.position_from,
                        position_to=piece.position_to,
                    ),
                )
        for op in ops:
            write(Operation, op)
        status, current_step, station, updated = state
        order = ctx.work_orders[index // params.cells_per_work_order]
        if status == UnitStatus.IN_PROCESS:
            ctx.unfinished_per_order[order] += 1
        ctx.cell_states[(status, station)] += 1
        write(
            Unit,
            unit_row(
                id=cell_id,
                identifier=f"{ctx.prefix}-C{index + 1:07d}",
                kind=UnitKind.CELL,
                status=status,
                uom=UnitOfMeasure.PCS,
                initial=1000,
                remaining=1000,
                created_at=start,
                updated_at=updated,
                product=ctx.master.products["R-CELL"],
                work_order=order,
                route=ctx.master.routes["R-CELL"],
                current_step=current_step,
                station=station,
            ),
        )
        write(UnitHistory, created_row(unit=cell_id, at=start, by=by))

    def _steps(self, cell_id: int, index: int, start: float) -> tuple[list[tuple], tuple]:
        """The cell's operation rows and its final (status, current step, station, updated_at)."""
        ctx, now, random = self.ctx, self.ctx.now, self.ctx.rng.random
        ops: list[tuple] = []
        t, station, updated = start, None, start
        for number, (step, low, span, wait_low, wait_span, fail, note) in enumerate(self.plan):
            if number:
                t += wait_low + wait_span * random()
                if t > now:  # finished the previous step, waiting for this one
                    return ops, (UnitStatus.IN_PROCESS, step.id, station, updated)
            end = t + low + span * random()
            op_id, by = ctx.operation_id(), ctx.operator(t, step.station_id)
            if end > now:  # in this step right now
                ops.append(
                    operation_row(
                        id=op_id,
                        unit=cell_id,
                        station=step.station_id,
                        step=step.id,
                        started_at=t,
                        by=by,
                        completed_at=None,
                    )
                )
                return ops, (UnitStatus.IN_PROCESS, step.id, step.station_id, t)
            failed = random() < fail
            result = OperationResult.FAILED if failed else OperationResult.PASSED
            ops.append(
                operation_row(
                    id=op_id,
                    unit=cell_id,
                    station=step.station_id,
                    step=step.id,
                    started_at=t,
                    by=by,
                    completed_at=end,
                    result=result,
                    note=note if failed else "",
                )
            )
            if failed:  # a failed step leaves the cell at it; quality scraps it a few minutes later
                return ops, (UnitStatus.SCRAPPED, step.id, step.station_id, min(end + 300.0, now))
            t, station, updated = end, step.station_id, end
        shipped_at = t + 2 * DAY + 8 * DAY * random()
        if index < self.shipped_below and shipped_at <= now:
            return ops, (UnitStatus.SHIPPED, None, station, shipped_at)
        return ops, (UnitStatus.RELEASED, None, station, t)
