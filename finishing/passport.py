"""Battery passport pieces that need no database: a cell's material lots from its as-built
genealogy, masses, critical raw materials, recycled content, the GS1 Digital Link and its QR.

The amounts follow the genealogy's quantities: a child that consumed q (parent's unit) of a
parent, out of the child's own initial quantity Q, holds q/Q of the parent per unit of itself.
A cell (1 pcs) therefore holds, of a lot, the sum over every path of the product of those
ratios: 1.2 m of a lane, a lane's metre is a metre of the mother roll, the mother took 60 kg
of slurry for its 1,200 m, the slurry took 40 kg of NMC811 out of 60 kg... One correction:
slitting gives each lane the mother's full length (a lane's metre m is the mother's metre m),
so a parent that gave out more than it had is shared in proportion to what each child took
(two lanes of a 1,200 m mother each hold half of its material). Solvent evaporates in the
dryer, so solvent lots are listed as process materials, not as cell content.
"""

import io
from collections.abc import Iterable
from dataclasses import dataclass

import segno

# Regulation (EU) 2024/1252, Annex II: the critical raw materials a cell of this kind can hold,
# by element symbol (aluminium, cobalt, copper, lithium, manganese, battery-grade nickel,
# phosphorus, silicon metal).
CRITICAL_RAW_MATERIALS = {
    "Al": "aluminium",
    "Co": "cobalt",
    "Cu": "copper",
    "Li": "lithium",
    "Mn": "manganese",
    "Ni": "nickel",
    "P": "phosphorus",
    "Si": "silicon",
}
# Regulation (EU) 2023/1542, Art. 8: recycled content declared for these.
RECYCLED_CONTENT_ELEMENTS = ("Co", "Li", "Ni", "Pb")


@dataclass(frozen=True, slots=True)
class UnitFacts:
    kind: str
    quantity_initial: float
    material_id: int | None
    given_out: float = 0.0  # the sum of the quantities its children took

    @property
    def spread(self) -> float:
        """How much of itself one unit given out carries: 1, or less when it was over-given."""
        if self.given_out <= self.quantity_initial:
            return 1.0
        return self.quantity_initial / self.given_out


class Ancestry:
    """The edges into a set of cells and their ancestors, and the units they join; answers
    "how much of each material lot is in this cell", memoised so a lane shared by a thousand
    cells is resolved once."""

    def __init__(self, edges: Iterable[tuple[int, int, float]], units: dict[int, UnitFacts]):
        self.parents: dict[int, list[tuple[int, float]]] = {}
        for parent_id, child_id, quantity in edges:
            self.parents.setdefault(child_id, []).append((parent_id, quantity))
        self.units = units
        self._memo: dict[int, dict[int, float]] = {}

    def lots_per_unit(self, unit_id: int) -> dict[int, float]:
        """Lot id -> amount of that lot (in the lot's unit of measure) per unit of `unit_id`."""
        found = self._memo.get(unit_id)
        if found is not None:
            return found
        facts = self.units[unit_id]
        if facts.material_id is not None:
            found = {unit_id: 1.0}
        else:
            found = {}
            for parent_id, quantity in self.parents.get(unit_id, ()):
                share = quantity / facts.quantity_initial * self.units[parent_id].spread
                for lot_id, amount in self.lots_per_unit(parent_id).items():
                    found[lot_id] = found.get(lot_id, 0.0) + share * amount
        self._memo[unit_id] = found
        return found


@dataclass(frozen=True)
class Declared:
    """A lot's supplier declaration as the composition needs it (lines.LotDeclaration)."""

    mass_kg_per_uom: float
    elements_pct: dict[str, float]
    recycled_pct: dict[str, dict[str, float]]


def element_masses(
    lot_masses_kg: dict[int, float], declarations: dict[int, Declared]
) -> dict[str, float]:
    """Element -> kg in the cell, over the declared lots."""
    out: dict[str, float] = {}
    for lot_id, mass in lot_masses_kg.items():
        declared = declarations.get(lot_id)
        for symbol, pct in (declared.elements_pct if declared else {}).items():
            out[symbol] = out.get(symbol, 0.0) + mass * pct / 100.0
    return out


def recycled_shares(
    lot_masses_kg: dict[int, float], declarations: dict[int, Declared], symbol: str
) -> dict[str, float] | None:
    """Pre- and post-consumer recycled share (%) of `symbol` in the cell, or None when a lot
    that holds it has not declared its recycled content (never assumed to be zero)."""
    total = pre = post = 0.0
    for lot_id, mass in lot_masses_kg.items():
        declared = declarations[lot_id]
        element_kg = mass * declared.elements_pct.get(symbol, 0.0) / 100.0
        if element_kg == 0:
            continue
        shares = declared.recycled_pct.get(symbol)
        if shares is None:
            return None
        total += element_kg
        pre += element_kg * shares.get("pre_consumer", 0.0) / 100.0
        post += element_kg * shares.get("post_consumer", 0.0) / 100.0
    if total == 0:
        return None
    return {"pre_consumer_pct": 100.0 * pre / total, "post_consumer_pct": 100.0 * post / total}


def gtin_valid(gtin: str) -> bool:
    """A GTIN-8/12/13/14 with a correct GS1 mod-10 check digit."""
    if not gtin.isdigit() or len(gtin) not in (8, 12, 13, 14):
        return False
    digits = [int(d) for d in gtin.zfill(14)]
    weighted = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(digits[:-1]))
    return (10 - weighted % 10) % 10 == digits[-1]


def digital_link(resolver_url: str, gtin: str, serial: str) -> str:
    """GS1 Digital Link URI of one serialised item: <resolver>/01/<GTIN-14>/21/<serial>."""
    return f"{resolver_url.rstrip('/')}/01/{gtin.zfill(14)}/21/{serial}"


def qr_svg(text: str, *, scale: int = 2) -> str:
    """The text as a QR code (error correction M, 4-module quiet zone), an SVG document."""
    out = io.BytesIO()
    segno.make(text, error="m", micro=False).save(
        out, kind="svg", xmldecl=False, svgns=True, scale=scale, border=4
    )
    return out.getvalue().decode()
