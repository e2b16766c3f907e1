"""Loading the demo line (fixtures/demo_line.toml) into the database, idempotently.

Master data (line, stations, equipment, materials, products, routes, steps, work orders) has no
services yet, so it is upserted here by code: the fixture is the truth for the demo plant, and a
second load changes nothing. Recipes are versioned and never edited, so an existing version is left
as it is. Material lots are received through lines.services.material_receive, like any other lot.
"""

import tomllib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import models, transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from lines import hooks, services
from lines.choices import MaterialCategory, StationKind, UnitKind, UnitOfMeasure
from lines.demo_telemetry import load_demo_tags
from lines.models import (
    Equipment,
    Line,
    Material,
    Product,
    Recipe,
    Route,
    RouteStep,
    Station,
    Unit,
    WorkOrder,
)
from mes import roles
from mes.errors import InvalidInput
from mes.models import OperatorProfile

DEMO_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "demo_line.toml"
DEMO_LINE_CODE = "SSB-L1"

Spec = dict[str, Any]


@dataclass(frozen=True)
class DemoLogin:
    """A demo user: its password is the fixture's only if the user was created by this load."""

    username: str
    role: str
    password: str
    created: bool
    token: str = ""
    badge: str = ""


@dataclass
class DemoSummary:
    """What a load did: rows created and updated per model, lots received, and the demo logins."""

    line_code: str
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    lots_received: list[str] = field(default_factory=list)
    lots_skipped: list[str] = field(default_factory=list)
    logins: list[DemoLogin] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def read_demo_fixture(*, path: Path = DEMO_FIXTURE) -> Spec:
    """Parse the fixture file; an unreadable or malformed file is refused with the reason."""
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InvalidInput(
            _("Cannot read the demo fixture {path}: {reason}").format(path=path, reason=exc),
            field="path",
        ) from exc


@transaction.atomic
def load_demo_line(*, path: Path = DEMO_FIXTURE) -> DemoSummary:
    """Create or bring up to date the demo line, its lots and its demo users, in one transaction.

    Safe to run any number of times. A master-data row edited by hand (a station renamed in the
    admin) is put back to the fixture's values, by code; a recipe version already in the database
    is kept (a warning says if it differs from the fixture); a lot whose identifier exists is
    skipped; a work order keeps its status; a user who exists keeps its password, and gets its role
    back if it lost it. Nothing is deleted.
    """
    spec = read_demo_fixture(path=path)
    summary = DemoSummary(line_code=spec["line"]["code"])
    line = _upsert(Line, {"code": summary.line_code}, spec["line"], summary)
    _load_plant(spec, line, summary)
    _load_products(spec, summary)
    _load_lots(spec, summary)
    tags, rolls = load_demo_tags()
    summary.notes.append(f"tags: {tags} created; feed rolls: {', '.join(rolls) or 'already there'}")
    hooks.run(hooks.AFTER_DEMO_SEED, report=summary.notes)
    summary.logins = [_ensure_user(user) for user in spec["users"]]
    return summary


def _tally(summary: DemoSummary, model: type[models.Model], outcome: str) -> None:
    if outcome:
        getattr(summary, outcome)[model.__name__] += 1


def _differs(obj: models.Model, name: str, value: object) -> bool:
    # Compare foreign keys by id, so that checking a row costs no query per relation.
    if isinstance(value, models.Model):
        return getattr(obj, f"{name}_id") != value.pk
    return getattr(obj, name) != value


def _upsert(model: type[models.Model], lookup: Spec, values: Spec, summary: DemoSummary) -> Any:
    """get_or_create by `lookup`, then write only the fields whose values differ from `values`."""
    values = {key: value for key, value in values.items() if key not in lookup}
    obj, created = model._default_manager.get_or_create(**lookup, defaults=values)
    changed = [] if created else [name for name, v in values.items() if _differs(obj, name, v)]
    for name in changed:
        setattr(obj, name, values[name])
    if changed:
        obj.save(update_fields=changed)
    _tally(summary, model, "created" if created else "updated" if changed else "")
    return obj


def _choice(value: str, allowed: Iterable[str], what: str) -> str:
    if value not in allowed:
        raise InvalidInput(
            _("Demo fixture: {what} {value!r} is not one of {allowed}.").format(
                what=what, value=value, allowed=sorted(allowed)
            )
        )
    return value


def _load_plant(spec: Spec, line: Line, summary: DemoSummary) -> None:
    for item in spec["stations"]:
        station = _upsert(
            Station,
            {"code": item["code"]},
            {
                "line": line,
                "name": item["name"],
                "name_zh": item.get("name_zh", ""),
                "kind": _choice(
                    item["kind"], StationKind.values, f"station kind of {item['code']}"
                ),
            },
            summary,
        )
        for machine in item.get("equipment", []):
            values = {"station": station, "name": machine["name"]}
            _upsert(Equipment, {"code": machine["code"]}, values, summary)
    for item in spec["materials"]:
        values = {
            "name": item["name"],
            "name_zh": item.get("name_zh", ""),
            "category": _choice(
                item["category"], MaterialCategory.values, f"category of {item['code']}"
            ),
            "uom": _choice(item["uom"], UnitOfMeasure.values, f"uom of {item['code']}"),
            "moisture_sensitive": item["moisture_sensitive"],
        }
        _upsert(Material, {"code": item["code"]}, values, summary)


