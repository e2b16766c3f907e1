"""Parsing a batch from the bridge (docs/telemetry.md) into plain records. Pure: no database.

A malformed batch (not the documented shape, or oversized) is refused whole with a clear error;
a malformed sample inside a good batch is kept, with the reason it cannot be used
(lines/telemetry_bounds.py says what is usable), and an event without a readable time or fields
is a problem of the batch.
"""

import math
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from lines.ingest.columns import epoch_us
from lines.ingest.wire import ABSENT, SAMPLE_FIELDS
from lines.telemetry_bounds import (
    EARLIEST,
    LATEST,
    MAX_ABS_VALUE,
    as_number,
    status_of,
    text_of,
    time_problem,
)
from mes.errors import InvalidInput

MAX_SAMPLES = 50_000
EARLIEST_US, LATEST_US = epoch_us(EARLIEST), epoch_us(LATEST)  # the time window, as epoch_us
MAX_EVENTS = 10_000
_SPECIAL = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


@dataclass(slots=True)
class RawValues:
    """The batch's values as received, column by column, in the batch's order."""

    node_id: list[str] = field(default_factory=list)
    value: list[float | None] = field(default_factory=list)  # None when what arrived is no number
    text: list[str] = field(default_factory=list)  # what arrived when not a plain number
    source_time: list[datetime] = field(default_factory=list)
    source_us: list[int] = field(default_factory=list)  # source_time as epoch_us
    server_time: list[datetime] = field(default_factory=list)
    status: list[int] = field(default_factory=list)
    problem: list[str] = field(default_factory=list)  # why a value cannot be used, or ""

    def __len__(self) -> int:
        return len(self.node_id)


@dataclass(slots=True)
class RawEvent:
    node_id: str
    type: str
    time: datetime
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class ParsedBatch:
    batch_id: uuid.UUID
    source: str
    samples: RawValues
    events: list[RawEvent]
    problems: list[str] = field(default_factory=list)  # events that could not be read


def _time(value: Any, what: str) -> datetime:
    """An aware time within the window telemetry_bounds.py allows; InvalidInput saying why not."""
    try:
        moment = parse_datetime(value) if isinstance(value, str) else None
    except ValueError:  # well formed but no date: month 13, an offset of 99 hours
        moment = None
    if moment is None or moment.tzinfo is None:
        raise InvalidInput(
            _("%(field)s must be an ISO 8601 time with a zone, got %(value)s.")
            % {"field": what, "value": repr(text_of(value))},
            field=what,
        )
    problem = time_problem(moment, what, value)
    if problem:
        raise InvalidInput(problem, field=what)
    return moment


def _value(raw: Any) -> tuple[float | None, str, str]:
    """(number, text, problem) for a value as the server sent it."""
    if isinstance(raw, bool):
        return float(raw), "", ""
    if isinstance(raw, int | float):
        number, problem = as_number(raw)
        return number, text_of(raw) if problem else "", problem
    if isinstance(raw, str) and raw in _SPECIAL:
        return None, raw, "not a finite number"
    if raw is None:
        return None, "", "no value"
    text = text_of(raw)
    try:
        number, problem = as_number(float(raw))
    except (TypeError, ValueError):
        return None, text, ""  # text: a serial or a roll id; a problem only for a parameter
    return number, text, problem


def _stamp(value: Any, what: str, seen: dict[str, tuple[datetime, int]]) -> tuple[datetime, int]:
    """A time and its epoch_us, parsed once per text: a bridge often sends the same stamp as
    source and server time."""
    if isinstance(value, str) and value in seen:
        return seen[value]
    moment = _time(value, what)
    seen[value] = parsed = (moment, epoch_us(moment))
    return parsed


def _row(fields: tuple, seen: dict[str, tuple[datetime, int]]) -> tuple:
    """One value (its SAMPLE_FIELDS) as the fields of RawValues, in their order."""
    node_id, raw, source_time, server_time, status = fields
    value: float | None
    if type(raw) is float and -MAX_ABS_VALUE <= raw <= MAX_ABS_VALUE:  # as _value would say
        value, text, problem = raw, "", ""
    else:
        value, text, problem = _value(raw)
    try:
        stamped = _stamp(server_time, "server_time", seen)
        source, source_us = _stamp(source_time, "source_time", seen) if source_time else stamped
        server = stamped[0]
    except InvalidInput as exc:  # kept, stamped on arrival, never judged
        server = source = timezone.now()
        source_us, problem = epoch_us(source), exc.message
    status, status_problem = status_of(status)
    if not problem:
        problem = status_problem or (f"OPC UA status 0x{status:08X}" if status else "")
    # Kept to what the columns hold, so one oversized value never fails the batch it came in.
    return (text_of(node_id, 255), value, text, source, source_us, server, status, problem[:200])


