"""The battery passport of finished cells: the fields the MES is the source for, in the groups of
the BatteryPass data model (DIN DKE SPEC 99100), and the list of those it cannot know.

`passport_of` answers the API for one cell; `passports_of` builds many at once from one load
(bench/passport.py produces 100,000 this way). A value the MES does not have is never filled
in: it is null in its place and named, with the reason, in `missing`.
"""

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from finishing.passport import (
    CRITICAL_RAW_MATERIALS,
    RECYCLED_CONTENT_ELEMENTS,
    digital_link,
    element_masses,
    gtin_valid,
    qr_svg,
    recycled_shares,
)
from finishing.selectors.passport_load import (
    PassportContext,
    ancestry_many,
    ancestry_one,
    passport_context,
)
from lines.choices import MaterialCategory, UnitKind, UnitStatus
from lines.models import Unit
from mes.errors import RuleViolation

DATA_MODEL = "BatteryPass 1.2.0 (DIN DKE SPEC 99100): the attributes an MES is the source for"
FINISHED = (UnitStatus.RELEASED, UnitStatus.SHIPPED)
CELL_MASS = "cell_mass_g"
# What no production record can tell; the economic operator fills these from elsewhere.
NOT_FROM_PRODUCTION = [
    ("carbonFootprint", "a life-cycle assessment of the battery model, made outside the MES"),
    ("supplyChainDueDiligence", "the economic operator's due-diligence report"),
    ("labelsAndCertifications", "the declaration of conformity and labels, issued by the operator"),
    ("materialComposition.hazardousSubstances", "from safety data sheets, not recorded here"),
    ("performance.expectedLifetime", "from design validation (cycle-life tests)"),
    ("performance.stateOfHealth", "use-phase data from the battery management system"),
    ("generalProductInformation.warrantyPeriod", "commercial terms"),
    ("circularity.dismantlingInformation", "product design documentation"),
    ("circularity.renewableContent", "not declared by the suppliers"),
]
NO_PROFILE = "not in the product's passport profile"


def _refuse_unless_finished(unit: Unit) -> None:
    if unit.kind != UnitKind.CELL:
        raise RuleViolation(
            _("%(unit)s is a %(kind)s; passports are for cells.")
            % {"unit": unit.identifier, "kind": unit.kind.replace("_", " ")},
            field="identifier",
        )
    if unit.status not in FINISHED:
        step = (
            _(" at step '%(step)s'") % {"step": unit.current_step.display_name}
            if unit.current_step is not None
            else ""
        )
        raise RuleViolation(
            _(
                "%(unit)s is not finished (status %(status)s%(step)s); a passport is "
                "issued once the cell has passed EOL and is released."
            )
            % {"unit": unit.identifier, "status": unit.status, "step": step},
            field="identifier",
        )


def passport_of(*, unit: Unit, qr: bool = True) -> dict[str, Any]:
    """The passport of one finished cell; RuleViolation for a cell not finished or a non-cell."""
    _refuse_unless_finished(unit)
    ctx = passport_context([unit], ancestry_one(unit))
    return _passport(unit, ctx, qr=qr)


def passports_of(*, units: Sequence[Unit], qr: bool = False) -> list[dict[str, Any]]:
    """Passports of many finished cells from one load (QR SVGs only when asked: ~5 ms each)."""
    for unit in units:
        _refuse_unless_finished(unit)
    ctx = passport_context(units, ancestry_many([u.id for u in units]))
    return [_passport(unit, ctx, qr=qr) for unit in units]


class _Missing(list):
    def add(self, field: str, reason: str) -> None:
        self.append({"field": field, "reason": reason})


def _profile_value(profile: Any, name: str, field: str, missing: _Missing) -> Any:
    value = getattr(profile, name, None) if profile is not None else None
    if value in (None, ""):
        missing.add(field, NO_PROFILE)
        return None
    return value


def _passport(unit: Unit, ctx: PassportContext, *, qr: bool) -> dict[str, Any]:
    missing = _Missing()
    profile = ctx.profiles.get(unit.product_id)
    link = _link(unit, profile, missing)
    body = {
        "dataModel": DATA_MODEL,
        "generalProductInformation": _general(unit, ctx, profile, link, missing),
        **_materials(unit, ctx, profile, missing),
        "performance": _performance(unit, ctx, profile, missing),
        "testResults": _tests(unit, ctx),
        "qr": {"digitalLink": link, "svg": qr_svg(link) if (qr and link) else None},
    }
    for field, reason in NOT_FROM_PRODUCTION:
        missing.add(field, reason)
    body["missing"] = list(missing)
    return body


def _link(unit: Unit, profile: Any, missing: _Missing) -> str | None:
    gtin = getattr(profile, "gtin", "") or ""
    resolver = getattr(profile, "resolver_url", "") or ""
    if not (gtin and resolver and gtin_valid(gtin)):
        missing.add("qr.digitalLink", "needs a valid GTIN and resolver URL in the profile")
        return None
    return digital_link(resolver, gtin, unit.identifier)


