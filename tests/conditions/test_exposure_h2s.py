"""An H2S alarm from a zone's sensor flags exactly the lots open in that zone at that time."""

from decimal import Decimal

import pytest

from conditions.models import ExposureEvent
from conditions.services.exposure import exposure_scan
from lines import services as lines_services
from lines.models import Station
from quality.choices import ExposureAction, FlagKind, Severity
from quality.models import Flag
from tests.conditions.exposure_helpers import ingest_h2s, sulfide_powder, t, zone


@pytest.fixture
def lots(plant):
    material = sulfide_powder(plant)
    return {
        name: lines_services.material_receive(
            material=material,
            identifier=f"LOT-{name}",
            quantity=Decimal("5"),
            supplier="Ampcera",
            supplier_lot=f"AMP-{name}",
        )
        for name in (
            "OPEN",
            "CLOSED-BEFORE",
            "CLOSED-AT",
            "OPENED-AT",
            "OPENED-AFTER",
            "OTHER-ZONE",
        )
    }


def scan(lot, action, minutes, zone=None):
    exposure_scan(unit=lot, action=action, zone=zone, at=t(minutes))


def test_the_alarm_flags_the_lots_open_in_the_zone_then_and_no_other(plant, lots, operator):
    dr1 = zone(plant, "DR-1")
    other = Station.objects.create(line=plant.line, code="T-DRY-2", name="DR-2", kind="dry_room")
    dr2 = zone(plant, "DR-2", other)
    # Given, around an alarm at minute 10 in DR-1:
    scan(lots["OPEN"], "opened", 0, dr1)  # open since 0, still open
    scan(lots["CLOSED-BEFORE"], "opened", 0, dr1)
    scan(lots["CLOSED-BEFORE"], "closed", 9, dr1)  # closed before the alarm
    scan(lots["CLOSED-AT"], "opened", 0, dr1)
    scan(lots["CLOSED-AT"], "closed", 10, dr1)  # closed at the alarm's instant: closed then
    scan(lots["OPENED-AT"], "opened", 10, dr1)  # opened at the alarm's instant: open then
    scan(lots["OPENED-AFTER"], "opened", 11, dr1)  # opened after the alarm
    scan(lots["OTHER-ZONE"], "opened", 0, dr2)  # open, but in the other zone
    # When DR-1's sensor reads 0.4 ppm, then 12.5 ppm (alarm at 10 ppm) at minute 10
    ingest_h2s("DR-1", [(9.5, 0.4), (10, 12.5)])
    # Then exactly the lots open in DR-1 at minute 10 are flagged, critical
    flags = Flag.objects.filter(kind=FlagKind.EXPOSURE, parameter="h2s_ppm")
    flagged = sorted(flags.values_list("unit__identifier", flat=True))
    assert flagged == ["LOT-OPEN", "LOT-OPENED-AT"]
    assert {(f.value, f.limit, f.severity, f.station_id) for f in flags} == {
        (12.5, "alarm 10 ppm", Severity.CRITICAL, dr1.station_id)
    }
    events = ExposureEvent.objects.filter(action=ExposureAction.H2S_ALARM)
    assert sorted(events.values_list("exposure__unit__identifier", "at")) == [
        ("LOT-OPEN", t(10)),
        ("LOT-OPENED-AT", t(10)),
    ]


def test_a_lasting_alarm_flags_a_lot_once_per_open_period(plant, lots):
    dr1 = zone(plant, "DR-1")
    scan(lots["OPEN"], "opened", 0, dr1)
    ingest_h2s("DR-1", [(10, 12.5)])
    ingest_h2s("DR-1", [(11, 14.0), (12, 15.0)])
    assert Flag.objects.filter(unit=lots["OPEN"], parameter="h2s_ppm").count() == 1
    # A lot that opens while the alarm lasts is flagged at its first alarming reading
    scan(lots["OPENED-AFTER"], "opened", 12.5, dr1)
    ingest_h2s("DR-1", [(13, 11.0)])
    late = Flag.objects.get(unit=lots["OPENED-AFTER"], parameter="h2s_ppm")
    assert late.value == 11.0


def test_readings_below_the_alarm_or_unusable_flag_nothing(plant, lots):
    dr1 = zone(plant, "DR-1")
    scan(lots["OPEN"], "opened", 0, dr1)
    ingest_h2s("DR-1", [(1, 9.99), (2, 0.1)])
    from lines.ingest import batch_ingest
    from tests.conditions.exposure_helpers import reading
    from tests.lines.ingest_helpers import batch

    bad = reading("ns=2;s=DR-1.H2S", 50.0, 3, status=0x808C0000)  # BadSensorFailure
    batch_ingest(batch=batch([bad]))
    assert not Flag.objects.filter(kind=FlagKind.EXPOSURE).exists()
