"""The samples API's list as one newest-first sequence over hot rows and segments.

Django's paginator takes its length (the count) and one slice (the page); both are answered by
lines/selectors/samples.py, so a page may hold hot and compacted samples side by side. A deep page
costs its offset: the newest offset + size samples are read to find it.
"""

from collections.abc import Sequence
from typing import Any, overload

from lines.models import Sample, Station, Unit
from lines.selectors import samples

RELATED = ("station", "unit", "batch")


def where_of(cleaned: dict[str, Any]) -> samples.Where:
    """The SampleFilter's cleaned query as the selector's conditions (codes resolved to ids)."""
    station = cleaned.get("station") or None
    unit = cleaned.get("unit") or None
    return samples.Where(
        stations=list(Station.objects.filter(code=station).values_list("id", flat=True))
        if station
        else None,
        units=list(Unit.objects.filter(identifier=unit).values_list("id", flat=True))
        if unit
        else None,
        parameters=[cleaned["parameter"]] if cleaned.get("parameter") else None,
        node_id=cleaned.get("tag") or None,
        rejected=cleaned.get("rejected"),
        since=cleaned.get("source_after"),
        until=cleaned.get("source_before"),
    )


class MergedSamples(Sequence[Sample]):
    """Newest first by (source_time, id), as the hot-only queryset was ordered."""

    ordered = True  # the paginator's check for an unordered list

    def __init__(self, where: samples.Where) -> None:
        self.where = where
        self._count: int | None = None
        # The segments that can hold an answer, read once for the count and the page.
        self._segments = list(samples.segments(where)) if not where.empty() else []

    def __len__(self) -> int:
        if self._count is None:
            self._count = samples.count(self.where, found=self._segments)
        return self._count

    @overload
    def __getitem__(self, index: int) -> Sample: ...
    @overload
    def __getitem__(self, index: slice) -> list[Sample]: ...
    def __getitem__(self, index: int | slice) -> Sample | list[Sample]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        start, stop = index.start or 0, index.stop if index.stop is not None else len(self)
        return samples.newest(self.where, stop, related=RELATED, found=self._segments)[start:stop]
