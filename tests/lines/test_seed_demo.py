"""seed_demo: the demo line loads into an empty database, and loading it again changes nothing."""

from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.utils import translation
from rest_framework.authtoken.models import Token

from lines.choices import StationKind, UnitKind, UnitOfMeasure, UnitStatus, WorkOrderStatus
from lines.demo import DEMO_FIXTURE
from lines.models import (
    Equipment,
    Line,
    Material,
    Product,
    Recipe,
    Route,
    RouteStep,
    Station,
    Tag,
    Unit,
    UnitHistory,
    WorkOrder,
)
from mes import roles
from mes.models import OperatorProfile
from quality.models import GateRequirement, Spec

pytestmark = pytest.mark.django_db

COUNTED = (
    Line,
    Station,
    Equipment,
    Material,
    Product,
    Recipe,
    Route,
    RouteStep,
    WorkOrder,
    Unit,
    UnitHistory,
    User,
    Token,
    Tag,
    Spec,
    GateRequirement,
)
SEEDED_COUNTS = {
    "Line": 1,
    "Station": 10,
    "Equipment": 13,
    "Material": 8,
    "Product": 3,
    "Recipe": 10,
    "Route": 3,
    "RouteStep": 9,
    "WorkOrder": 1,
    # 13 lots, the feed mother roll slit into two lanes for the stacker, and the graded demo
    # batch of fixtures/demo_grading.toml: a slurry batch, a mother roll, two lanes, ten cells
    "Unit": 13 + 3 + 14,
    # a 'created' row each, the two mothers' 'slit', the slurry 'consumed', the ten cells
    # 'started' and the eight that passed EOL 'route_completed'
    "UnitHistory": 13 + 3 + 1 + 14 + 1 + 1 + 10 + 8,
    "Tag": 72,
    "Spec": 19 + 3,  # DESIGN.md limits, and the pressure-figure specs of demo_solid_state.toml
    "GateRequirement": 4,
    "User": 4,
    "Token": 1,
}


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", "--i-know-this-is-not-production", stdout=out)
    return out.getvalue()


def test_seed_on_an_empty_database_creates_the_demo_line():
    # given an empty database (only the role groups of migration 0002)
    assert counts() == dict.fromkeys(SEEDED_COUNTS, 0)
    # when
    seed()
    # then
    assert counts() == SEEDED_COUNTS
    line = Line.objects.get()
    assert (line.code, line.name, line.site) == (
        "SSB-L1",
        "Solid-state pouch-cell pilot line 1",
        "Dry room DR-1",
    )
    assert dict(Station.objects.values_list("code", "kind")) == {
        "MIX-01": StationKind.MIXING,
        "COAT-01": StationKind.COATING,
        "CAL-01": StationKind.CALENDERING,
        "SLIT-01": StationKind.SLITTING,
        "STACK-01": StationKind.STACKING,
        "WIP-01": StationKind.DENSIFICATION,
        "SEAL-01": StationKind.SEALING,
        "FORM-01": StationKind.FORMATION,
        "EOL-01": StationKind.EOL,
        "DRY-01": StationKind.DRY_ROOM,
    }
    assert set(Station.objects.values_list("line__code", flat=True)) == {"SSB-L1"}
    assert list(Equipment.objects.filter(station__code="COAT-01").values_list("code", "name")) == [
        ("COAT-01-BETA", "Beta-ray areal-weight gauge (mg/cm2)"),
        ("COAT-01-COATER", "Slot-die coater with 4-zone dryer"),
    ]


def test_seed_loads_materials_products_and_the_work_order():
    # when
    seed()
    # then
    lpscl = Material.objects.get(code="LPSCL")
    assert (lpscl.category, lpscl.uom, lpscl.moisture_sensitive) == (
        "solid_electrolyte",
        UnitOfMeasure.KG,
        True,
    )
    assert list(
        Material.objects.filter(moisture_sensitive=True).values_list("code", flat=True)
    ) == [
        "LI30",
        "LPSCL",
    ]
    assert dict(Product.objects.values_list("code", "unit_kind")) == {
        "SLURRY-CAT": UnitKind.SLURRY_BATCH,
        "CATH-ROLL": UnitKind.ROLL,
        "SSB-10AH": UnitKind.CELL,
    }
    order = WorkOrder.objects.get(code="WO-DEMO-0001")
    assert (order.product.code, order.route.code, order.quantity_planned, order.status) == (
        "SSB-10AH",
        "R-CELL",
        500,
        WorkOrderStatus.RELEASED,
    )


