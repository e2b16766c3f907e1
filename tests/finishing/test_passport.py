"""The battery passport of the demo line's graded cell, validated against a JSON schema written
here from the BatteryPass data model's field list; composition from the as-built genealogy;
missing fields listed, never invented; unfinished cells refused."""

import jsonschema
import pytest

from finishing.passport import gtin_valid
from finishing.selectors.passport import passport_of, passports_of
from lines.demo import load_demo_line
from lines.models import LotDeclaration, Unit
from mes.errors import RuleViolation

pytestmark = pytest.mark.django_db

NUMBER_OR_NULL = {"type": ["number", "null"]}
TEXT_OR_NULL = {"type": ["string", "null"]}
QUANTITY = {
    "type": ["object", "null"],
    "required": ["value", "unit"],
    "properties": {"value": {"type": "number"}, "unit": {"type": "string"}},
    "additionalProperties": False,
}


def _section(properties: dict, required: list[str] | None = None) -> dict:
    return {
        "type": "object",
        "required": required if required is not None else list(properties),
        "properties": properties,
        "additionalProperties": False,
    }


# The BatteryPass 1.2.0 groups (DIN DKE SPEC 99100) and, in each, the attributes an MES is the
# source for; what it cannot know is listed in `missing` instead.
PASSPORT_SCHEMA = _section(
    {
        "dataModel": {"type": "string"},
        "generalProductInformation": _section(
            {
                "batteryPassportIdentifier": TEXT_OR_NULL,
                "productIdentifier": {"type": "string", "minLength": 1},
                "batchIdentifier": TEXT_OR_NULL,
                "productModel": TEXT_OR_NULL,
                "manufacturerIdentification": _section(
                    {"name": TEXT_OR_NULL, "identifier": TEXT_OR_NULL}
                ),
                "manufacturingPlace": TEXT_OR_NULL,
                "productionLine": {"type": ["object", "null"]},
                "manufacturingDate": {"type": ["string", "null"], "format": "date"},
                "batteryCategory": TEXT_OR_NULL,
                "batteryStatus": {"enum": ["original"]},
                "batteryMass": QUANTITY,
            }
        ),
        "materialComposition": _section(
            {
                "batteryChemistry": _section(
                    {
                        "shortName": TEXT_OR_NULL,
                        "cathode": TEXT_OR_NULL,
                        "anode": TEXT_OR_NULL,
                        "electrolyte": TEXT_OR_NULL,
                    }
                ),
                "batteryMaterials": {
                    "type": "array",
                    "items": _section(
                        {
                            "materialName": {"type": "string"},
                            "materialCode": {"type": "string"},
                            "category": {"type": "string"},
                            "massKg": NUMBER_OR_NULL,
                            "lots": {
                                "type": "array",
                                "minItems": 1,
                                "items": _section(
                                    {
                                        "identifier": {"type": "string"},
                                        "supplier": {"type": "string"},
                                        "supplierLot": {"type": "string"},
                                        "amount": {"type": "number", "exclusiveMinimum": 0},
                                        "unit": {"enum": ["kg", "m", "pcs"]},
                                    }
                                ),
                            },
                        }
                    ),
                },
                "criticalRawMaterials": {
                    "type": "array",
                    "items": _section(
                        {
                            "element": {"type": "string"},
                            "name": {"type": "string"},
                            "massKg": {"type": "number", "exclusiveMinimum": 0},
                        }
                    ),
                },
                "processMaterialLots": {"type": "array", "items": {"type": "string"}},
            }
        ),
        "circularity": _section(
            {
                "recycledContent": {
                    "type": "array",
                    "items": _section(
                        {
                            "recycledMaterial": {"enum": ["Co", "Li", "Ni", "Pb"]},
                            "preConsumerShare": {"type": "number", "minimum": 0, "maximum": 100},
                            "postConsumerShare": {"type": "number", "minimum": 0, "maximum": 100},
                        }
                    ),
                }
            }
        ),
        "performance": _section(
            {
                "ratedCapacity": QUANTITY,
                "measuredCapacity": QUANTITY,
                "nominalVoltage": QUANTITY,
                "minVoltage": QUANTITY,
                "maxVoltage": QUANTITY,
                "openCircuitVoltage": QUANTITY,
                "initialInternalResistance": QUANTITY,
                "selfDischargeRate": QUANTITY,
                "eolGrade": {"type": ["object", "null"]},
            }
        ),
        "testResults": _section(
            {
                "operations": {"type": "array", "minItems": 1},
                "measurements": {"type": "array", "minItems": 1},
            }
        ),
        "qr": _section({"digitalLink": TEXT_OR_NULL, "svg": TEXT_OR_NULL}),
        "missing": {
            "type": "array",
            "items": _section({"field": {"type": "string"}, "reason": {"type": "string"}}),
        },
    }
)


@pytest.fixture
def demo():
    load_demo_line()


def _cell(identifier: str) -> Unit:
    return Unit.objects.select_related("product", "work_order", "current_step").get(
        identifier=identifier
    )


def _missing(passport: dict) -> dict[str, str]:
    return {entry["field"]: entry["reason"] for entry in passport["missing"]}


