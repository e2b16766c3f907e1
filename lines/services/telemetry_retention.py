"""Retention of telemetry by class (docs/telemetry.md, "Retention").

Two classes, two periods (settings MES_RETENTION_TELEMETRY_DAYS and MES_RETENTION_PRODUCT_YEARS):
- raw telemetry: samples no unit is attributed to, nothing refers to; kept the shorter period;
- product data: samples of a unit (a segment with `units` > 0 is kept whole) and samples another
  app's record refers to (lines/hooks.py RETENTION_REFERENCES: quality's flags and SPC
  baselines); kept the longer period.

Retention acts on segments (what compaction made of old hot rows) and on hot rows older than the
raw-telemetry period (normally none: compaction takes them first). A dry run and an applied run
walk the same rows in the same order and classify them the same way; the applied run deletes each
batch it classified in its own short transaction, so the ingest (which writes rows of today) is
never waiting on it, and deletes a segment only if it is still the one classified (compacted_at
unchanged: a late sample merged into it since is judged again next time).
"""

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Length
from django.utils.translation import gettext as _

from lines import hooks
from lines import telemetry_codec as codec
from lines.models import Sample, SampleSegment, SegmentUnit

# Estimates for the report (docs/telemetry.md, "Compact storage at rest"): a hot row costs
# ~298 bytes with its index entries as measured; a segment row costs its codec bytes plus its
# key, summary and per-minute figures (~400 bytes).
ROW_BYTES = 298
SEGMENT_ROW_BYTES = 400
BATCH = 1000
MIN_TELEMETRY_DAYS = 31  # never near the hot window, whatever the environment says

RAW = "raw telemetry"
PRODUCT = "product data"
KEPT_UNIT = "a unit's samples (cell-attributed)"
KEPT_QUALITY = "referred to by a quality record"

SeriesKey = tuple[int | None, str]


@dataclass(frozen=True)
class Referenced:
    """What a record outside lines refers to in telemetry: samples of a station's parameter by
    id, and/or every sample of it in a time window [start, end]."""

    station_id: int
    parameter: str
    sample_ids: tuple[int, ...] = ()
    start: datetime | None = None
    end: datetime | None = None


@dataclass(frozen=True)
class Policy:
    now: datetime
    telemetry_days: int
    product_years: int

    def __post_init__(self) -> None:
        if self.telemetry_days < MIN_TELEMETRY_DAYS:
            raise ValueError(
                _(
                    "raw telemetry must be kept at least %(least)s days "
                    "(MES_RETENTION_TELEMETRY_DAYS=%(days)s)"
                )
                % {"least": MIN_TELEMETRY_DAYS, "days": self.telemetry_days}
            )
        if self.product_cutoff > self.telemetry_cutoff:
            raise ValueError(
                _(
                    "product data must be kept at least as long as raw telemetry "
                    "(MES_RETENTION_PRODUCT_YEARS=%(years)s)"
                )
                % {"years": self.product_years}
            )

    @classmethod
    def from_settings(cls, *, now: datetime) -> "Policy":
        return cls(
            now=now,
            telemetry_days=settings.MES_RETENTION_TELEMETRY_DAYS,
            product_years=settings.MES_RETENTION_PRODUCT_YEARS,
        )

    @property
    def telemetry_cutoff(self) -> datetime:
        return self.now - timedelta(days=self.telemetry_days)

    @property
    def product_cutoff(self) -> datetime:
        return self.now - timedelta(days=round(365.25 * self.product_years))


