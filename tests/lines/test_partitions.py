"""Samples partitioned by month on PostgreSQL: rows land in their month, a row no month covers
lands in the default partition and moves when its month is created, and archiving writes a
month to a file before dropping it."""

import csv
import gzip
from datetime import UTC, date, datetime

import pytest
from django.core.management import call_command
from django.db import connection

from lines import partitions
from lines.models import Sample

# Creating, attaching and dropping partitions is the owner's work (docs/operations.md: the
# telemetry_partitions timer runs as the owner); the app's role is refused it.
pytestmark = [pytest.mark.services, pytest.mark.django_db, pytest.mark.db_owner]


def _where(sample_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM lines_sample WHERE id = %s", [sample_id]
        )
        return cursor.fetchone()[0]


def _sample(when: datetime, value: float = 1.0) -> Sample:
    return Sample.objects.create(
        parameter="dew_point_c", value=value, source_time=when, server_time=when
    )


def test_samples_land_in_their_month_and_strays_in_the_default_partition():
    assert partitions.is_partitioned()
    now = datetime.now(UTC)
    current = _sample(now)
    assert _where(current.pk) == partitions.month_of(now.date()).name
    stray = _sample(datetime(2031, 5, 17, 8, 0, tzinfo=UTC))  # a PLC clock years ahead
    assert _where(stray.pk) == partitions.DEFAULT

    created = partitions.ensure_months(today=date(2031, 5, 2), behind=0, ahead=0)
    assert created == ["lines_sample_2031_05"]
    assert _where(stray.pk) == "lines_sample_2031_05"
    assert Sample.objects.get(pk=stray.pk).value == 1.0  # moved, not lost


def test_ids_stay_unique_across_partitions():
    a = _sample(datetime(2020, 1, 5, tzinfo=UTC))
    b = _sample(datetime.now(UTC))
    assert a.pk != b.pk
    assert Sample.objects.filter(pk__in=[a.pk, b.pk]).count() == 2


def test_archiving_writes_the_month_to_a_file_then_drops_it(tmp_path):
    partitions.ensure_months(today=date(2021, 3, 1), behind=0, ahead=0)
    old = [_sample(datetime(2021, 3, day, 12, tzinfo=UTC), value=day) for day in (1, 15, 31)]
    recent = _sample(datetime.now(UTC))

    files = partitions.archive_before(cutoff=date(2021, 4, 1), directory=tmp_path).files

    assert [f.name for f in files] == ["lines_sample_2021_03.csv.gz"]
    with gzip.open(files[0], "rt") as archived:
        rows = list(csv.DictReader(archived))
    assert [int(r["id"]) for r in rows] == [s.pk for s in old]
    assert [float(r["value"]) for r in rows] == [1.0, 15.0, 31.0]
    assert "lines_sample_2021_03" not in {name for name, _ in partitions.partitions()}
    assert not Sample.objects.filter(pk__in=[s.pk for s in old]).exists()
    assert Sample.objects.filter(pk=recent.pk).exists()


def test_upkeep_command_creates_months_ahead_and_refuses_a_short_retention(capsys):
    call_command("telemetry_partitions", "--ahead", "4")
    out = capsys.readouterr().out
    assert "lines_sample_default: DEFAULT" in out
    ahead = partitions.month_of(datetime.now(UTC).date())
    for _ in range(4):
        ahead = ahead.next
    assert ahead.name in {name for name, _ in partitions.partitions()}
    with pytest.raises(Exception, match="at least 31"):
        call_command("telemetry_partitions", "--archive-before-days", "7")


def test_the_sample_table_has_no_row_constraints_and_the_orm_still_protects_what_it_names(
    plant,
):
    """lines_sample has no database foreign keys (docs/telemetry.md): deleting a unit, station or
    batch that samples name is refused by the ORM's PROTECT, and nothing is deleted."""
    from django.db.models import ProtectedError

    from lines.models import IngestBatch, Station, Unit
    from tests.factories import make_cell

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_constraint "
            "WHERE conrelid = 'lines_sample'::regclass AND contype = 'f'"
        )
        assert cursor.fetchone()[0] == 0
    station = plant.station("stacking")
    unit = make_cell(plant, "CELL-PROTECT-1")
    record = IngestBatch.objects.create(
        batch_id="5b1f0b4e-6b73-4f0f-9a52-0d1c2b3a4f51",
        source="test",
        received_at=datetime.now(UTC),
    )
    Sample.objects.create(
        station=station, unit=unit, batch=record, parameter="stacking_pressure_mpa",
        value=1.2, source_time=datetime.now(UTC), server_time=datetime.now(UTC),
    )  # fmt: skip
    for owner in (unit, station, record):
        with pytest.raises(ProtectedError):
            owner.delete()
    assert Unit.objects.filter(pk=unit.pk).exists()
    assert Station.objects.filter(pk=station.pk).exists()
    assert Sample.objects.filter(unit=unit).count() == 1