def test_seed_builds_ordered_routes_with_their_recipes():
    # when
    seed()
    # then
    steps = RouteStep.objects.filter(route__code="R-CELL").order_by("sequence")
    assert [(s.sequence, s.name, s.station_kind, s.recipe.code) for s in steps] == [
        (10, "stacking", "stacking", "RCP-STACK-10AH"),
        (20, "densification", "densification", "RCP-WIP-10AH"),
        (30, "sealing", "sealing", "RCP-SEAL-10AH"),
        (40, "formation", "formation", "RCP-FORM-10AH"),
        (50, "eol", "eol", "RCP-EOL-10AH"),
    ]
    cathode = RouteStep.objects.filter(route__code="R-CATHODE").order_by("sequence")
    assert [s.name for s in cathode] == ["coating", "calendering", "slitting"]
    assert Route.objects.get(code="R-SLURRY").first_step().recipe.code == "RCP-MIX-CAT"
    coating = Recipe.objects.get(code="RCP-COAT-CATH", version=1)
    assert (coating.product.code, coating.station_kind) == ("CATH-ROLL", StationKind.COATING)
    assert coating.setpoints == {
        "areal_loading_mg_cm2": 25.0,
        "dry_thickness_um": 110.0,
        "coating_width_mm": 300.0,
        "web_speed_m_min": 8.0,
        "dryer_zone_1_c": 90.0,
        "dryer_zone_2_c": 110.0,
        "dryer_zone_3_c": 130.0,
        "dryer_zone_4_c": 120.0,
    }
    assert Recipe.objects.get(code="RCP-STACK-10AH").setpoints["sheet_count"] == 21
    assert Recipe.objects.get(code="RCP-DRYROOM").setpoints["dew_point_c"] == -60.0


def test_seed_receives_the_material_lots_through_the_service():
    # when
    seed()
    # then
    lot = Unit.objects.get(identifier="LOT-LPSCL-0001")
    assert (lot.kind, lot.material.code, lot.status, lot.uom) == (
        UnitKind.MATERIAL_LOT,
        "LPSCL",
        UnitStatus.CREATED,
        UnitOfMeasure.KG,
    )
    assert (lot.supplier, lot.supplier_lot) == ("Ampcera", "AMP-LPSCL-2404-07")
    # 12 kg went into the graded demo batch's slurry (fixtures/demo_grading.toml)
    assert (lot.quantity_initial, lot.quantity_remaining) == (Decimal("200"), Decimal("188"))
    assert list(lot.history.values_list("event", "status_after")) == [("created", "created")]
    foil = Unit.objects.filter(material__code="LI30").order_by("identifier")
    assert [(u.identifier, u.quantity_initial, u.uom) for u in foil] == [
        ("LOT-LI30-0001", Decimal("2000"), UnitOfMeasure.M),
        ("LOT-LI30-0002", Decimal("2000"), UnitOfMeasure.M),
        ("LOT-LI30-0003", Decimal("2000"), UnitOfMeasure.M),
    ]
    kinds = Unit.objects.values_list("identifier", "kind")
    graded_batch = {"SLURRY-DEMO-GR-01", "MR-DEMO-GR-01", "MR-DEMO-GR-01-A", "MR-DEMO-GR-01-B"}
    graded_batch |= {f"CELL-DEMO-GR-{n:03d}" for n in range(1, 11)}
    assert {i for i, kind in kinds if kind != UnitKind.MATERIAL_LOT} == {
        "MR-DEMO-01",
        "MR-DEMO-01-A",
        "MR-DEMO-01-B",
        *graded_batch,
    }


def test_seed_twice_changes_nothing():
    # given
    seed()
    before = counts()
    lot_before = Unit.objects.values("quantity_remaining", "updated_at").get(
        identifier="LOT-NMC811-0001"
    )
    # when
    out = seed()
    # then
    assert counts() == before == SEEDED_COUNTS
    assert (
        Unit.objects.values("quantity_remaining", "updated_at").get(identifier="LOT-NMC811-0001")
        == lot_before
    )
    assert "Master data: already up to date, nothing changed" in out
    assert "Material lots: 0 received, 13 already there" in out


def test_seed_restores_a_station_renamed_by_hand():
    # given a seeded line whose coating station a user renamed
    seed()
    Station.objects.filter(code="COAT-01").update(name="Coater (renamed in admin)")
    # when
    out = seed()
    # then the fixture's name is back, and nothing else was created or changed
    assert Station.objects.get(code="COAT-01").name == "Cathode coating and drying"
    assert counts() == SEEDED_COUNTS
    assert "Station: 0 created, 1 updated" in out


