"""The disk spool: batches that could not be delivered, in order, until delivery works again.

One append-only journal (`batches.jsonl`, one JSON batch a line, fsynced after each append) and a
cursor (`delivered.offset`, the byte offset up to which batches were delivered, replaced
atomically). A batch leaves the spool only when `pop()` is called after its delivery succeeded, so
a crash between delivery and `pop()` delivers it again: at-least-once; the ingest is idempotent
on `batch_id`. When everything is delivered the journal is truncated and the cursor reset.

A line that does not parse (a torn write at a crash, a damaged disk) is kept aside in
`corrupt.jsonl` and skipped; the spool goes on with the next line. Not thread-safe: one owner.
"""

import json
import logging
import os
from collections import deque
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

JOURNAL = "batches.jsonl"
CURSOR = "delivered.offset"
CORRUPT = "corrupt.jsonl"


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Spool:
    """FIFO of batches on disk; `depth` is how many wait."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.journal_path = directory / JOURNAL
        self.cursor_path = directory / CURSOR
        self.corrupt_lines = 0
        self._pending: deque[tuple[int, int]] = deque()  # (start, end) byte ranges, oldest first
        self._journal = open(self.journal_path, "a+b")  # noqa: SIM115 -- held open for appends
        self._recover()

    @property
    def depth(self) -> int:
        return len(self._pending)

    def close(self) -> None:
        self._journal.close()

    def append(self, batch: dict[str, Any]) -> None:
        """Write the batch at the end of the journal and fsync before returning."""
        line = json.dumps(batch, separators=(",", ":"), allow_nan=False).encode() + b"\n"
        self._journal.seek(0, os.SEEK_END)
        start = self._journal.tell()
        self._journal.write(line)
        self._journal.flush()
        os.fsync(self._journal.fileno())
        self._pending.append((start, start + len(line)))

    def peek(self) -> dict[str, Any] | None:
        """The oldest waiting batch, without removing it."""
        while self._pending:
            start, end = self._pending[0]
            self._journal.seek(start)
            raw = self._journal.read(end - start)
            try:
                return json.loads(raw)
            except ValueError:
                self._set_aside(raw)
                self._pending.popleft()
                self._advance(end)
        return None

    def pop(self) -> None:
        """Forget the oldest batch: call only after its delivery succeeded."""
        _start, end = self._pending.popleft()
        self._advance(end)

    def _advance(self, offset: int) -> None:
        if self._pending:
            self._write_cursor(offset)
            return
        # Everything delivered: empty the journal first, then the cursor. A crash in between
        # leaves a cursor past the end of an empty journal, which `_recover` reads as zero.
        self._journal.truncate(0)
        os.fsync(self._journal.fileno())
        self._write_cursor(0)

    def _write_cursor(self, offset: int) -> None:
        tmp = self.cursor_path.with_suffix(".tmp")
        with open(tmp, "w") as handle:
            handle.write(str(offset))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.cursor_path)
        _fsync_dir(self.directory)

    def _read_cursor(self) -> int:
        try:
            return int(self.cursor_path.read_text().strip() or 0)
        except (FileNotFoundError, ValueError):
            return 0

    def _recover(self) -> None:
        """Index the undelivered lines; set aside a line that does not parse (a torn tail)."""
        self._journal.seek(0, os.SEEK_END)
        size = self._journal.tell()
        offset = self._read_cursor()
        if offset > size:
            offset = 0
        self._journal.seek(offset)
        while offset < size:
            raw = self._journal.readline()
            end = offset + len(raw)
            if raw.endswith(b"\n") and self._parses(raw):
                self._pending.append((offset, end))
            else:
                self._set_aside(raw)
                if not raw.endswith(b"\n"):  # a torn last write: cut it so appends start clean
                    self._journal.truncate(offset)
                    os.fsync(self._journal.fileno())
                    break
            offset = end
        if self._pending:
            logger.info("spool %s: %d batches waiting", self.directory, len(self._pending))

    @staticmethod
    def _parses(raw: bytes) -> bool:
        try:
            json.loads(raw)
        except ValueError:
            return False
        return True

    def _set_aside(self, raw: bytes) -> None:
        self.corrupt_lines += 1
        logger.error("spool %s: a line does not parse; kept in %s", self.directory, CORRUPT)
        with open(self.directory / CORRUPT, "ab") as handle:
            handle.write(raw if raw.endswith(b"\n") else raw + b"\n")
