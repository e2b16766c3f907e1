"""A backup as docs/operations.md prescribes it (pg_dump -Fc, pg_restore into a new database)
brings back every segment bit for bit: each decodes to the samples it was made of and matches
its checksum."""

import math
import subprocess
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from django.db import connection

from lines import sample_segments as ss
from lines import telemetry_codec as codec
from lines.models import Sample, SampleSegment
from lines.services.telemetry_compaction import samples_compact
from tests.factories import make_cell

pytestmark = [pytest.mark.services, pytest.mark.db_owner, pytest.mark.django_db(transaction=True)]


def _pg(args: list[str], settings: dict) -> None:
    env = {"PGPASSWORD": settings["PASSWORD"] or "", "PATH": "/usr/bin:/bin"}
    base = ["-h", settings["HOST"] or "127.0.0.1", "-p", str(settings["PORT"] or 5432)]
    subprocess.run([*args, *base, "-U", settings["USER"]], check=True, env=env, timeout=120)


def test_segments_come_back_from_a_dump_bit_for_bit(plant, tmp_path):
    start = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)
    coater, former = plant.station("coating"), plant.station("formation")
    cell = make_cell(plant, "CELL-B1")
    rows = [
        Sample(
            station=station,
            parameter=parameter,
            node_id=f"ns=2;s={parameter}",
            value=value,
            raw_value="" if value is not None else "n/a",
            rejected_reason="" if value is not None else "not a number",
            source_time=start + timedelta(seconds=i * 7, microseconds=i * 13),
            server_time=start + timedelta(seconds=i * 7, microseconds=i * 13 + 2500),
            unit=unit,
        )
        for i in range(300)
        for station, parameter, unit, value in (
            (coater, "oven_temp_c", None, 80.0 + math.sin(i) / 3),
            (former, "ocv_v", cell, None if i == 17 else 3.6 + i * 1e-4),
        )
    ]
    Sample.objects.bulk_create(rows)
    samples_compact(before=datetime.now(UTC) - timedelta(days=1))
    stored = {
        (s.series, s.bucket): (bytes(s.data), s.checksum) for s in SampleSegment.objects.all()
    }
    assert len(stored) >= 8 and not Sample.objects.exists()

    settings = connection.settings_dict
    dump, copy = tmp_path / "mes.dump", f"{settings['NAME']}_restored"
    _pg(["pg_dump", "-Fc", "-d", settings["NAME"], "-f", str(dump)], settings)
    _pg(["dropdb", "--if-exists", copy], settings)
    _pg(["createdb", copy], settings)
    try:
        _pg(["pg_restore", "--no-owner", "--no-privileges", "-d", copy, str(dump)], settings)
        with psycopg.connect(
            dbname=copy,
            user=settings["USER"],
            password=settings["PASSWORD"] or None,
            host=settings["HOST"] or "127.0.0.1",
            port=settings["PORT"] or 5432,
        ) as restored:
            back = restored.execute(
                "SELECT series, bucket, data, checksum FROM lines_samplesegment"
            ).fetchall()
    finally:
        _pg(["dropdb", "--if-exists", copy], settings)

    assert {(series, bucket) for series, bucket, _, _ in back} == set(stored)
    for series, bucket, data, checksum in back:
        assert (bytes(data), checksum) == stored[(series, bucket)]
        assert ss.checksum(codec.decode(bytes(data))) == checksum
    decoded = sorted(
        int(i) for _, _, data, _ in back for i in codec.decode(bytes(data)).id.tolist()
    )
    assert decoded == sorted(r.pk for r in rows)