def test_the_demo_cell_passport_validates_against_the_data_model_schema(demo):
    passport = passport_of(unit=_cell("CELL-DEMO-GR-001"))

    jsonschema.validate(
        passport, PASSPORT_SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    general = passport["generalProductInformation"]
    assert general["productIdentifier"] == "CELL-DEMO-GR-001"
    link = "https://id.example.com/01/09506000134352/21/CELL-DEMO-GR-001"
    assert general["batteryPassportIdentifier"] == passport["qr"]["digitalLink"] == link
    assert passport["qr"]["svg"].startswith("<svg") and "</svg>" in passport["qr"]["svg"]
    assert general["manufacturerIdentification"]["name"] == "Demo Solid-State Cells GmbH"
    performance = passport["performance"]
    assert performance["eolGrade"]["grade"] == "A"
    assert performance["selfDischargeRate"] == {"value": 0.08, "unit": "mV/day"}
    assert performance["measuredCapacity"] == {"value": 10.12, "unit": "Ah"}
    assert performance["initialInternalResistance"] == {"value": 1.18, "unit": "mOhm"}
    steps = [op["step"] for op in passport["testResults"]["operations"]]
    assert steps == ["stacking", "densification", "sealing", "formation", "eol"]


def test_composition_follows_the_as_built_genealogy(demo):
    passport = passport_of(unit=_cell("CELL-DEMO-GR-001"), qr=False)
    materials = {m["materialCode"]: m for m in passport["materialComposition"]["batteryMaterials"]}

    # 1.2 m of lane A; the two lanes share the 1,200 m mother's material: 0.6 m of it, of
    # 60 kg slurry per 1,200 m = 0.03 kg slurry; NMC811 is 40 of its 60 kg = 0.02 kg.
    assert materials["NMC811"]["massKg"] == pytest.approx(0.02)
    assert materials["LPSCL"]["massKg"] == pytest.approx(0.006)
    assert materials["AL12"]["lots"][0]["amount"] == pytest.approx(0.6)  # metres of foil
    assert materials["AL12"]["massKg"] == pytest.approx(0.006)  # at 10 g/m, declared
    assert materials["LI30"]["massKg"] == pytest.approx(0.0016)
    assert "SOLV-XYL" not in materials  # dried off in the coater
    assert passport["materialComposition"]["processMaterialLots"] == ["LOT-SOLV-XYL-0001"]
    crm = {
        c["element"]: c["massKg"] for c in passport["materialComposition"]["criticalRawMaterials"]
    }
    assert crm["Ni"] == pytest.approx(0.02 * 0.4827, abs=1e-6)
    assert crm["Co"] == pytest.approx(0.02 * 0.0606, abs=1e-6)
    # Lithium: NMC 0.02 x 7.13 % + LPSCL 0.006 x 15.52 % + foil 0.0016 x 99.9 %.
    assert crm["Li"] == pytest.approx(0.001426 + 0.0009312 + 0.0015984, abs=1e-6)
    recycled = {r["recycledMaterial"]: r for r in passport["circularity"]["recycledContent"]}
    assert (recycled["Co"]["preConsumerShare"], recycled["Co"]["postConsumerShare"]) == (4.0, 12.0)
    # Only the NMC811 lithium is recycled (1 % + 5 %): weighted by its share of the cell's lithium.
    li_share = 0.001426 / (0.001426 + 0.0009312 + 0.0015984)
    assert recycled["Li"]["postConsumerShare"] == pytest.approx(5.0 * li_share, abs=1e-3)
    assert "Pb" not in recycled  # no lead in the cell


def test_what_the_mes_cannot_know_is_listed_as_missing_not_invented(demo):
    lot = Unit.objects.get(identifier="LOT-LPSCL-0001")
    LotDeclaration.objects.filter(lot=lot).delete()  # as if the supplier never declared

    passport = passport_of(unit=_cell("CELL-DEMO-GR-002"), qr=False)

    missing = _missing(passport)
    assert passport["generalProductInformation"]["batteryMass"] is None
    assert missing["generalProductInformation.batteryMass"] == "the cell was not weighed"
    assert "carbonFootprint" in missing and "supplyChainDueDiligence" in missing
    assert missing["materialComposition.lots.LOT-LPSCL-0001"].startswith("no supplier declaration")
    for element in ("Co", "Li", "Ni", "Pb"):
        assert missing[f"circularity.recycledContent.{element}"].endswith("LOT-LPSCL-0001")
    assert passport["circularity"]["recycledContent"] == []
    # The undeclared powder is still in the composition, by its weighed kilograms.
    materials = {m["materialCode"]: m for m in passport["materialComposition"]["batteryMaterials"]}
    assert materials["LPSCL"]["massKg"] == pytest.approx(0.006)


def test_a_cell_that_is_not_finished_gets_no_passport(demo):
    rejected = _cell("CELL-DEMO-GR-009")  # graded reject: failed at EOL, still in process
    with pytest.raises(RuleViolation, match="CELL-DEMO-GR-009 is not finished .* step 'eol'"):
        passport_of(unit=rejected)
    with pytest.raises(RuleViolation, match="MR-DEMO-GR-01 is a roll; passports are for cells"):
        passport_of(unit=_cell("MR-DEMO-GR-01"))


def test_many_passports_at_once_equal_the_single_ones(demo):
    serials = [f"CELL-DEMO-GR-00{n}" for n in range(1, 9)]
    cells = [_cell(s) for s in serials]
    together = passports_of(units=cells, qr=False)
    assert together == [passport_of(unit=c, qr=False) for c in cells]


def test_gtin_check_digits():
    assert gtin_valid("09506000134352")
    assert not gtin_valid("09506000134353")
    assert not gtin_valid("0950600013435A")
