"""Telemetry partitioned by time on PostgreSQL: monthly partitions of lines_sample by source_time.

Why: a line writes tens of millions of samples a month; dropping a month is instant where a
DELETE would take hours and bloat the table, and queries over a time window touch only the
months they need. A DEFAULT partition takes any row no monthly partition covers (a PLC with a
wrong clock, upkeep that lapsed), so an insert never fails for want of a partition; upkeep
moves such rows into their month when it creates it.

SQLite (embedded mode) keeps one plain table; everything here is a no-op there.
"""

import csv
import gzip
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import OperationalError, connection, transaction

if TYPE_CHECKING:
    from lines.services.telemetry_retention import Policy

TABLE = "lines_sample"
DEFAULT = f"{TABLE}_default"
# How long dropping an emptied month may keep the ingest waiting on the table's lock.
LOCK_TIMEOUT_MS = 2000


@dataclass(frozen=True)
class Month:
    first: date

    @property
    def name(self) -> str:
        return f"{TABLE}_{self.first:%Y_%m}"

    @property
    def next(self) -> "Month":
        year, month = divmod(self.first.month, 12)
        return Month(date(self.first.year + year, month + 1, 1))

    def bounds(self) -> tuple[datetime, datetime]:
        start = datetime(self.first.year, self.first.month, 1, tzinfo=UTC)
        end = datetime(self.next.first.year, self.next.first.month, 1, tzinfo=UTC)
        return start, end


def month_of(moment: date) -> Month:
    return Month(date(moment.year, moment.month, 1))


def is_partitioned() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE relname = %s", [TABLE])
        row = cursor.fetchone()
    return bool(row and row[0] == "p")


def partitions() -> list[tuple[str, str]]:
    """(partition name, bound expression) of lines_sample, in name order."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, pg_get_expr(c.relpartbound, c.oid)
            FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = %s::regclass ORDER BY c.relname
            """,
            [TABLE],
        )
        return list(cursor.fetchall())


def ensure_months(*, today: date | None = None, behind: int = 1, ahead: int = 3) -> list[str]:
    """Create the monthly partitions from `behind` months ago to `ahead` months on; returns the
    names created. Rows already in the DEFAULT partition for a new month are moved into it."""
    if not is_partitioned():
        return []
    month = month_of(today or datetime.now(UTC).date())
    for _ in range(behind):
        month = _previous(month)
    existing = {name for name, _ in partitions()}
    created = []
    for _ in range(behind + 1 + ahead):
        if month.name not in existing:
            _create(month)
            created.append(month.name)
        month = month.next
    return created


def _previous(month: Month) -> Month:
    first = month.first
    return Month(date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1))


@transaction.atomic
def _create(month: Month) -> None:
    start, end = month.bounds()
    with connection.cursor() as cursor:
        # A partition cannot be attached over rows the DEFAULT partition holds for its range:
        # build it apart, move those rows in, then attach.
        cursor.execute(
            f'CREATE TABLE "{month.name}" (LIKE "{TABLE}" INCLUDING DEFAULTS INCLUDING CONSTRAINTS)'
        )
        cursor.execute(
            f'WITH moved AS (DELETE FROM "{DEFAULT}" WHERE source_time >= %s AND source_time < %s '
            f'RETURNING *) INSERT INTO "{month.name}" SELECT * FROM moved',
            [start, end],
        )
        cursor.execute(
            f'ALTER TABLE "{TABLE}" ATTACH PARTITION "{month.name}" FOR VALUES FROM (%s) TO (%s)',
            [start, end],
        )


@dataclass
class Archived:
    files: list[Path] = field(default_factory=list)
    # (partition, rows retention keeps): not archived, not dropped
    refused: list[tuple[str, int]] = field(default_factory=list)


def archive_before(*, cutoff: date, directory: Path, policy: "Policy | None" = None) -> Archived:
    """Export each monthly partition that ends on or before `cutoff` to a gzipped CSV in
    `directory`, then detach and drop it. A partition holding any row retention keeps under
    `policy` (a unit's samples, samples a quality record refers to, raw telemetry younger than
    its period: lines/services/telemetry_retention.py) is refused: compact it first
    (telemetry_compact), its rows then live on in segments. The DEFAULT partition is never
    archived."""
    from lines.services.telemetry_retention import Policy, must_keep_rows

    done = Archived()
    if not is_partitioned():
        return done
    policy = policy or Policy.from_settings(now=datetime.now(UTC))
    directory.mkdir(parents=True, exist_ok=True)
    for name in _months_ended_by(cutoff):
        kept = must_keep_rows(table=name, policy=policy)
        if kept:
            done.refused.append((name, kept))
            continue
        done.files.append(_archive(name, directory))
    return done


def drop_empty_before(*, cutoff: date, attempts: int = 5) -> list[str]:
    """Drop each monthly partition that ends on or before `cutoff` and holds no row (compaction
    and retention emptied it); returns the names dropped.

    DETACH ... CONCURRENTLY is refused while a DEFAULT partition exists, so a plain DETACH: it
    takes the parent's lock for an instant (the partition is empty; nothing is scanned or
    moved), behind a short lock_timeout so that an ingest insert waits at most that long; a
    timeout is retried, then the partition is left for the next run. Emptiness is checked again
    once the partition is detached, under the lock: a row that landed meanwhile rolls it back."""
    if not is_partitioned():
        return []
    dropped = []
    for name in _months_ended_by(cutoff):
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT EXISTS (SELECT 1 FROM "{name}")')  # noqa: S608
            if cursor.fetchone()[0]:
                continue
        for attempt in range(attempts):
            try:
                if _drop_if_empty(name):
                    dropped.append(name)
                break
            except OperationalError:  # lock_timeout: the ingest or a reader held the table
                time.sleep(0.2 * (attempt + 1))
    return dropped


class _NotEmpty(Exception):
    pass


def _drop_if_empty(name: str) -> bool:
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_MS}ms'")
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f'ALTER TABLE "{TABLE}" DETACH PARTITION "{name}"')
            cursor.execute(f'SELECT EXISTS (SELECT 1 FROM "{name}")')  # noqa: S608
            if cursor.fetchone()[0]:
                raise _NotEmpty
            cursor.execute(f'DROP TABLE "{name}"')
    except _NotEmpty:
        return False
    return True


def _months_ended_by(cutoff: date) -> list[str]:
    cutoff_at = datetime(cutoff.year, cutoff.month, cutoff.day, tzinfo=UTC)
    names = []
    for name, _bound in partitions():
        if name == DEFAULT:
            continue
        first = datetime.strptime(name.removeprefix(f"{TABLE}_"), "%Y_%m").date()
        if Month(first).bounds()[1] <= cutoff_at:
            names.append(name)
    return names


@transaction.atomic
def _archive(name: str, directory: Path) -> Path:
    path = directory / f"{name}.csv.gz"
    partial = path.with_suffix(".gz.partial")
    with connection.cursor() as cursor:
        # Deferred foreign-key checks of rows written earlier in this transaction would block
        # the DROP: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f'ALTER TABLE "{TABLE}" DETACH PARTITION "{name}"')
        cursor.execute(f'SELECT * FROM "{name}" ORDER BY id')
        columns = [c.name for c in cursor.description]
        with gzip.open(partial, "wt", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(columns)
            while rows := cursor.fetchmany(10_000):
                writer.writerows(rows)
        partial.replace(path)  # the file is complete before the rows go
        cursor.execute(f'DROP TABLE "{name}"')
    return path
