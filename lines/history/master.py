"""The demo line's master data the history is built on, looked up once by the CONTRACT codes."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils.translation import gettext as _

from lines.models import Material, Route, Station
from mes import roles
from mes.errors import RuleViolation

MATERIALS = ("NMC811", "LPSCL", "CB-C65", "BND-HNBR", "SOLV-XYL", "AL12", "LI30", "POUCH-AL")
ROUTES = {"R-SLURRY": "SLURRY-CAT", "R-CATHODE": "CATH-ROLL", "R-CELL": "SSB-10AH"}
# Shift operators used when the operator group has fewer than three people (a demo has one).
SHIFT_OPERATORS = ("shift-a.operator", "shift-b.operator", "shift-c.operator")


@dataclass(frozen=True)
class Step:
    """A route step with the station that does it on the demo line."""

    id: int
    kind: str
    station_id: int


@dataclass(frozen=True)
class MasterData:
    """Ids of everything a history row refers to."""

    materials: dict[str, tuple[int, str]]  # code -> (id, uom)
    products: dict[str, int]  # route code -> id of its product
    routes: dict[str, int]
    steps: dict[str, list[Step]]  # route code -> steps in sequence order
    operators: list[int]


def master_load(*, line_code: str = "SSB-L1") -> MasterData:
    """Look up the line's materials, products, routes and stations; refuse if any is missing."""
    materials = {m.code: (m.id, m.uom) for m in Material.objects.filter(code__in=MATERIALS)}
    routes = {r.code: r for r in Route.objects.filter(code__in=ROUTES).select_related("product")}
    stations = {s.kind: s.id for s in Station.objects.filter(line__code=line_code).order_by("-id")}
    missing = sorted(set(MATERIALS) - set(materials)) + sorted(set(ROUTES) - set(routes))
    if missing:
        raise RuleViolation(
            _("The demo line lacks %(missing)s; run seed_demo first.")
            % {"missing": ", ".join(missing)}
        )
    steps = {}
    for code, route in routes.items():
        steps[code] = [
            Step(step.id, step.station_kind, stations[step.station_kind])
            for step in route.steps.order_by("sequence")
        ]
    return MasterData(
        materials=materials,
        products={code: route.product_id for code, route in routes.items()},
        routes={code: route.id for code, route in routes.items()},
        steps=steps,
        operators=_operators(),
    )


def _operators() -> list[int]:
    """Ids of the operator group's users, creating three shift operators if there are too few."""
    group, _ = Group.objects.get_or_create(name=roles.OPERATOR)
    ids = list(group.user_set.order_by("id").values_list("id", flat=True))
    if len(ids) >= 3:
        return ids
    users = get_user_model().objects
    for username in SHIFT_OPERATORS:
        user = users.filter(username=username).first()
        if user is None:
            # No password: these people exist in the history only and cannot log in.
            user = users.create_user(username=username, password=None)
        user.groups.add(group)
    return list(group.user_set.order_by("id").values_list("id", flat=True))
