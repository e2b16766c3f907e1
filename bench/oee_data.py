"""A year of machine time for bench.oee: one line of N stations, their PLC states and stop-reason
codes, and the operations of the cells they made, written straight into PostgreSQL.

The shape follows a pilot line: a station runs ~5 minutes between stops; most stops are
micro-stops (10-100 s, a misfeed the machine clears itself), one in four is a real stop of 3-30
minutes with the PLC's reason code, some are starved/blocked waits. Reason codes are set at the
stop and reset to 0 when the machine runs again, as a PLC does. Operations: every cell passes
every station once, one cell each `cycle_s` seconds; 1 in 50 fails.
"""

import io
import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import connection

from lines.choices import StationKind
from lines.models import Line, Product, Station
from oee.models import DowntimeReason, IdealCycle, LineClock, PlcStopCode, ShiftPattern

LINE = "BENCH-OEE"
START = datetime(2025, 1, 1, tzinfo=UTC)
KINDS = [k for k in StationKind.values if k != StationKind.DRY_ROOM]
CODES = {"17": "Stacker jam", "23": "Sheet misfeed", "31": "Vacuum lost", "44": "Die change"}


@dataclass(frozen=True)
class Made:
    stations: int
    changes: int
    reports: int
    units: int
    operations: int


def _copy(table: str, columns: str, rows: io.StringIO) -> None:
    rows.seek(0)
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        while chunk := rows.read(1 << 20):
            copy.write(chunk)


def _iso(t: datetime) -> str:
    return t.isoformat()


def plant(stations: int) -> tuple[Line, list[Station], Product]:
    line, _ = Line.objects.get_or_create(code=LINE, defaults={"name": "OEE bench line"})
    made = []
    for n in range(stations):
        station, _ = Station.objects.get_or_create(
            code=f"BO-{n + 1:02d}",
            defaults={
                "line": line,
                "name": f"Bench station {n + 1}",
                "kind": KINDS[n % len(KINDS)],
            },
        )
        made.append(station)
    product, _ = Product.objects.get_or_create(
        code="BENCH-CELL", defaults={"name": "Bench pouch cell", "unit_kind": "cell"}
    )
    LineClock.objects.get_or_create(line=line, defaults={"time_zone": "Europe/Berlin"})
    for name, start in (("Early", "06:00"), ("Late", "14:00"), ("Night", "22:00")):
        ShiftPattern.objects.get_or_create(
            line=line,
            name=name,
            defaults={
                "start": start,
                "hours": 8,
                "weekdays": "0123456",
                "breaks": [{"start": f"{(int(start[:2]) + 4) % 24:02d}:00", "minutes": 30}],
            },
        )
    for kind in {s.kind for s in made}:
        IdealCycle.objects.get_or_create(station_kind=kind, product=None, defaults={"seconds": 5})
    for code, name in CODES.items():
        reason, _ = DowntimeReason.objects.get_or_create(
            code=f"bench-{code}", defaults={"name": name}
        )
        for kind in {s.kind for s in made}:
            PlcStopCode.objects.get_or_create(
                station_kind=kind, plc_code=code, defaults={"reason": reason}
            )
    return line, made, product


def states(stations: list[Station], days: int, seed: int) -> tuple[int, int]:
    """State changes and stop-reason reports of every station over `days` days."""
    rng = random.Random(seed)
    end = START + timedelta(days=days)
    changes, reports = io.StringIO(), io.StringIO()
    n_changes = n_reports = 0
    for station in stations:
        at = START
        while at < end:
            changes.write(f"{station.pk}\t{_iso(at)}\trunning\t6\n")
            n_changes += 1
            at += timedelta(seconds=rng.expovariate(1 / 320))
            draw = rng.random()
            if draw < 0.6:  # micro-stop
                category, plc, length, code = "down", "11", rng.uniform(10, 100), ""
            elif draw < 0.85:
                category, plc, length = "down", "9", rng.uniform(180, 1800)
                code = rng.choice(list(CODES))
            else:
                category, plc, length, code = "idle", "5", rng.uniform(60, 300), ""
            changes.write(f"{station.pk}\t{_iso(at)}\t{category}\t{plc}\n")
            n_changes += 1
            if code:
                reports.write(f"{station.pk}\t{_iso(at)}\t{code}\n")
                reports.write(f"{station.pk}\t{_iso(at + timedelta(seconds=length))}\t0\n")
                n_reports += 2
            at += timedelta(seconds=length)
    _copy("oee_statechange", "station_id, at, category, plc_state", changes)
    _copy("oee_stopreasonreport", "station_id, at, code", reports)
    return n_changes, n_reports


def operations(stations: list[Station], product: Product, operations: int, days: int) -> int:
    """Cells made over `days` days, each through every station; 1 in 50 fails there."""
    units = math.ceil(operations / len(stations))
    cycle_s = days * 86400 / units
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO lines_unit (identifier, kind, status, supplier, supplier_lot, uom,
                quantity_initial, quantity_remaining, created_at, updated_at, held_from_status,
                product_id)
            SELECT 'BO-C' || lpad(g::text, 8, '0'), 'cell', 'released', '', '', 'pcs', 1, 1,
                %s::timestamptz + g * %s * interval '1 second', now(), '', %s
            FROM generate_series(0, %s - 1) g
            """,
            [START, cycle_s, product.pk, units],
        )
        first = Station.objects.filter(pk__in=[s.pk for s in stations]).order_by("pk")[0].pk
        cursor.execute(
            """
            INSERT INTO lines_operation (unit_id, station_id, started_at, completed_at, result,
                note)
            SELECT u.id, s.id,
                u.created_at + (s.id - %s) * interval '7 seconds',
                u.created_at + (s.id - %s) * interval '7 seconds' + interval '4 seconds',
                CASE WHEN (u.id + s.id) %% 50 = 0 THEN 'failed' ELSE 'passed' END, ''
            FROM lines_unit u CROSS JOIN lines_station s
            WHERE u.product_id = %s AND s.id = ANY(%s)
            """,
            [first, first, product.pk, [s.pk for s in stations]],
        )
        cursor.execute("ANALYZE lines_unit; ANALYZE lines_operation; ANALYZE oee_statechange;")
    return units * len(stations)


def generate(*, stations: int, days: int, operations_total: int, seed: int) -> Made:
    _, made, product = plant(stations)
    n_changes, n_reports = states(made, days, seed)
    n_ops = operations(made, product, operations_total, days)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE oee_stopreasonreport")
    return Made(stations, n_changes, n_reports, n_ops // stations, n_ops)
