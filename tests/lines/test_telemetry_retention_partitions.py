"""Retention and the monthly partitions (PostgreSQL): a month emptied by compaction is dropped
while the ingest writes, without losing a row; archiving refuses a month that still holds rows
retention keeps."""

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections

from lines import partitions
from lines.models import Sample, SampleSegment
from lines.services.telemetry_compaction import samples_compact
from tests.factories import make_cell

# Dropping partitions is the owner's work (docs/operations.md), as in test_partitions.py.
pytestmark = [pytest.mark.services, pytest.mark.db_owner]

NOW = datetime.now(UTC)


def _rows(station, start: datetime, n: int, *, unit=None, parameter: str = "oven_temp_c"):
    return Sample.objects.bulk_create(
        Sample(
            station=station,
            parameter=parameter,
            value=float(i),
            source_time=start + timedelta(minutes=i),
            server_time=start + timedelta(minutes=i),
            unit=unit,
        )
        for i in range(n)
    )


def _months() -> set[str]:
    return {name for name, _ in partitions.partitions()}


@pytest.mark.django_db
def test_archiving_refuses_a_month_with_a_cells_rows_and_archives_an_expired_one(plant, tmp_path):
    partitions.ensure_months(today=date(2021, 3, 1), behind=0, ahead=1)
    coater = plant.station("coating")
    _rows(coater, datetime(2021, 3, 2, tzinfo=UTC), 5)  # raw, past 730 days
    cell_rows = _rows(coater, datetime(2021, 4, 2, tzinfo=UTC), 3, unit=make_cell(plant, "C-1"))

    archived = partitions.archive_before(cutoff=date(2021, 5, 1), directory=tmp_path)

    assert [f.name for f in archived.files] == ["lines_sample_2021_03.csv.gz"]
    assert archived.refused == [("lines_sample_2021_04", 3)]
    assert "lines_sample_2021_04" in _months()
    assert Sample.objects.filter(pk__in=[s.pk for s in cell_rows]).count() == 3

    with pytest.raises(CommandError, match=r"lines_sample_2021_04 \(3 rows\)"):
        call_command(
            "telemetry_partitions",
            "--archive-before-days",
            str((NOW.date() - date(2021, 5, 1)).days),
            "--archive-dir",
            str(tmp_path),
        )
    assert Sample.objects.filter(pk__in=[s.pk for s in cell_rows]).count() == 3


@pytest.mark.django_db
def test_a_month_still_holding_a_row_is_not_dropped(plant):
    partitions.ensure_months(today=date(2021, 3, 1), behind=0, ahead=0)
    _rows(plant.station("coating"), datetime(2021, 3, 2, tzinfo=UTC), 1)

    assert partitions.drop_empty_before(cutoff=date(2021, 4, 1)) == []
    assert partitions._drop_if_empty("lines_sample_2021_03") is False  # checked again, detached
    assert "lines_sample_2021_03" in _months()
    assert Sample.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_emptied_month_is_dropped_while_the_ingest_writes_and_nothing_is_lost(plant):
    partitions.ensure_months(today=date(2021, 3, 1), behind=0, ahead=1)
    coater = plant.station("coating")
    _rows(coater, datetime(2021, 3, 2, tzinfo=UTC), 30)
    _rows(coater, datetime(2021, 4, 2, tzinfo=UTC), 30, unit=make_cell(plant, "C-2"))
    samples_compact(before=NOW - timedelta(days=7))
    assert not Sample.objects.filter(source_time__lt=datetime(2021, 5, 1, tzinfo=UTC)).exists()
    segments = SampleSegment.objects.count()

    written: list[int] = []
    started, stop = threading.Event(), threading.Event()

    def ingest() -> None:  # another connection, writing rows of today all along
        try:
            while not stop.is_set() or len(written) < 50:
                now = datetime.now(UTC)
                row = Sample.objects.create(
                    station=coater, parameter="live", value=1.0, source_time=now, server_time=now
                )
                written.append(row.pk)
                if len(written) == 10:
                    started.set()
        finally:
            connections.close_all()

    writer = threading.Thread(target=ingest)
    writer.start()
    assert started.wait(30)
    dropped = partitions.drop_empty_before(cutoff=date(2021, 5, 1))
    stop.set()
    writer.join(60)

    assert dropped == ["lines_sample_2021_03", "lines_sample_2021_04"]
    assert not {"lines_sample_2021_03", "lines_sample_2021_04"} & _months()
    stored = set(Sample.objects.filter(parameter="live").values_list("id", flat=True))
    assert stored == set(written) and len(written) >= 50
    assert SampleSegment.objects.count() == segments  # the months' data lives on in segments


@pytest.mark.django_db(transaction=True)
def test_a_drop_waiting_on_a_reader_gives_way_and_tries_again(plant, monkeypatch):
    partitions.ensure_months(today=date(2021, 3, 1), behind=0, ahead=0)
    monkeypatch.setattr(partitions, "LOCK_TIMEOUT_MS", 200)
    attempts = []
    real = partitions._drop_if_empty

    def counted(name: str) -> bool:
        attempts.append(name)
        return real(name)

    monkeypatch.setattr(partitions, "_drop_if_empty", counted)
    locked, release = threading.Event(), threading.Event()

    def reader() -> None:  # a long report holding the table
        try:
            with connection.cursor() as cursor:
                cursor.execute("BEGIN")
                cursor.execute("LOCK TABLE lines_sample IN ACCESS SHARE MODE")
                locked.set()
                release.wait(5)
                cursor.execute("COMMIT")
        finally:
            connections.close_all()

    holder = threading.Thread(target=reader)
    holder.start()
    assert locked.wait(10)
    threading.Timer(0.5, release.set).start()
    dropped = partitions.drop_empty_before(cutoff=date(2021, 4, 1))
    holder.join(10)

    assert dropped == ["lines_sample_2021_03"]
    assert len(attempts) >= 2  # the first one timed out behind the reader


@pytest.mark.django_db
def test_the_upkeep_command_drops_empty_old_months_and_refuses_a_short_age(capsys):
    partitions.ensure_months(today=date(2021, 3, 1), behind=0, ahead=0)
    with pytest.raises(CommandError, match="at least 31"):
        call_command("telemetry_partitions", "--drop-empty-before-days", "30")

    call_command(
        "telemetry_partitions",
        "--drop-empty-before-days",
        str((NOW.date() - date(2021, 4, 1)).days),
    )

    assert "dropped empty lines_sample_2021_03" in capsys.readouterr().out
    assert "lines_sample_2021_03" not in _months()
