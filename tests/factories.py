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
        user.groups.add(Group.objects.get(name=role))
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