class References:
    """Every Referenced the hooks give, indexed by series for range checks."""

    def __init__(self, refs: Iterable[Referenced]) -> None:
        windows: dict[SeriesKey, list[tuple[datetime, datetime]]] = defaultdict(list)
        self.ids: set[int] = set()
        for ref in refs:
            self.ids.update(ref.sample_ids)
            if ref.start is not None and ref.end is not None:
                windows[(ref.station_id, ref.parameter)].append((ref.start, ref.end))
        self._sorted_ids = sorted(self.ids)
        self._windows = {key: _merged(v) for key, v in windows.items()}
        self._starts = {key: [w[0] for w in v] for key, v in self._windows.items()}

    @classmethod
    def from_hooks(cls) -> "References":
        return cls(ref for provider in hooks.RETENTION_REFERENCES for ref in provider())

    def in_window(self, key: SeriesKey, first: datetime, last: datetime) -> bool:
        windows = self._windows.get(key)
        if not windows:
            return False
        # the last window starting at or before `last` is the only one that may reach `first`
        i = bisect_right(self._starts[key], last) - 1
        return i >= 0 and windows[i][1] >= first

    def id_in_range(self, first_id: int, last_id: int) -> bool:
        """A referenced id between a segment's first and last: ids of every series interleave,
        so the segment is decoded to know whether it holds one (segment_holds_one)."""
        i = bisect_left(self._sorted_ids, first_id)
        return i < len(self._sorted_ids) and self._sorted_ids[i] <= last_id

    def segment_holds_one(self, segment_id: int) -> bool:
        data = SampleSegment.objects.values_list("data", flat=True).get(pk=segment_id)
        return not self.ids.isdisjoint(codec.decode(bytes(data)).id.tolist())

    def sample(self, sample_id: int, key: SeriesKey, when: datetime) -> bool:
        return sample_id in self.ids or self.in_window(key, when, when)


