"""The ingest batch being stored, for readers that may take configuration (specs, gates, routes)
as it was when the batch began instead of checking it again for every unit event.

A batch is one transaction of a few hundred milliseconds; a spec or gate committed while it runs
applies from the next batch, as it would had it been committed a moment later.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_batch: ContextVar[object | None] = ContextVar("ingest_batch", default=None)


@contextmanager
def batch_scope() -> Iterator[None]:
    """Mark the code inside as one batch's work."""
    token = _batch.set(object())
    try:
        yield
    finally:
        _batch.reset(token)


def current_batch() -> object | None:
    """A token unique to the batch being stored, or None outside the ingest."""
    return _batch.get()
