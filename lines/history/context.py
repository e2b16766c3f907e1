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
# The stacker stops now and then (machine time, docs/oee.md): after every STOP_EVERY_CELLS cells,
# in turn a jam (PLC code 17) and a shorter gripper fault (code 23); no cell is stacked meanwhile.
STOP_EVERY_CELLS = 600
STOPS: tuple[tuple[float, str], ...] = ((900.0, "17"), (300.0, "23"))


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
    notes: list[str] = field(default_factory=list)  # what other apps said (hooks)

    def __post_init__(self) -> None:
        # Small histories run slower (a pilot line), so that a few cells are still on the line at
        # the end and the rest have finished; large ones run at the stacker's takt.
        wip_target = max(10.0, self.params.wip_cells * self.cells)
        self.takt_s = max(self.params.takt_s, typical_cell_flow_s() / wip_target)
        self.start = self.now - self.cells * self.takt_s - self._stopped_s(self.cells) - 60.0

    def cell_start(self, index: int) -> float:
        """When cell `index` (0-based, in stacking order) starts stacking: takt plus a fixed jitter.

        The jitter is a hash of the index, not a draw, so the campaign that feeds a cell can ask for
        its time before the cell itself is made; it stays below a fifth of the takt, so cells keep
        their order.
        """
        jitter = ((index * 2_654_435_761) % 1_000) / 1_000 * 0.2
        return self.start + (index + jitter) * self.takt_s + self._stopped_s(index)

    def _stopped_s(self, index: int) -> float:
        """Seconds the stacker stood still before cell `index` (the stops after every
        STOP_EVERY_CELLS cells)."""
        count = index // STOP_EVERY_CELLS
        return sum(STOPS[k % len(STOPS)][0] for k in range(count))

    def stacker_stops(self) -> list[tuple[float, float, str]]:
        """(start, end, PLC code) of each stop: from the takt slot after the last cell before it
        (that cell is stacked by then: jitter and stacking stay under one takt) to the next
        cell's start."""
        stops = []
        for k in range(1, (self.cells - 1) // STOP_EVERY_CELLS + 1):
            index = k * STOP_EVERY_CELLS
            began = self.start + index * self.takt_s + self._stopped_s(index - 1)
            seconds, code = STOPS[(k - 1) % len(STOPS)]
            stops.append((began, began + seconds, code))
        return stops

    def operator(self, at: float, station_id: int) -> int:
        """The operator on shift at `at` at that station (stations are staffed in rotation)."""
        people = self.master.operators
        return people[(int(at // SHIFT_SECONDS) + station_id) % len(people)]

    def between(self, low: float, high: float) -> float:
        return low + (high - low) * self.rng.random()