def _merged(windows: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    out: list[tuple[datetime, datetime]] = []
    for start, end in sorted(windows):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


@dataclass
class Tally:
    segments: int = 0
    samples: int = 0  # in segments and hot rows
    rows: int = 0  # hot rows among the samples
    bytes: int = 0  # estimate
    oldest: datetime | None = None
    newest: datetime | None = None

    def add(
        self, *, first: datetime, last: datetime, samples: int, size: int, segment: bool
    ) -> None:
        self.segments += segment
        self.rows += not segment
        self.samples += samples
        self.bytes += size
        self.oldest = first if self.oldest is None else min(self.oldest, first)
        self.newest = last if self.newest is None else max(self.newest, last)


@dataclass
class Report:
    policy: Policy
    applied: bool
    removed: dict[str, Tally] = field(default_factory=lambda: {RAW: Tally(), PRODUCT: Tally()})
    kept: dict[str, Tally] = field(
        default_factory=lambda: {KEPT_UNIT: Tally(), KEPT_QUALITY: Tally()}
    )
    removed_segment_ids: list[int] = field(default_factory=list)
    removed_row_ids: list[int] = field(default_factory=list)


def retention_run(*, policy: Policy, apply: bool, batch: int = BATCH) -> Report:
    """Classify every segment and hot row older than the raw-telemetry period; remove the
    expired ones when `apply`. Returns what was (or would be) removed and what is kept past the
    raw-telemetry period, and why."""
    report = Report(policy=policy, applied=apply)
    refs = References.from_hooks()
    _segments(report, refs, apply=apply, batch=batch)
    _hot_rows(report, refs, apply=apply, batch=batch)
    return report


def _verdict(policy: Policy, *, unit: bool, referred: bool, last: datetime) -> tuple[str, bool]:
    """(class or reason kept, expired) of data past the raw-telemetry period. Kept data is
    counted as a unit's when it is one's, else as a quality record's."""
    if not unit and not referred:
        return RAW, True
    if last < policy.product_cutoff:
        return PRODUCT, True
    return (KEPT_UNIT if unit else KEPT_QUALITY), False


def _segments(report: Report, refs: References, *, apply: bool, batch: int) -> None:
    policy, after = report.policy, 0
    old = SampleSegment.objects.filter(last_time__lt=policy.telemetry_cutoff).order_by("id")
    columns = ["id", "station_id", "parameter", "first_id", "last_id", "first_time"]
    columns += ["last_time", "count", "units", "compacted_at"]
    while chunk := list(
        old.filter(id__gt=after).annotate(size=Length("data")).values(*columns, "size")[:batch]
    ):
        after = chunk[-1]["id"]
        doomed: list[tuple[int, datetime]] = []
        for seg in chunk:
            key = (seg["station_id"], seg["parameter"])
            unit = seg["units"] > 0
            # what refers to it matters only to a segment without a unit's sample
            referred = not unit and (
                refs.in_window(key, seg["first_time"], seg["last_time"])
                or (
                    refs.id_in_range(seg["first_id"], seg["last_id"])
                    and refs.segment_holds_one(seg["id"])
                )
            )
            name, expired = _verdict(policy, unit=unit, referred=referred, last=seg["last_time"])
            tally = report.removed[name] if expired else report.kept[name]
            tally.add(
                first=seg["first_time"],
                last=seg["last_time"],
                samples=seg["count"],
                size=(seg["size"] or 0) + SEGMENT_ROW_BYTES,
                segment=True,
            )
            if expired:
                doomed.append((seg["id"], seg["compacted_at"]))
                report.removed_segment_ids.append(seg["id"])
        if apply and doomed:
            _segments_delete(doomed)


@transaction.atomic
def _segments_delete(doomed: list[tuple[int, datetime]]) -> None:
    ids = [pk for pk, _ in doomed]
    seen = dict(doomed)
    still = [
        pk
        for pk, compacted_at in SampleSegment.objects.filter(id__in=ids).values_list(
            "id", "compacted_at"
        )
        if seen[pk] == compacted_at
    ]
    # Their unit rows first, then the segments by id: QuerySet.delete() would load every
    # segment (its data too) to collect the cascade, 30x slower than this (bench).
    SegmentUnit.objects.filter(segment_id__in=still).delete()
    SampleSegment.objects.filter(id__in=still)._raw_delete(SampleSegment.objects.db)


def _hot_rows(report: Report, refs: References, *, apply: bool, batch: int) -> None:
    policy, after = report.policy, 0
    old = Sample.objects.filter(source_time__lt=policy.telemetry_cutoff).order_by("id")
    columns = ("id", "station_id", "parameter", "unit_id", "source_time")
    while chunk := list(old.filter(id__gt=after).values_list(*columns)[:batch]):
        after = chunk[-1][0]
        doomed = []
        for pk, station_id, parameter, unit_id, when in chunk:
            referred = refs.sample(pk, (station_id, parameter), when)
            name, expired = _verdict(policy, unit=unit_id is not None, referred=referred, last=when)
            tally = report.removed[name] if expired else report.kept[name]
            tally.add(first=when, last=when, samples=1, size=ROW_BYTES, segment=False)
            if expired:
                doomed.append(pk)
                report.removed_row_ids.append(pk)
        if apply and doomed:
            with transaction.atomic():
                # source_time bounds the delete to old partitions on PostgreSQL
                Sample.objects.filter(
                    id__in=doomed, source_time__lt=policy.telemetry_cutoff
                ).delete()


def must_keep_rows(*, table: str, policy: Policy) -> int:
    """Hot rows in `table` (a partition of lines_sample) that retention keeps: any row not
    removed by retention_run under `policy`. telemetry_partitions refuses to drop a partition
    that holds any."""
    from django.db import connection

    refs = References.from_hooks()
    kept = 0
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT id, station_id, parameter, unit_id, source_time FROM "{table}"'  # noqa: S608
        )
        while rows := cursor.fetchmany(10_000):
            for pk, station_id, parameter, unit_id, when in rows:
                if when >= policy.telemetry_cutoff:
                    kept += 1
                    continue
                referred = refs.sample(pk, (station_id, parameter), when)
                _, expired = _verdict(
                    policy, unit=unit_id is not None, referred=referred, last=when
                )
                kept += not expired
    return kept
