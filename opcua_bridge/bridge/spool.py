"""The disk spool: every batch the bridge made, until the ingest confirms it stored it.

A broker that accepted a batch has not stored it: Redis killed between a worker's pop and its
unacknowledged record leaves the batch nowhere. So a batch is written here before it is handed
over and removed only on the ingest's confirmation (lines/confirm.py). One file per batch,
`<seq>-<batch id>.json`, written to a temporary name, fsynced, renamed and the directory fsynced:
a bridge killed at any point leaves whole batches or none, and re-sends on restart everything
still here (the ingest's batch id makes a repeat a no-op).

What the spool does not keep on disk is whether a batch was already handed over: after a
restart every batch is waiting again. A file that does not parse is moved to `corrupt/`; a batch
the ingest refused (malformed: re-sending cannot help) to `refused/`, for a person to look at.
Not thread-safe: one owner (the forwarder's thread).

Until 2026-12 the spool was one journal (`batches.jsonl` + `delivered.offset`) of undelivered
batches only; a spool found in that form is taken over, in order, when the spool opens.
"""

import contextlib
import json
import logging
import os
import time
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lines.ingest.wire import sample_count

logger = logging.getLogger(__name__)

SUFFIX = ".json"
TMP_PREFIX = ".tmp-"
CORRUPT, REFUSED = "corrupt", "refused"
LEGACY_JOURNAL, LEGACY_CURSOR = "batches.jsonl", "delivered.offset"


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass
class Entry:
    """One batch on disk. `sent_at` (monotonic) is None until the broker accepts it."""

    seq: int
    batch_id: str
    source: str
    samples: int
    size: int
    path: Path
    spooled_at: float = 0.0  # wall clock (the file's mtime after a restart)
    sent_at: float | None = None
    attempts: int = 0  # hand-overs to the broker so far
    send_no: int = 0  # the forwarder's count of hand-overs at this batch's latest one
    batch: dict[str, Any] | None = None  # in memory until its first hand-over (no re-read)


class Spool:
    """Batches on disk in the order they were made; `depth` are not yet handed over."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.corrupt_files = 0
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        self._next_seq = 1
        self._recover()
        self._take_over_legacy_journal()

    # --- reading the state -------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, batch_id: str) -> bool:
        return batch_id in self._entries

    def entry(self, batch_id: str) -> Entry:
        return self._entries[batch_id]

    def entries(self) -> Iterator[Entry]:
        """Oldest first; a snapshot, so the caller may confirm while iterating."""
        return iter(list(self._entries.values()))

    @property
    def depth(self) -> int:
        """Batches not handed over yet (the broker refused them, or the bound holds them)."""
        return sum(1 for entry in self._entries.values() if entry.sent_at is None)

    def unconfirmed(self) -> list[Entry]:
        """Handed over, the ingest's confirmation not yet received."""
        return [entry for entry in self._entries.values() if entry.sent_at is not None]

    def sources(self) -> set[str]:
        return {entry.source for entry in self._entries.values()}

    # --- changing it -------------------------------------------------------------------------

    def add(self, batch: dict[str, Any]) -> Entry:
        """Write the batch durably (temporary file, fsync, rename, fsync of the directory)."""
        batch_id = str(batch["batch_id"])
        if batch_id in self._entries:
            return self._entries[batch_id]
        raw = json.dumps(batch, separators=(",", ":"), allow_nan=False).encode()
        seq = self._next_seq
        path = self.directory / f"{seq:012d}-{_safe(batch_id)}{SUFFIX}"
        tmp = self.directory / f"{TMP_PREFIX}{path.name}"
        with open(tmp, "wb") as handle:
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        _fsync_dir(self.directory)
        self._next_seq += 1
        source = str(batch.get("source") or "")
        entry = Entry(seq, batch_id, source, sample_count(batch), len(raw), path, time.time())
        entry.batch = batch
        self._entries[batch_id] = entry
        return entry

    def load(self, entry: Entry) -> dict[str, Any] | None:
        """The batch of `entry`; None (and the file set aside) when it no longer parses."""
        if entry.batch is not None:
            return entry.batch
        try:
            return json.loads(entry.path.read_bytes())
        except (OSError, ValueError) as exc:
            logger.error("spool %s: %s unreadable (%s)", self.directory, entry.path.name, exc)
            self._set_aside(entry.batch_id, CORRUPT)
            self.corrupt_files += 1
            return None

    def confirm(self, batch_id: str) -> Entry | None:
        """The ingest stored it: forget it. No fsync: were the unlink lost, a re-send is a no-op."""
        entry = self._entries.pop(batch_id, None)
        if entry is not None:
            entry.path.unlink(missing_ok=True)
        return entry

    def refuse(self, batch_id: str) -> Entry | None:
        """The ingest refused it whole: keep it aside in `refused/`, never send it again."""
        return self._set_aside(batch_id, REFUSED)

    def close(self) -> None:
        """Nothing is held open; kept so owners can close what they opened."""

    # --- opening ------------------------------------------------------------------------------

    def _set_aside(self, batch_id: str, folder: str) -> Entry | None:
        entry = self._entries.pop(batch_id, None)
        if entry is not None:
            target = self.directory / folder
            target.mkdir(exist_ok=True)
            with contextlib.suppress(FileNotFoundError):
                os.replace(entry.path, target / entry.path.name)
        return entry

    def _recover(self) -> None:
        """Index the batch files in order; drop temporary files (never renamed: never sent)."""
        for tmp in self.directory.glob(f"{TMP_PREFIX}*"):
            tmp.unlink(missing_ok=True)
        for path in sorted(self.directory.glob(f"*{SUFFIX}")):
            seq_text = path.name.split("-", 1)[0]
            try:
                batch = json.loads(path.read_bytes())
                seq = int(seq_text)
                batch_id = str(batch["batch_id"])
            except (ValueError, KeyError, TypeError) as exc:
                logger.error("spool %s: %s does not parse (%s)", self.directory, path.name, exc)
                (self.directory / CORRUPT).mkdir(exist_ok=True)
                os.replace(path, self.directory / CORRUPT / path.name)
                self.corrupt_files += 1
                continue
            stat = path.stat()
            source = str(batch.get("source") or "")
            self._entries[batch_id] = Entry(
                seq, batch_id, source, sample_count(batch), stat.st_size, path, stat.st_mtime
            )
            self._next_seq = max(self._next_seq, seq + 1)
        if self._entries:
            logger.info("spool %s: %d batches to send again", self.directory, len(self))

    def _take_over_legacy_journal(self) -> None:
        """A spool of the journal form: its undelivered batches become files, then it goes."""
        journal = self.directory / LEGACY_JOURNAL
        if not journal.exists():
            return
        cursor = self.directory / LEGACY_CURSOR
        try:
            offset = int(cursor.read_text().strip() or 0)
        except (FileNotFoundError, ValueError):
            offset = 0
        data = journal.read_bytes()
        for line in data[offset if offset <= len(data) else 0 :].splitlines():
            try:
                self.add(json.loads(line))
            except (ValueError, KeyError, TypeError):
                self.corrupt_files += 1
                with open(self.directory / "corrupt.jsonl", "ab") as handle:
                    handle.write(line + b"\n")
        journal.unlink()
        cursor.unlink(missing_ok=True)
        _fsync_dir(self.directory)


def _safe(batch_id: str) -> str:
    """A batch id as part of a file name (bridge ids are uuid4 text; anything else is cleaned)."""
    cleaned = "".join(c if c.isalnum() or c in "-_" else "_" for c in batch_id)
    return cleaned[:64] or "batch"