def test_seed_keeps_a_work_order_status_and_an_existing_recipe_version():
    # given a running work order and a recipe version edited in the database
    seed()
    WorkOrder.objects.filter(code="WO-DEMO-0001").update(status=WorkOrderStatus.IN_PROGRESS)
    Recipe.objects.filter(code="RCP-SEAL-10AH").update(setpoints={"seal_temperature_c": 185.0})
    # when
    out = seed()
    # then both are kept, and the recipe drift is reported
    assert WorkOrder.objects.get(code="WO-DEMO-0001").status == WorkOrderStatus.IN_PROGRESS
    assert Recipe.objects.get(code="RCP-SEAL-10AH").setpoints == {"seal_temperature_c": 185.0}
    assert "RCP-SEAL-10AH v1 in the database differs from the fixture and was kept" in out


def test_seed_creates_the_demo_users_with_their_roles_and_a_bridge_token():
    # when
    out = seed()
    # then
    users = {u.username: u for u in User.objects.prefetch_related("groups")}
    assert {name: [g.name for g in u.groups.all()] for name, u in users.items()} == {
        "operator": [roles.OPERATOR],
        "quality": [roles.QUALITY_ENGINEER],
        "plc-bridge": [roles.INTEGRATION],
        "admin": [roles.ADMIN],
    }
    assert [name for name, u in users.items() if u.is_superuser] == ["admin"]
    assert users["operator"].check_password("operator-demo") is True
    assert users["quality"].check_password("quality-demo") is True
    assert users["admin"].check_password("admin-demo") is True
    token = Token.objects.get()
    assert token.user.username == "plc-bridge"
    assert f"API token: {token.key}" in out
    assert "operator-demo" in out


def test_seed_again_keeps_a_changed_password_and_the_token():
    # given a demo user who changed its password
    seed()
    operator = User.objects.get(username="operator")
    operator.set_password("my-own-secret-1")
    operator.save()
    key = Token.objects.get().key
    # when
    seed()
    # then
    operator.refresh_from_db()
    assert operator.check_password("my-own-secret-1") is True
    assert Token.objects.get().key == key


def test_seed_gives_the_demo_operator_a_badge_and_never_resets_its_pin():
    # given
    out = seed()
    profile = OperatorProfile.objects.get(badge_number="B-1001")
    assert profile.user.username == "operator" and profile.check_pin("1001")
    assert "station screens: badge B-1001, PIN 1001" in out
    profile.set_pin("8642")
    profile.save()
    # when
    seed()
    # then
    profile.refresh_from_db()
    assert profile.check_pin("8642") and OperatorProfile.objects.count() == 1


def test_seed_refuses_a_missing_fixture_and_writes_nothing(tmp_path: Path):
    # when / then
    with pytest.raises(CommandError, match="Cannot read the demo fixture"):
        call_command(
            "seed_demo",
            "--i-know-this-is-not-production",
            path=tmp_path / "absent.toml",
            stdout=StringIO(),
        )
    assert counts() == dict.fromkeys(SEEDED_COUNTS, 0)


def test_seed_refuses_an_unknown_station_kind_and_writes_nothing(tmp_path: Path):
    # given a fixture whose second station has a kind the MES does not know
    fixture = tmp_path / "demo_line.toml"
    text = DEMO_FIXTURE.read_text(encoding="utf-8")
    fixture.write_text(text.replace('kind = "coating"', 'kind = "painting"'), encoding="utf-8")
    # when / then the whole load is refused, including the station loaded before it
    with pytest.raises(CommandError, match="station kind of COAT-01 'painting' is not one of"):
        call_command(
            "seed_demo", "--i-know-this-is-not-production", path=fixture, stdout=StringIO()
        )
    assert counts() == dict.fromkeys(SEEDED_COUNTS, 0)


def test_seed_is_refused_when_debug_is_off_and_creates_no_demo_user(settings):
    # given production settings (the demo users' passwords are public)
    settings.DEBUG = False
    # when / then: refused, in English and in Chinese, and nothing is loaded
    with pytest.raises(CommandError, match=r"is refused when DEBUG is off.*not-production"):
        call_command("seed_demo", stdout=StringIO())
    with (
        translation.override("zh-hans"),
        pytest.raises(CommandError, match="DEBUG 关闭时拒绝执行"),
    ):
        call_command("seed_demo", stdout=StringIO())
    assert counts() == dict.fromkeys(SEEDED_COUNTS, 0)
    assert not User.objects.filter(username__in=["admin", "operator", "quality"]).exists()


def test_seed_runs_when_debug_is_on_without_the_flag(settings):
    # given a developer's settings, as `make demo` runs it
    settings.DEBUG = True
    # when
    call_command("seed_demo", stdout=StringIO())
    # then
    assert User.objects.filter(username="admin", is_superuser=True).exists()
    assert Line.objects.count() == 1