def _load_products(spec: Spec, summary: DemoSummary) -> None:
    """Products, recipes, routes with their steps, and work orders, in dependency order."""
    products = {}
    for item in spec["products"]:
        values = {
            "name": item["name"],
            "name_zh": item.get("name_zh", ""),
            "unit_kind": _choice(
                item["unit_kind"], UnitKind.values, f"unit kind of {item['code']}"
            ),
            "description": item.get("description", ""),
        }
        products[item["code"]] = _upsert(Product, {"code": item["code"]}, values, summary)
    recipes = {
        (item["code"], item["version"]): _ensure_recipe(item, products, summary)
        for item in spec["recipes"]
    }
    routes = {
        item["code"]: _load_route(item, products, recipes, summary) for item in spec["routes"]
    }
    for item in spec["work_orders"]:
        values = {
            "product": products[item["product"]],
            "route": routes[item["route"]],
            "quantity_planned": item["quantity_planned"],
        }
        _upsert(WorkOrder, {"code": item["code"]}, values, summary)


def _ensure_recipe(item: Spec, products: dict[str, Product], summary: DemoSummary) -> Recipe:
    # A recipe version is immutable (production records point at it): create it, never rewrite it.
    recipe, created = Recipe.objects.get_or_create(
        code=item["code"],
        version=item["version"],
        defaults={
            "product": products[item["product"]],
            "station_kind": _choice(
                item["station_kind"], StationKind.values, f"kind of {item['code']}"
            ),
            "setpoints": item["setpoints"],
        },
    )
    _tally(summary, Recipe, "created" if created else "")
    if not created and recipe.setpoints != item["setpoints"]:
        summary.warnings.append(
            f"{recipe} in the database differs from the fixture and was kept; "
            "give the fixture's recipe the next version to change its set-points."
        )
    return recipe


def _load_route(
    item: Spec,
    products: dict[str, Product],
    recipes: dict[tuple[str, int], Recipe],
    summary: DemoSummary,
) -> Route:
    values = {
        "name": item["name"],
        "name_zh": item.get("name_zh", ""),
        "product": products[item["product"]],
    }
    route = _upsert(Route, {"code": item["code"]}, values, summary)
    for step in item["steps"]:
        kind = _choice(step["kind"], StationKind.values, f"step kind of {item['code']}")
        values = {
            "name": kind,
            "station_kind": kind,
            "recipe": recipes[(step["recipe"], step["recipe_version"])],
        }
        _upsert(RouteStep, {"route": route, "sequence": step["sequence"]}, values, summary)
    return route


def _load_lots(spec: Spec, summary: DemoSummary) -> None:
    """Receive each lot whose identifier is not taken; a taken identifier is skipped, not re-received."""
    identifiers = [lot["identifier"] for lot in spec["lots"]]
    existing = dict(
        Unit.objects.filter(identifier__in=identifiers).values_list("identifier", "material__code")
    )
    materials = {material.code: material for material in Material.objects.all()}
    for lot in spec["lots"]:
        if lot["identifier"] in existing:
            summary.lots_skipped.append(lot["identifier"])
            if existing[lot["identifier"]] != lot["material"]:
                summary.warnings.append(
                    f"{lot['identifier']} exists but is not a lot of {lot['material']}; kept as it is."
                )
            continue
        services.material_receive(
            material=materials[lot["material"]],
            identifier=lot["identifier"],
            # Through str: a TOML float (2000.5) must not pick up binary noise on its way to Decimal.
            quantity=Decimal(str(lot["quantity"])),
            supplier=lot["supplier"],
            supplier_lot=lot["supplier_lot"],
        )
        summary.lots_received.append(lot["identifier"])


def _ensure_user(item: Spec) -> DemoLogin:
    """Create the demo user if missing (never touching an existing password) and give it its role."""
    role = _choice(item["role"], roles.ALL_ROLES, f"role of user {item['username']}")
    users = get_user_model().objects
    user = users.filter(username=item["username"]).first()
    created = user is None
    if user is None:
        make = users.create_superuser if item.get("superuser") else users.create_user
        user = make(username=item["username"], email="", password=item["password"])
    # The role is what the demo is about: restore it even on an existing user.
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    token = Token.objects.get_or_create(user=user)[0].key if item.get("token") else ""
    badge = _ensure_badge(user, item)
    return DemoLogin(item["username"], role, item["password"], created, token, badge)


def _ensure_badge(user: Any, item: Spec) -> str:
    """Give the demo user its badge and PIN unless it has a badge already (never reset a PIN)."""
    if not item.get("badge"):
        return ""
    profile = OperatorProfile.objects.filter(user=user).first()
    if profile is None and not OperatorProfile.objects.filter(badge_number=item["badge"]).exists():
        profile = OperatorProfile(user=user, badge_number=item["badge"])
        profile.set_pin(str(item["pin"]))
        profile.save()
    return f"badge {item['badge']}, PIN {item['pin']}" if profile else ""
