"""Compaction: hot sample rows older than the hot window become segments (docs/telemetry.md,
"Compact storage at rest"). Lossless: a segment holds every column of every row it replaced.

One bucket of one series at a time, in one transaction: the segment (merged with the one already
stored for that series and bucket, when late samples arrived after it was written) is saved, and
exactly the rows it was built from are deleted. A kill leaves either the rows or the segment.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from lines import sample_segments as ss
from lines import telemetry_codec as codec
from lines.models import Sample, SampleSegment, SegmentUnit

COMPRESSOR = "zlib"


@dataclass
class Compacted:
    segments: int = 0
    samples: int = 0


def samples_compact(*, before: datetime) -> Compacted:
    """Compact every hot sample with source_time < before."""
    done = Compacted()
    groups: dict[tuple[str, datetime], list[Sample]] = defaultdict(list)
    for sample in Sample.objects.filter(source_time__lt=before).order_by("source_time", "id"):
        key = ss.series_key(sample.station_id, sample.parameter, sample.node_id)
        groups[(key, ss.bucket_of(sample.source_time))].append(sample)
    for (_series, bucket), rows in groups.items():
        segment_write(rows, bucket=bucket)
        done.segments += 1
        done.samples += len(rows)
    return done


@transaction.atomic
def segment_write(rows: Iterable[Sample], *, bucket: datetime) -> SampleSegment:
    """Rows of one series and bucket into its segment (merged with a stored one), rows deleted."""
    rows = list(rows)
    first = rows[0]
    series = ss.series_key(first.station_id, first.parameter, first.node_id)
    stored = SampleSegment.objects.select_for_update().filter(series=series, bucket=bucket).first()
    everything = list(rows)
    if stored is not None:
        everything += ss.to_samples(stored, codec.decode(bytes(stored.data)))
    seg = ss.to_segment(everything)
    fields = ss.summary(seg, bucket)
    unit_ids = fields.pop("unit_ids")
    values = {
        **fields,
        "station_id": first.station_id,
        "parameter": first.parameter,
        "node_id": first.node_id,
        "checksum": ss.checksum(seg),
        "data": codec.encode(seg, COMPRESSOR),
        "compacted_at": timezone.now(),
    }
    segment, _ = SampleSegment.objects.update_or_create(
        series=series, bucket=bucket, defaults=values
    )
    SegmentUnit.objects.bulk_create(
        [SegmentUnit(segment=segment, unit_id=u) for u in unit_ids], ignore_conflicts=True
    )
    Sample.objects.filter(id__in=[r.pk for r in rows]).delete()
    return segment
