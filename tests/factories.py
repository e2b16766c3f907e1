"""Small builders for test data: a plant with every station kind, routes, materials, personas."""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import Group, User

from lines import services
from lines.choices import MaterialCategory, StationKind, UnitKind, UnitOfMeasure
from lines.models import Line, Material, Product, Route, RouteStep, Station, Unit, WorkOrder

PASSWORD = "correct-horse-battery-staple"

CELL_STEPS = [
    ("stacking", StationKind.STACKING),
    ("densification", StationKind.DENSIFICATION),
    ("sealing", StationKind.SEALING),
    ("formation", StationKind.FORMATION),
    ("eol", StationKind.EOL),
]


def make_user(username: str, *roles: str) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD)
    for role in roles:
        user.groups.add(Group.objects.get_or_create(name=role)[0])  # a flushed DB has none
    return user


@dataclass
class Plant:
    line: Line
    stations: dict[str, Station]
    cell_product: Product
    cell_route: Route
    work_order: WorkOrder
    nmc: Material
    li_foil: Material

    def station(self, kind: str) -> Station:
        return self.stations[kind]

    def step(self, name: str) -> RouteStep:
        return self.cell_route.steps.get(name=name)


def make_plant() -> Plant:
    line = Line.objects.create(code="T-LINE", name="Test line")
    stations = {
        kind.value: Station.objects.create(
            line=line, code=f"T-{kind.value.upper()}", name=kind.label, kind=kind.value
        )
        for kind in StationKind
    }
    product = Product.objects.create(code="T-CELL", name="Test cell", unit_kind=UnitKind.CELL)
    route = Route.objects.create(code="T-CELL-ROUTE", name="Cell route", product=product)
    for sequence, (name, kind) in enumerate(CELL_STEPS, start=1):
        RouteStep.objects.create(route=route, sequence=sequence * 10, name=name, station_kind=kind)
    work_order = WorkOrder.objects.create(
        code="T-WO-1", product=product, route=route, quantity_planned=100
    )
    nmc = Material.objects.create(
        code="T-NMC811",
        name="NMC811",
        category=MaterialCategory.CATHODE_ACTIVE,
        uom=UnitOfMeasure.KG,
    )
    li_foil = Material.objects.create(
        code="T-LI30", name="Li foil 30 um", category=MaterialCategory.ANODE, uom=UnitOfMeasure.M
    )
    return Plant(line, stations, product, route, work_order, nmc, li_foil)


def receive(plant: Plant, identifier: str, quantity: str = "100") -> Unit:
    return services.material_receive(
        material=plant.nmc,
        identifier=identifier,
        quantity=Decimal(quantity),
        supplier="Umicore",
        supplier_lot=f"SUP-{identifier}",
    )


def make_cell(plant: Plant, identifier: str) -> Unit:
    return services.unit_create(
        identifier=identifier, kind=UnitKind.CELL, work_order=plant.work_order
    )


def make_roll(identifier: str, length_m: str = "1000") -> Unit:
    return services.unit_create(
        identifier=identifier, kind=UnitKind.ROLL, quantity=Decimal(length_m)
    )


def add_samples(
    station,
    parameter: str,
    values: list[float | None],
    *,
    unit: Unit | None = None,
    positions: list[float] | None = None,
    status_code: int = 0,
    rejected_reason: str = "",
    at=None,
):
    """Store samples as the ingest would, and return them loaded as the evaluation expects."""
    from django.utils import timezone

    from lines.models import Sample

    now = at or timezone.now()
    rows = [
        Sample(
            station=station,
            parameter=parameter,
            value=value,
            source_time=now,
            server_time=now,
            status_code=status_code,
            unit=unit,
            rejected_reason=rejected_reason,
            position_m=positions[i] if positions else None,
        )
        for i, value in enumerate(values)
    ]
    created = Sample.objects.bulk_create(rows)
    ids = [s.pk for s in created]
    return list(Sample.objects.filter(pk__in=ids).select_related("station", "unit").order_by("id"))


def make_spec(parameter: str, station_kind: str, *, lsl=None, usl=None, target=None, **options):
    from quality import services as quality_services

    return quality_services.spec_create(
        parameter=parameter,
        unit_of_measure=options.pop("uom", "-"),
        station_kind=station_kind,
        limits={"lsl": lsl, "usl": usl, "target": target},
        reason="initial limits",
        **options,
    )


def build_cathode_chain(plant: Plant, *, cells_per_lane: int = 3, sheet_m: str = "1.2"):
    """lot -> slurry -> mother roll (1200 m) -> 2 lanes -> cells stacked from metres 400 up."""
    lot = receive(plant, "LOT-NMC-1", "500")
    slurry = services.unit_create(identifier="SLURRY-1", kind=UnitKind.SLURRY_BATCH, quantity="60")
    services.unit_consume(child=slurry, parent=lot, quantity="40")
    mother = make_roll("MR-1", "1200")
    services.unit_consume(child=mother, parent=slurry, quantity="60")
    lanes = services.roll_split(parent=mother, daughter_identifiers=["MR-1-A", "MR-1-B"])
    cells = []
    for lane in lanes:
        for n in range(cells_per_lane):
            cell = make_cell(plant, f"{lane.identifier}-C{n}")
            start = Decimal(400) + Decimal(sheet_m) * n * 25
            services.unit_consume(
                child=cell,
                parent=lane,
                position_from_m=start,
                position_to_m=start + Decimal(sheet_m),
            )
            cells.append(cell)
    return lot, slurry, mother, lanes, cells