def _manufactured_at(unit: Unit, ctx: PassportContext) -> str | None:
    done = [row[3] for row in ctx.operations.get(unit.id, []) if row[3] is not None]
    return max(done).date().isoformat() if done else None


def _general(unit, ctx, profile, link, missing) -> dict[str, Any]:  # noqa: ANN001
    first = next(iter(ctx.operations.get(unit.id, [])), None)
    line = ctx.stations[first[0]].line if first else None
    mass = _latest(unit, ctx, CELL_MASS)
    if mass is None:
        missing.add("generalProductInformation.batteryMass", "the cell was not weighed")
    name = "generalProductInformation.manufacturerIdentification"
    return {
        "batteryPassportIdentifier": link,
        "productIdentifier": unit.identifier,
        "batchIdentifier": unit.work_order.code if unit.work_order_id else None,
        "productModel": unit.product.code if unit.product_id else None,
        "manufacturerIdentification": {
            "name": _profile_value(profile, "manufacturer_name", f"{name}.name", missing),
            "identifier": _profile_value(
                profile, "manufacturer_identifier", f"{name}.identifier", missing
            ),
        },
        "manufacturingPlace": _profile_value(
            profile,
            "manufacturing_place",
            "generalProductInformation.manufacturingPlace",
            missing,
        ),
        "productionLine": None
        if line is None
        else {"code": line.code, "name": line.name, "site": line.site},
        "manufacturingDate": _manufactured_at(unit, ctx),
        "batteryCategory": _profile_value(
            profile, "battery_category", "generalProductInformation.batteryCategory", missing
        ),
        "batteryStatus": "original",
        "batteryMass": None if mass is None else {"value": round(mass / 1000.0, 6), "unit": "kg"},
    }


def _lot_masses(unit: Unit, ctx: PassportContext) -> tuple[dict[int, float], list[dict]]:
    """Lot id -> kg in the cell (lots whose mass is known), and the per-lot rows."""
    masses, rows = {}, []
    for lot_id, amount in sorted(ctx.ancestry.lots_per_unit(unit.id).items()):
        lot = ctx.lots[lot_id]
        declared = ctx.declarations.get(lot_id)
        per_uom = declared.mass_kg_per_uom if declared else (1.0 if lot["uom"] == "kg" else None)
        mass = None if per_uom is None else amount * per_uom
        if mass is not None:
            masses[lot_id] = mass
        rows.append({"lot": lot, "amount": amount, "mass_kg": mass, "declared": bool(declared)})
    return masses, rows


def _materials(unit, ctx, profile, missing) -> dict[str, Any]:  # noqa: ANN001
    """The composition and recycled-content groups. They depend only on the lots and amounts
    in the cell (and the profile), so cells with the same ones share one computation; the
    groups are then shared between their passports, which callers must not modify."""
    lots = ctx.ancestry.lots_per_unit(unit.id)
    key = (getattr(profile, "pk", None), tuple(sorted(lots.items())))
    found = ctx.materials_cache.get(key)
    if found is None:
        own = _Missing()
        composition = _composition(unit, ctx, profile, own)
        found = (composition, {"recycledContent": _recycled(unit, ctx, own)}, list(own))
        ctx.materials_cache[key] = found
    missing.extend(found[2])
    return {"materialComposition": found[0], "circularity": found[1]}


def _composition(unit, ctx, profile, missing) -> dict[str, Any]:  # noqa: ANN001
    masses, rows = _lot_masses(unit, ctx)
    materials: dict[int, dict[str, Any]] = {}
    process: list[str] = []
    for row in rows:
        lot, material = row["lot"], ctx.materials[row["lot"]["material_id"]]
        if material.category == MaterialCategory.SOLVENT:
            process.append(lot["identifier"])  # evaporated in the dryer: not in the cell
            masses.pop(lot["id"], None)
            continue
        if row["mass_kg"] is None:
            missing.add(
                f"materialComposition.batteryMaterials.{material.code}.massKg",
                f"lot {lot['identifier']} is counted in {lot['uom']} and has no declared mass",
            )
        if not row["declared"]:
            missing.add(
                f"materialComposition.lots.{lot['identifier']}",
                "no supplier declaration of element and recycled content",
            )
        entry = materials.setdefault(
            material.id,
            {
                "materialName": material.name,
                "materialCode": material.code,
                "category": material.category,
                "massKg": 0.0,
                "lots": [],
            },
        )
        mass = row["mass_kg"]
        entry["massKg"] = (
            None if mass is None or entry["massKg"] is None else entry["massKg"] + mass
        )
        entry["lots"].append(
            {
                "identifier": lot["identifier"],
                "supplier": lot["supplier"],
                "supplierLot": lot["supplier_lot"],
                "amount": round(row["amount"], 6),
                "unit": lot["uom"],
            }
        )
    for entry in materials.values():
        entry["massKg"] = None if entry["massKg"] is None else round(entry["massKg"], 6)
    elements = element_masses(masses, ctx.declarations)
    chem = "materialComposition.batteryChemistry"
    return {
        "batteryChemistry": {
            "shortName": _profile_value(profile, "chemistry", f"{chem}.shortName", missing),
            "cathode": _profile_value(profile, "cathode_material", f"{chem}.cathode", missing),
            "anode": _profile_value(profile, "anode_material", f"{chem}.anode", missing),
            "electrolyte": _profile_value(profile, "electrolyte", f"{chem}.electrolyte", missing),
        },
        "batteryMaterials": list(materials.values()),
        "criticalRawMaterials": [
            {"element": symbol, "name": name, "massKg": round(elements[symbol], 6)}
            for symbol, name in CRITICAL_RAW_MATERIALS.items()
            if elements.get(symbol, 0) > 0
        ],
        "processMaterialLots": process,
    }