def _values(entries: Iterable[tuple]) -> RawValues:
    """RawValues of the values' SAMPLE_FIELDS tuples."""
    seen: dict[str, tuple[datetime, int]] = {}
    out = RawValues()
    node_ids, values, texts, sources = out.node_id, out.value, out.text, out.source_time
    source_uss, servers, statuses, problems = (
        out.source_us,
        out.server_time,
        out.status,
        out.problem,
    )
    fromisoformat = datetime.fromisoformat
    for entry in entries:
        # The common case inline (a good float with a readable zoned time): a call per value
        # and Django's parse_datetime were two thirds of parsing a 5,000-value batch.
        node_id, raw, source_time, stamp, status = entry
        known = seen.get(stamp) if type(stamp) is str else None
        if known is None and type(stamp) is str:
            try:
                moment = fromisoformat(stamp)
            except ValueError:
                moment = None  # not the plain form: _row parses it, or says why not
            if moment is not None and moment.tzinfo is not None:
                moment_us = epoch_us(moment)
                if EARLIEST_US <= moment_us < LATEST_US:  # else _row says why not
                    known = seen[stamp] = (moment, moment_us)
        if (
            known is not None
            and type(raw) is float
            and -MAX_ABS_VALUE <= raw <= MAX_ABS_VALUE  # False for NaN too
            and status == 0
            and type(status) is int
            and type(node_id) is str
            and len(node_id) <= 255
            and "\x00" not in node_id
            and (source_time is None or source_time == stamp)
        ):
            node_ids.append(node_id)
            values.append(raw)
            texts.append("")
            sources.append(known[0])
            source_uss.append(known[1])
            servers.append(known[0])
            statuses.append(0)
            problems.append("")
            continue
        row = _row(entry, seen)
        columns: tuple[list[Any], ...] = (
            node_ids,
            values,
            texts,
            sources,
            source_uss,
            servers,
            statuses,
            problems,
        )
        for column, field_value in zip(
            columns,
            row,
            strict=True,
        ):
            column.append(field_value)
    return out


def _sample_entries(batch: dict[str, Any]) -> tuple[int, Iterable[tuple]]:
    """How many values the batch holds, and their SAMPLE_FIELDS tuples; a malformed list or
    column set refuses the batch."""
    samples, columns = batch.get("samples"), batch.get("columns")
    if samples is not None and columns is not None:
        raise InvalidInput(_("A batch has samples or columns, not both."), field="columns")
    if columns is None:
        samples = samples or []
        if not isinstance(samples, list) or not all(isinstance(s, dict) for s in samples):
            raise InvalidInput(_("samples must be a list of JSON objects."), field="samples")
        return len(samples), (
            (
                s.get("node_id", ""),
                s.get("value"),
                s.get("source_time"),
                s.get("server_time"),
                s.get("status", 0),
            )
            for s in samples
        )
    if not isinstance(columns, dict) or not isinstance(columns.get("node_id"), list):
        raise InvalidInput(_("columns must be an object with a node_id list."), field="columns")
    n = len(columns["node_id"])
    lists = []
    for name in SAMPLE_FIELDS:
        column = columns.get(name)
        if column is None:
            column = [ABSENT.get(name)] * n
        elif not isinstance(column, list) or len(column) != n:
            raise InvalidInput(
                _("columns.%(name)s must be a list as long as columns.node_id (%(n)s).")
                % {"name": name, "n": n},
                field="columns",
            )
        lists.append(column)
    return n, zip(*lists, strict=True)


def _event(item: dict[str, Any]) -> RawEvent:
    fields = item.get("fields")
    if not isinstance(fields, dict):
        raise InvalidInput(_("An event needs its fields as an object."), field="events")
    return RawEvent(
        text_of(item.get("node_id", ""), 255),
        text_of(item.get("type", ""), 64),
        _time(item.get("time"), "time"),
        fields,
    )


def _events(items: list[dict[str, Any]]) -> tuple[list[RawEvent], list[str]]:
    """The readable events, and why each other one cannot be applied: one event without a
    usable time or fields never costs the batch its values."""
    events, problems = [], []
    for item in items:
        try:
            events.append(_event(item))
        except InvalidInput as exc:
            what = f"{text_of(item.get('type', ''), 64)} from {text_of(item.get('node_id', ''))}"
            problems.append(f"event {what}: {exc.message}")
    return events, problems


def batch_parse(batch: Any) -> ParsedBatch:
    """Check the batch's shape and limits, and parse every sample and event."""
    if not isinstance(batch, dict):
        raise InvalidInput(_("A batch is a JSON object."), field="batch")
    try:
        batch_id = uuid.UUID(str(batch.get("batch_id")))
    except ValueError as exc:
        raise InvalidInput(_("batch_id must be a UUID."), field="batch_id") from exc
    events = batch.get("events") or []
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        raise InvalidInput(_("events must be a list of JSON objects."), field="events")
    n, entries = _sample_entries(batch)
    if n > MAX_SAMPLES or len(events) > MAX_EVENTS:
        raise InvalidInput(
            _(
                "Batch too large: %(samples)s samples and %(events)s events; at most "
                "%(max_samples)s and %(max_events)s. Send smaller batches."
            )
            % {
                "samples": n,
                "events": len(events),
                "max_samples": MAX_SAMPLES,
                "max_events": MAX_EVENTS,
            },
            field="samples",
        )
    readable, problems = _events(events)
    return ParsedBatch(
        batch_id, text_of(batch.get("source", ""), 120), _values(entries), readable, problems
    )
