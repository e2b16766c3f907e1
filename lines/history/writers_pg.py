"""The PostgreSQL bulk writer: binary COPY from a loader thread, ids from the identity sequences.

The generator (Python, one core) and the server loading rows and their indexes (the other core)
work at the same time: the main thread queues full chunks and goes on generating while a loader
thread COPYs them over the same connection, inside the caller's transaction. The queue is short,
so memory stays bounded; psycopg's connection lock keeps the main thread's few queries (id
reservations) from interleaving with a COPY.

When the database role may (a superuser), the load sets session_replication_role = replica for
its transaction: the per-row foreign-key triggers, queued until commit (the keys are DEFERRABLE
INITIALLY DEFERRED), would otherwise cost more than the load itself. This is what pg_restore
--disable-triggers does; the keys hold by construction (every id was reserved or read in this run)
and tests/lines/test_generate_history.py checks them with joins. CHECK, UNIQUE and NOT NULL
constraints are not triggers and stay enforced; the lines tables have no INSERT triggers.
"""

import queue
import threading
import time
from collections.abc import Iterable

from django.db import connection
from django.db.models import Model

from lines.history.writers import FIELDS, BulkWriter, columns_of

QUEUED_CHUNKS = 2


class PostgresWriter(BulkWriter):
    """COPY ... FROM STDIN (FORMAT BINARY) through psycopg 3, from a loader thread."""

    def __init__(self, *, chunk_rows: int = 50_000) -> None:
        super().__init__(chunk_rows=chunk_rows)
        self.raw = connection.connection  # the psycopg connection, in the caller's transaction
        self.triggers_skipped = self._skip_triggers()
        self.types = {model: self._type_oids(model) for model in FIELDS}
        self.chunks: queue.Queue = queue.Queue(maxsize=QUEUED_CHUNKS)
        self.error: BaseException | None = None
        self.loader = threading.Thread(target=self._drain, name="history-copy", daemon=True)
        self.loader.start()

    @property
    def notes(self) -> list[str]:
        if self.triggers_skipped:
            return [
                "Foreign-key triggers skipped for the load (superuser); keys hold by construction."
            ]
        return ["Foreign keys checked at commit (the role is not a superuser): a slower load."]

    def _skip_triggers(self) -> bool:
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            superuser = bool(cursor.fetchone()[0])
            if superuser:
                cursor.execute("SET LOCAL session_replication_role = replica")
        return superuser

    def _type_oids(self, model: type[Model]) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {', '.join(columns_of(model))} FROM {model._meta.db_table} LIMIT 0"
            )
            return [column.type_code for column in cursor.description]

    def _load(self, model: type[Model], rows: list[tuple]) -> None:
        self._raise_if_failed()
        self.chunks.put((model, rows))

    def _drain(self) -> None:
        while True:
            chunk = self.chunks.get()
            try:
                if chunk is None:
                    return
                if self.error is None:
                    self._copy(*chunk)
            except BaseException as exc:  # handed to the main thread, which raises it
                self.error = exc
            finally:
                self.chunks.task_done()

    def _copy(self, model: type[Model], rows: list[tuple]) -> None:
        began = time.perf_counter()
        sql = f"COPY {model._meta.db_table} ({', '.join(columns_of(model))}) FROM STDIN (FORMAT BINARY)"
        with self.raw.cursor() as cursor, cursor.copy(sql) as copy:
            copy.set_types(self.types[model])
            for row in rows:
                copy.write_row(row)
        self.seconds[model.__name__] += time.perf_counter() - began

    def _raise_if_failed(self) -> None:
        if self.error is not None:
            raise self.error

    def flush(self) -> None:
        super().flush()
        self.chunks.join()
        self._raise_if_failed()

    def close(self) -> None:
        if self.loader.is_alive():
            self.chunks.put(None)
            self.loader.join()

    def _reserve(self, model: type[Model], count: int) -> Iterable[int]:
        # nextval() per id never hands an id to anyone else; when no other session took ids in
        # between (the usual case) the block is contiguous and comes back as two numbers.
        sql = """
            SELECT min(v), max(v),
                   CASE WHEN max(v) - min(v) + 1 = count(*) THEN NULL ELSE array_agg(v) END
            FROM (SELECT nextval(pg_get_serial_sequence(%s, 'id')) AS v
                  FROM generate_series(1, %s)) AS reserved
        """
        with connection.cursor() as cursor:
            cursor.execute(sql, [model._meta.db_table, count])
            low, high, scattered = cursor.fetchone()
        return sorted(scattered) if scattered is not None else range(low, high + 1)

    def analyze(self, *, vacuum: bool) -> None:
        # VACUUM sets the visibility map, without which the trace CTEs' index-only scans still
        # visit the heap; it cannot run inside a transaction (a test's), where ANALYZE alone runs.
        tables = ", ".join(model._meta.db_table for model in FIELDS)
        with connection.cursor() as cursor:
            cursor.execute(f"{'VACUUM (ANALYZE)' if vacuum else 'ANALYZE'} {tables}")
