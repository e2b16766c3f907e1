"""What every part of the generator shares: the writer, the random source, ids, clocks, lot streams."""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from random import Random

from lines.history.lots import LotStream
from lines.history.master import MasterData
from lines.history.params import CELL_STEP_SECONDS, CELL_WAIT_SECONDS, FlowParams
from lines.history.writers import BulkWriter

SHIFT_SECONDS = 8 * 3600


def typical_cell_flow_s() -> float:
    """Mean seconds from the start of stacking to the end of EOL grading."""
    spans = [*CELL_STEP_SECONDS.values(), *CELL_WAIT_SECONDS.values()]
    return sum((low + high) / 2 for low, high in spans)


@dataclass
class Context:
    """The state of one generation run. Times are epoch seconds; `now` is the end of the history."""

    writer: BulkWriter
    rng: Random
    master: MasterData
    params: FlowParams
    prefix: str
    cells: int
    now: float
    unit_id: Callable[[], int]
    operation_id: Callable[[], int]
    streams: dict[str, LotStream] = field(default_factory=dict)
    work_orders: list[int] = field(default_factory=list)
    unfinished_per_order: Counter[int] = field(default_factory=Counter)
    cell_states: Counter[tuple[str, int | None]] = field(default_factory=Counter)
    takt_s: float = 0.0
    start: float = 0.0

    def __post_init__(self) -> None:
        # Small histories run slower (a pilot line), so that a few cells are still on the line at
        # the end and the rest have finished; large ones run at the stacker's takt.
        wip_target = max(10.0, self.params.wip_cells * self.cells)
        self.takt_s = max(self.params.takt_s, typical_cell_flow_s() / wip_target)
        self.start = self.now - self.cells * self.takt_s - 60.0

    def cell_start(self, index: int) -> float:
        """When cell `index` (0-based, in stacking order) starts stacking: takt plus a fixed jitter.

        The jitter is a hash of the index, not a draw, so the campaign that feeds a cell can ask for
        its time before the cell itself is made; it stays below a fifth of the takt, so cells keep
        their order.
        """
        jitter = ((index * 2_654_435_761) % 1_000) / 1_000 * 0.2
        return self.start + (index + jitter) * self.takt_s

    def operator(self, at: float, station_id: int) -> int:
        """The operator on shift at `at` at that station (stations are staffed in rotation)."""
        people = self.master.operators
        return people[(int(at // SHIFT_SECONDS) + station_id) % len(people)]

    def between(self, low: float, high: float) -> float:
        return low + (high - low) * self.rng.random()
