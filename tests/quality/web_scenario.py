"""The known data the quality screens are tested on (server-side and in the browser).

Cathode chain (tests.factories.build_cathode_chain): LOT-NMC-1 -> SLURRY-1 -> MR-1 (1200 m) ->
lanes MR-1-A, MR-1-B -> three cells per lane at metres 400, 430, 460. The coater read areal
loading in spec every 20 m along MR-1, and thin (23.9 < LSL 24.5) from 420 to 450 m: one segment
flag on MR-1 that holds exactly MR-1-A-C1 and MR-1-B-C1. Calendered thickness at T-CALENDERING:
a baseline alternating 79.8 / 80.2 two hours ago, then 81.2 an hour ago, beyond 3 sigma
(Western Electric rule 1 at point 100).
"""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from lines.choices import StationKind
from lines.models import Unit
from quality import services
from quality.models import Flag, Hold
from tests.factories import Plant, add_samples, build_cathode_chain, make_spec

LOADING = "areal_loading_mg_cm2"
THICKNESS = "thickness_um"
SPIKE_INDEX = 100


@dataclass
class Scenario:
    lot: Unit
    mother: Unit
    lanes: list[Unit]
    cells: list[Unit]
    segment_flag: Flag
    hold: Hold


def build_scenario(plant: Plant) -> Scenario:
    make_spec(LOADING, StationKind.COATING, lsl=24.5, usl=25.5, target=25.0, uom="mg/cm2")
    make_spec(THICKNESS, StationKind.CALENDERING, lsl=78, usl=82, target=80, uom="um")
    lot, _slurry, mother, lanes, cells = build_cathode_chain(plant)
    coater = plant.station("coating")
    good = [m for m in range(0, 1200, 20) if not 420 <= m <= 450]
    add_samples(coater, LOADING, [25.0] * len(good), unit=mother, positions=good)
    thin = [420.0 + i for i in range(31)]
    drift = add_samples(coater, LOADING, [23.9] * len(thin), unit=mother, positions=thin)
    services.samples_evaluate(samples=drift)
    press = plant.station("calendering")
    now = timezone.now()
    add_samples(press, THICKNESS, [79.8, 80.2] * 50, at=now - timedelta(hours=2))
    add_samples(press, THICKNESS, [81.2], at=now - timedelta(hours=1))
    flag = Flag.objects.get(unit=mother, source_flag=None)
    return Scenario(lot, mother, lanes, cells, flag, Hold.objects.get(flag=flag))
