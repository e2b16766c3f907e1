"""Pure mapping: OPC UA DataValues and event fields -> sample and event dicts of the batch format.

See docs/telemetry.md, "The batch". Nothing is dropped or judged here: a bad status, a NaN or a
string where a number is expected go into the batch as they came; the ingest records rejections.
"""

import base64
import math
import uuid
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

from asyncua import ua

# BaseEventType's own fields; every other selected field of an event is the machine's payload.
STANDARD_EVENT_FIELDS = frozenset(
    {
        "EventId",
        "EventType",
        "SourceNode",
        "SourceName",
        "Time",
        "ReceiveTime",
        "LocalTime",
        "Message",
        "Severity",
        "ConditionClassId",
        "ConditionClassName",
        "ConditionSubClassId",
        "ConditionSubClassName",
    }
)


def iso_utc(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z, to the microsecond; asyncua hands out UTC datetimes, naive or
    aware. Two per value at 10,000 values/s: isoformat, not strftime (a tenth of the bridge)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.isoformat(timespec="microseconds") + "Z"
    if moment.utcoffset():
        moment = moment.astimezone(UTC)
    return moment.isoformat(timespec="microseconds")[:-6] + "Z"  # "+00:00" -> "Z"


def json_value(value: Any) -> Any:
    """A value as JSON can carry it; NaN and infinities as the strings docs/telemetry.md names."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return value
    return _json_other(value)


def _json_other(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, list | tuple):
        return [json_value(item) for item in value]
    if isinstance(value, ua.LocalizedText):
        return value.Text
    if isinstance(value, ua.StatusCode):
        return value.value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, ua.NodeId | ua.QualifiedName):
        return value.to_string()
    if hasattr(value, "__float__") and not isinstance(value, complex):
        return json_value(float(value))
    return str(value)


def status_int(status: ua.StatusCode | None) -> int:
    return 0 if status is None else int(status.value)


def sample_from_datavalue(node_id: str, data_value: ua.DataValue) -> dict[str, Any]:
    """One sample (the batcher lays them out as the batch's `columns`): the value as sent, both
    timestamps, the status code as an integer."""
    variant = data_value.Value
    source, server = data_value.SourceTimestamp, data_value.ServerTimestamp
    source_text = iso_utc(source)
    return {
        "node_id": node_id,
        "value": json_value(None if variant is None else variant.Value),
        "source_time": source_text,
        "server_time": source_text if server == source else iso_utc(server),
        "status": status_int(data_value.StatusCode),
    }


def sample_key(sample: dict[str, Any]) -> tuple | None:
    """What makes two notifications the same reading (a re-sent current value after a resubscribe).

    None when the sample has no timestamp at all: then two equal values may be two readings.
    """
    moment = sample["source_time"] or sample["server_time"]
    if moment is None:
        return None
    return (moment, sample["status"], repr(sample["value"]))


def event_from_fields(
    node_id: str, type_name: str, fields: dict[str, Any], received_at: datetime
) -> dict[str, Any]:
    """One `events[]` entry from an event's selected fields (browse name -> value).

    `time` is the event's Time (when the machine says it happened), else its ReceiveTime, else when
    the bridge got it; `fields` is everything beyond BaseEventType's own fields.
    """
    moment = fields.get("Time") or fields.get("ReceiveTime") or received_at
    payload = {
        name: json_value(value)
        for name, value in fields.items()
        if name not in STANDARD_EVENT_FIELDS
    }
    return {"node_id": node_id, "type": type_name, "time": iso_utc(moment), "fields": payload}
