"""Writing a batch's sample rows: binary COPY on PostgreSQL, bulk_create elsewhere (SQLite).

COPY returns no ids, and flags name the samples they judged, so the ids are taken from the
table's sequence first (one round trip for the whole batch) and written with the rows.
"""

from django.db import connection

from lines.ingest.columns import SampleColumns
from lines.models import IngestBatch, Sample, SampleSource

_COLUMNS = (
    ("id", "int8"),
    ("station_id", "int8"),
    ("parameter", "text"),
    ("node_id", "text"),
    ("batch_id", "int8"),
    ("raw_value", "text"),
    ("value", "float8"),
    ("source_time", "timestamptz"),
    ("server_time", "timestamptz"),
    ("status_code", "int8"),
    ("unit_id", "int8"),
    ("position_m", "float8"),
    ("source", "text"),
    ("rejected_reason", "text"),
)
_TABLE = Sample._meta.db_table
_COPY = f"COPY {_TABLE} ({', '.join(c for c, _ in _COLUMNS)}) FROM STDIN (FORMAT BINARY)"
# The sequence is named once, as a regclass constant: a name looked up in each nextval() call
# made allocating 1,000 ids three times slower.
_SEQUENCE: dict[str, str] = {}
_IDS = "SELECT nextval(%s::regclass) FROM generate_series(1, %s)"


def samples_store(*, rows: SampleColumns, batch: IngestBatch) -> None:
    """Insert the rows as Samples of `batch`; fills `rows.ids` in row order."""
    if not len(rows):
        rows.ids = []
    elif connection.vendor == "postgresql":
        _copy(rows, batch)
    else:
        _bulk_create(rows, batch)


def _copy(rows: SampleColumns, batch: IngestBatch) -> None:
    with connection.cursor() as cursor:
        if "name" not in _SEQUENCE:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [_TABLE])
            _SEQUENCE["name"] = cursor.fetchone()[0]
        cursor.execute(_IDS, [_SEQUENCE["name"], len(rows)])
        rows.ids = [pk for (pk,) in cursor.fetchall()]
        n = len(rows)
        with cursor.cursor.copy(_COPY) as copy:  # the psycopg cursor under Django's wrapper
            copy.set_types([kind for _, kind in _COLUMNS])
            for row in zip(
                rows.ids,
                rows.station_id,
                rows.parameter,
                rows.node_id,
                [batch.pk] * n,
                rows.raw_value,
                rows.value,
                rows.source_time,
                rows.server_time,
                rows.status_code,
                rows.unit_id,
                rows.position_m,
                [SampleSource.PLC.value] * n,
                rows.rejected_reason,
                strict=True,
            ):
                copy.write_row(row)


_FIELDS = (
    "station_id", "parameter", "node_id", "raw_value", "value", "source_time", "server_time",
    "status_code", "unit_id", "position_m", "rejected_reason",
)  # fmt: skip


def _bulk_create(rows: SampleColumns, batch: IngestBatch) -> None:
    columns = [getattr(rows, name) for name in _FIELDS]
    created = Sample.objects.bulk_create(
        [
            Sample(batch=batch, **dict(zip(_FIELDS, values, strict=True)))
            for values in zip(*columns, strict=True)
        ],
        batch_size=5000,
    )
    rows.ids = [sample.pk for sample in created]
