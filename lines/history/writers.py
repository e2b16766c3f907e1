"""Bulk writers per backend: COPY on PostgreSQL, executemany on SQLite, and id reservation.

Rows are buffered per table and loaded in chunks, so memory stays bounded whatever the history's
size. Ids of units and operations are reserved up front in blocks, so that edges can name their
parent, child and operation without a round trip per row. Foreign keys are DEFERRABLE INITIALLY
DEFERRED on both backends (Django's default), so tables may be loaded in any order inside the
caller's transaction; the checks run at commit.
"""

import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime

from django.db import connection
from django.db.models import Model

from lines.history.rows import EDGE_FIELDS, HISTORY_FIELDS, OPERATION_FIELDS, UNIT_FIELDS
from lines.models import GenealogyEdge, Operation, Unit, UnitHistory

# Load order: the referenced tables first, which keeps the deferred checks' queue short.
FIELDS: dict[type[Model], tuple[str, ...]] = {
    Unit: UNIT_FIELDS,
    Operation: OPERATION_FIELDS,
    GenealogyEdge: EDGE_FIELDS,
    UnitHistory: HISTORY_FIELDS,
}
ID_BLOCK = 100_000


def columns_of(model: type[Model]) -> list[str]:
    columns = {field.name: field.column for field in model._meta.concrete_fields}
    return [columns[name] for name in FIELDS[model]]


class BulkWriter:
    """Buffers rows per table and loads a table's buffer when it holds `chunk_rows` rows."""

    def __init__(self, *, chunk_rows: int = 50_000) -> None:
        self.chunk_rows = chunk_rows
        self.buffers: dict[type[Model], list[tuple]] = {model: [] for model in FIELDS}
        self.written: Counter[str] = Counter()
        # Time the database spent loading, per table.
        self.seconds: defaultdict[str, float] = defaultdict(float)
        connection.ensure_connection()

    def add(self, model: type[Model], row: tuple) -> None:
        buffer = self.buffers[model]
        buffer.append(row)
        if len(buffer) >= self.chunk_rows:
            self._flush(model)

    def flush(self) -> None:
        for model in FIELDS:
            self._flush(model)

    def _flush(self, model: type[Model]) -> None:
        rows = self.buffers[model]
        if rows:
            self._load(model, rows)
            self.written[model.__name__] += len(rows)
            self.buffers[model] = []

    def id_allocator(self, model: type[Model]) -> Callable[[], int]:
        """A function returning a fresh id of `model` per call, reserving blocks as it goes."""
        ids: Iterator[int] = iter(())

        def next_id() -> int:
            nonlocal ids
            try:
                return next(ids)
            except StopIteration:
                ids = iter(self._reserve(model, ID_BLOCK))
                return next(ids)

        return next_id

    def _load(self, model: type[Model], rows: list[tuple]) -> None:
        raise NotImplementedError

    def _reserve(self, model: type[Model], count: int) -> Iterable[int]:
        raise NotImplementedError

    def analyze(self, *, vacuum: bool) -> None:
        """Refresh the planner's statistics of the loaded tables (and the visibility map)."""

    def close(self) -> None:
        """Release what the writer holds (a loader thread); called whether the run failed or not."""

    @property
    def notes(self) -> list[str]:
        """What the run should say about how it loaded (printed by the command)."""
        return []


class SqliteWriter(BulkWriter):
    """executemany on the raw sqlite3 connection; ids counted up from the tables' maximum.

    The caller's transaction is IMMEDIATE (settings), so no other writer can take ids meanwhile.
    """

    def __init__(self, *, chunk_rows: int = 50_000) -> None:
        super().__init__(chunk_rows=chunk_rows)
        self.high: dict[type[Model], int] = {}

    def _load(self, model: type[Model], rows: list[tuple]) -> None:
        columns = columns_of(model)
        sql = (
            f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' * len(columns))})"
        )
        began = time.perf_counter()
        connection.connection.executemany(sql, [tuple(map(_sqlite_value, row)) for row in rows])
        self.seconds[model.__name__] += time.perf_counter() - began

    def _reserve(self, model: type[Model], count: int) -> Iterable[int]:
        if model not in self.high:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {model._meta.db_table}")
                self.high[model] = cursor.fetchone()[0]
        low = self.high[model] + 1
        self.high[model] += count
        return range(low, low + count)

    def analyze(self, *, vacuum: bool) -> None:
        with connection.cursor() as cursor:
            for model in FIELDS:
                cursor.execute(f"ANALYZE {model._meta.db_table}")


def _sqlite_value(value: object) -> object:
    # Django stores datetimes on SQLite as naive UTC text; the rows carry aware UTC datetimes.
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(" ")
    return value


def bulk_writer(*, chunk_rows: int = 50_000) -> BulkWriter:
    """The writer for the default database's backend; create it inside the load's transaction."""
    if connection.vendor == "postgresql":
        from lines.history.writers_pg import PostgresWriter  # psycopg only where it is used

        return PostgresWriter(chunk_rows=chunk_rows)
    if connection.vendor == "sqlite":
        return SqliteWriter(chunk_rows=chunk_rows)
    raise NotImplementedError(f"No bulk writer for {connection.vendor}.")
