"""A synthetic production history on the demo line, bulk-loaded: `manage.py generate_history`.

Material lots -> slurry batches -> mother rolls -> daughter rolls (4 lanes) -> cells, with every
genealogy edge (roll metres, foil and film metres), every operation along the routes with its
operator and times, and a 'created' UnitHistory row per unit (the later status changes are not
written: the operations tell them). Used to size and benchmark the genealogy traces (bench/).

Why it bypasses lines.services: the services lock, check and write one unit at a time, about a
dozen queries per cell, which would take hours for a million cells. Here the rows are generated in
Python and loaded in chunks (COPY on PostgreSQL, executemany on SQLite), and the rules the services
enforce hold by construction instead:
- identifiers are new: every one carries a prefix no unit or work order uses yet (checked first),
  and is unique within the run by its numbering;
- quantities balance: a lot's remaining is its initial minus exactly what its edges took (integer
  thousandths, so exact), never below zero; at zero it is consumed; a lot draw that exceeds what
  is left takes the rest and continues from a new lot;
- roll metres never overlap: a lane hands out consecutive pitch-long ranges within its length, and
  slitting edges cover 0..L like lines.services.roll_split;
- the graph is a DAG by construction: edges only go from older to newer units of the next stage;
- operations follow the route in order, at the station of the step's kind, with at most one open
  operation per unit and completed_at >= started_at; times increase along the flow, none is after
  the run's start (`now`).
tests/lines/test_generate_history.py checks these on generated data. The stacker stops for a
while after every context.STOP_EVERY_CELLS cells (no cell starts meanwhile); apps on
lines.hooks.AFTER_HISTORY (oee) write the machine time that matches.

Modules: params (the numbers), master (demo master data by code), lots (drawing from lots),
context (shared state and clocks), flow (batch, mother roll, lanes), cells (cells and their route),
rows (row tuples), writers and writers_pg (bulk loading and ids per backend), generate (the run).
"""

from lines.history.generate import HistoryReport, history_generate
from lines.history.params import COMPACT, FlowParams

__all__ = ["COMPACT", "FlowParams", "HistoryReport", "history_generate"]
