"""A batch's sample rows as columns: one list (or numpy array) per field of lines.Sample.

The ingest handles 1,000 values per batch tens of times a second; a model instance per value
costs more than storing and judging it. Rows stay columns from parsing to the database, and the
AFTER_INGEST hook receives them as such (with the ids they were stored under).
"""

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from lines.models import Station

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def epoch_us(moment: datetime) -> int:
    """Microseconds since 1970 UTC: exact, and ordered as the aware datetimes are."""
    return (moment - _EPOCH) // _MICROSECOND


@dataclass
class SampleColumns:
    """Sample rows of one batch, column by column, in the batch's order.

    `station_id` and `unit_id` hold None where the row has none; `ids` are filled in when the
    rows are stored. `stations` has the Station of every station id in the rows.
    """

    node_id: list[str] = field(default_factory=list)
    station_id: list[int | None] = field(default_factory=list)
    parameter: list[str] = field(default_factory=list)
    value: list[float | None] = field(default_factory=list)
    raw_value: list[str] = field(default_factory=list)
    source_time: list[datetime] = field(default_factory=list)
    source_us: list[int] = field(default_factory=list)  # source_time as epoch_us
    server_time: list[datetime] = field(default_factory=list)
    status_code: list[int] = field(default_factory=list)
    unit_id: list[int | None] = field(default_factory=list)
    position_m: list[float | None] = field(default_factory=list)
    rejected_reason: list[str] = field(default_factory=list)
    stations: dict[int, Station] = field(default_factory=dict)
    ids: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.node_id)

    def rejected(self) -> int:
        return sum(1 for reason in self.rejected_reason if reason)

    @classmethod
    def of_samples(cls, samples: list) -> "SampleColumns":
        """Stored lines.Sample rows as columns (a manual measurement judged like telemetry)."""
        rows = cls(ids=[s.pk for s in samples])
        for s in samples:
            rows.node_id.append(s.node_id)
            rows.station_id.append(s.station_id)
            rows.parameter.append(s.parameter)
            rows.value.append(s.value)
            rows.raw_value.append(s.raw_value)
            rows.source_time.append(s.source_time)
            rows.source_us.append(epoch_us(s.source_time))
            rows.server_time.append(s.server_time)
            rows.status_code.append(s.status_code)
            rows.unit_id.append(s.unit_id)
            rows.position_m.append(s.position_m)
            rows.rejected_reason.append(s.rejected_reason)
            if s.station_id is not None:
                rows.stations[s.station_id] = s.station
        return rows

    def readings(self, parameters: Collection[str]) -> list["Reading"]:
        """The rows of some parameters as records, for hooks that look at a few of them."""
        return [
            Reading(
                self.station_id[i],
                parameter,
                self.value[i],
                self.source_time[i],
                self.status_code[i],
                self.rejected_reason[i],
                self.unit_id[i],
                self.raw_value[i],
            )
            for i, parameter in enumerate(self.parameter)
            if parameter in parameters
        ]


class Reading(NamedTuple):
    """One stored row, read by attribute (as a lines.Sample would be)."""

    station_id: int | None
    parameter: str
    value: float | None
    source_time: datetime
    status_code: int
    rejected_reason: str
    unit_id: int | None
    text: str = ""  # what arrived when it was no number (a state name, a reason code)
