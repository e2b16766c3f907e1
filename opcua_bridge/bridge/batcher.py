"""Pure batching: samples, events and connection gaps collect into a batch that closes by size or
by age.

The clocks are parameters so tests drive time by hand. A batch's `batch_id` is a fresh uuid4:
the ingest stores it, and a redelivered batch (from the spool, after a lost ack) changes nothing.
"""

import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from lines.ingest.wire import Batch, columns_of
from opcua_bridge.bridge.mapping import iso_utc


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Batcher:
    """Collects entries; `add_*` returns a full batch when `max_items` is reached, else None."""

    def __init__(
        self,
        *,
        source: str,
        max_items: int,
        max_age_s: float,
        monotonic: Callable[[], float] = time.monotonic,
        utc_now: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.source = source
        self.max_items = max_items
        self.max_age_s = max_age_s
        self._monotonic = monotonic
        self._utc_now = utc_now
        self._samples: list[dict[str, Any]] = []
        self._events: list[dict[str, Any]] = []
        self._gaps: list[dict[str, Any]] = []
        self._opened_at: float | None = None

    def __len__(self) -> int:
        return len(self._samples) + len(self._events) + len(self._gaps)

    def add_sample(self, sample: dict[str, Any]) -> Batch | None:
        return self._add(self._samples, sample)

    def add_event(self, event: dict[str, Any]) -> Batch | None:
        return self._add(self._events, event)

    def add_gap(self, gap: dict[str, Any]) -> Batch | None:
        """A connection gap (opcua_bridge/bridge/gaps.py) rides in the next batch."""
        return self._add(self._gaps, gap)

    def _add(self, bucket: list[dict[str, Any]], entry: dict[str, Any]) -> Batch | None:
        if self._opened_at is None:
            self._opened_at = self._monotonic()
        bucket.append(entry)
        if len(self) >= self.max_items:
            return self.flush()
        return None

    def due(self) -> bool:
        """True when the open batch is older than `max_age_s` (the time trigger)."""
        return self._opened_at is not None and (
            self._monotonic() - self._opened_at >= self.max_age_s
        )

    def flush(self) -> Batch | None:
        """Close the open batch and return it; None when nothing is waiting."""
        if not len(self):
            return None
        batch = {
            "batch_id": str(uuid.uuid4()),
            "source": self.source,
            "created_at": iso_utc(self._utc_now()),
            # One list per field: half the JSON of an object per sample, in Redis, in the spool
            # and for the ingest to decode.
            "columns": columns_of(self._samples),
            "events": self._events,
        }
        if self._gaps:  # only then: a batch without gaps is what ingests before them read
            batch["gaps"] = self._gaps
        self._samples, self._events, self._gaps, self._opened_at = [], [], [], None
        return batch