def _recycled(unit: Unit, ctx: PassportContext, missing: _Missing) -> list[dict[str, Any]]:
    masses, rows = _lot_masses(unit, ctx)
    undeclared = [
        r["lot"]["identifier"]
        for r in rows
        if not r["declared"] and ctx.materials[r["lot"]["material_id"]].category != "solvent"
    ]
    out = []
    for symbol in RECYCLED_CONTENT_ELEMENTS:
        if undeclared:
            missing.add(
                f"circularity.recycledContent.{symbol}",
                f"lots without a supplier declaration: {', '.join(undeclared[:5])}",
            )
            continue
        declared = {lot_id: mass for lot_id, mass in masses.items() if lot_id in ctx.declarations}
        shares = recycled_shares(declared, ctx.declarations, symbol)
        contains = element_masses(declared, ctx.declarations).get(symbol, 0.0) > 0
        if shares is None and contains:
            missing.add(
                f"circularity.recycledContent.{symbol}",
                "a lot holding it did not declare its recycled share",
            )
        elif shares is not None:
            out.append(
                {
                    "recycledMaterial": symbol,
                    "preConsumerShare": round(shares["pre_consumer_pct"], 3),
                    "postConsumerShare": round(shares["post_consumer_pct"], 3),
                }
            )
    return out


def _latest(unit: Unit, ctx: PassportContext, parameter: str) -> float | None:
    found = [v for (_s, p), v in ctx.measurements.get(unit.id, {}).items() if p == parameter]
    return max(found)[1] if found else None


def _quantity(value: float | None, unit: str, places: int = 6) -> dict[str, Any] | None:
    return None if value is None else {"value": round(value, places), "unit": unit}


def _performance(unit, ctx, profile, missing) -> dict[str, Any]:  # noqa: ANN001
    grade = ctx.grades.get(unit.id)
    capacity = _latest(unit, ctx, "capacity_ah")
    if capacity is None:
        missing.add("performance.measuredCapacity", "no capacity reading at formation")
    if grade is None:
        missing.add("performance.eolGrade", "the cell has not been graded")

    def rated(name: str, field: str, unit_of: str) -> dict[str, Any] | None:
        return _quantity(_profile_value(profile, name, f"performance.{field}", missing), unit_of)

    return {
        "ratedCapacity": rated("rated_capacity_ah", "ratedCapacity", "Ah"),
        "measuredCapacity": _quantity(capacity, "Ah"),
        "nominalVoltage": rated("nominal_voltage_v", "nominalVoltage", "V"),
        "minVoltage": rated("min_voltage_v", "minVoltage", "V"),
        "maxVoltage": rated("max_voltage_v", "maxVoltage", "V"),
        "openCircuitVoltage": _quantity(grade.ocv_v if grade else _latest(unit, ctx, "ocv_v"), "V"),
        "initialInternalResistance": _quantity(
            grade.acir_mohm if grade else _latest(unit, ctx, "acir_mohm"), "mOhm"
        ),
        "selfDischargeRate": _quantity(grade.k_mv_day if grade else None, "mV/day", 4),
        "eolGrade": None
        if grade is None
        else {
            "grade": grade.grade,
            "batch": grade.batch,
            "gradedAt": grade.graded_at.isoformat(),
            "ocvDeviationFromBatchMedianMv": None
            if grade.ocv_deviation_mv is None
            else round(grade.ocv_deviation_mv, 3),
            "agingDays": grade.aging_days,
        },
    }


def _tests(unit: Unit, ctx: PassportContext) -> dict[str, Any]:
    operations = [
        {
            "step": step,
            "station": ctx.stations[station_id].code,
            "result": result or None,
            "completedAt": None if done is None else done.isoformat(),
        }
        for station_id, step, result, done in ctx.operations.get(unit.id, [])
    ]
    measurements = [
        {
            "parameter": parameter,
            "station": ctx.stations[station_id].code if station_id else None,
            "value": value,
            "unit": ctx.spec_units.get(parameter),
            "measuredAt": at.isoformat(),
        }
        for (station_id, parameter), (at, value) in sorted(
            ctx.measurements.get(unit.id, {}).items(), key=lambda kv: (kv[1][0], kv[0][1])
        )
    ]
    return {"operations": operations, "measurements": measurements}
