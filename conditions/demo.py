"""Loading the demo line's solid-state part (fixtures/demo_solid_state.toml), idempotently:
exposure budgets, the dry-room zone, the demo's open SE powder lot, the pressure-figure specs.

Runs as part of `manage.py seed_demo` (lines.hooks.AFTER_DEMO_SEED), after the demo specs.
Everything goes through conditions.services (audited); nothing that exists is changed.
"""

import tomllib
from pathlib import Path
from typing import Any

from django.conf import settings

from conditions.models import DryZone, ExposureBudget, LotExposure
from conditions.services.exposure import (
    dry_zone_create,
    exposure_budget_set,
    exposure_scan,
    lot_exposure_start,
)
from lines.models import Material, Product, Station, Unit
from quality.demo import load_demo_specs

DEMO_SOLID_STATE = Path(settings.BASE_DIR) / "fixtures" / "demo_solid_state.toml"


def _budgets(data: dict) -> int:
    created = 0
    for item in data.get("budgets", []):
        owner: dict[str, Any] = (
            {"material": Material.objects.get(code=item["material"])}
            if "material" in item
            else {"product": Product.objects.get(code=item["product"])}
        )
        if ExposureBudget.objects.filter(**owner).exists():
            continue
        exposure_budget_set(
            **owner,
            budget_weighted_min=item["budget_weighted_min"],
            weights=item.get("weights"),
            default_form=item.get("default_form", "powder"),
            description=item.get("description", ""),
            reason="demo line exposure budget (fixtures/demo_solid_state.toml)",
        )
        created += 1
    return created


def _zones(data: dict) -> int:
    created = 0
    for item in data.get("zones", []):
        if DryZone.objects.filter(code=item["code"]).exists():
            continue
        dry_zone_create(
            code=item["code"],
            name=item["name"],
            station=Station.objects.get(code=item["station"]),
            h2s_alarm_ppm=item.get("h2s_alarm_ppm", 10.0),
        )
        created += 1
    return created


def _open_lots(data: dict) -> list[str]:
    opened = []
    for item in data.get("open_lots", []):
        unit = Unit.objects.filter(identifier=item["identifier"]).first()
        if unit is None or LotExposure.objects.filter(unit=unit).exists():
            continue
        zone = DryZone.objects.get(code=item["zone"])
        lot_exposure_start(
            unit=unit,
            zone=zone,
            form=item.get("form"),
            carried_in_weighted_min=item.get("carried_in_weighted_min", 0.0),
            reason=item.get("reason", ""),
        )
        exposure_scan(unit=unit, action="opened", zone=zone)
        opened.append(unit.identifier)
    return opened


def load_demo_solid_state(*, path: Path = DEMO_SOLID_STATE, report: list[str]) -> None:
    data = tomllib.loads(path.read_text())
    budgets, zones, opened = _budgets(data), _zones(data), _open_lots(data)
    report.append(
        f"exposure: {budgets} budgets, {zones} zones created; "
        f"open lots: {', '.join(opened) or 'already tracked'}"
    )
    load_demo_specs(path=path, report=report)
