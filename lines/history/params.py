"""The numbers of the synthetic history: recipe quantities, lot sizes, roll lengths, times, rates.

Quantities are integers in thousandths of the unit of measure (grams for kg, millimetres for m) so
that every sum is exact and a lot reaches exactly zero; they become decimal text only in the rows.
Times are seconds. The defaults follow DESIGN.md: a ~60 kg slurry batch coats one ~1200 m mother
roll, slit into 4 lanes of ~1000 cells each (1.2 m per cell); a 500 kg NMC811 lot feeds ~12 batches,
so ~48 daughter rolls and ~48,000 cells.
"""

from dataclasses import dataclass, field

HOUR = 3600.0
DAY = 86400.0

# material code -> (grams per slurry batch, +- grams): what the mixer weighs in per batch.
SLURRY_RECIPE_G = {
    "NMC811": (40_000, 300),
    "LPSCL": (12_000, 120),
    "CB-C65": (1_000, 20),
    "BND-HNBR": (1_000, 20),
    "SOLV-XYL": (6_000, 150),
}

# material code -> (nominal lot size in thousandths, +- thousandths): a drum, a bag, a foil roll.
LOT_SIZE = {
    "NMC811": (500_000, 5_000),
    "LPSCL": (150_000, 1_500),
    "CB-C65": (25_000, 0),
    "BND-HNBR": (20_000, 0),
    "SOLV-XYL": (172_000, 500),
    "AL12": (6_000_000, 0),
}

# material code -> suppliers (name, lot-number stem) the generator alternates between.
SUPPLIERS = {
    "NMC811": [("Umicore", "UM-N811"), ("EcoPro BM", "EPB-N811")],
    "LPSCL": [("Ampcera", "AMP-LPSCL"), ("NEI Corporation", "NEI-SE")],
    "CB-C65": [("Imerys Graphite & Carbon", "C65")],
    "BND-HNBR": [("Arlanxeo", "TH3406")],
    "SOLV-XYL": [("Merck", "XYL-AN")],
    "AL12": [("UACJ", "UACJ-A12"), ("Novelis", "NVL-1235")],
    "LI30": [("Albemarle", "ALB-LI30"), ("Ganfeng Lithium", "GFL-LIF")],
    "POUCH-AL": [("Dai Nippon Printing", "DNP-D-EL40"), ("Resonac", "RSN-PL113")],
}

# step kind -> (shortest, longest) seconds an operation of that step takes.
CELL_STEP_SECONDS = {
    "stacking": (18.0, 23.0),
    "densification": (1800.0, 2100.0),
    "sealing": (15.0, 25.0),
    "formation": (40 * HOUR, 52 * HOUR),
    "eol": (60.0, 120.0),
}
# step kind -> (shortest, longest) wait before the step (queues, batch presses, aging before EOL).
CELL_WAIT_SECONDS = {
    "densification": (1 * HOUR, 4 * HOUR),
    "sealing": (0.25 * HOUR, 2 * HOUR),
    "formation": (0.5 * HOUR, 4 * HOUR),
    "eol": (20 * HOUR, 30 * HOUR),
}
# step kind -> (probability that the step fails and the cell is scrapped, reason); ~1% in all.
CELL_SCRAP = {
    "stacking": (0.001, "cathode-to-anode alignment out of +-0.2 mm"),
    "densification": (0.001, "isostatic pressure dropped below 480 MPa during hold"),
    "sealing": (0.002, "seal leak found at the vacuum decay test"),
    "formation": (0.003, "first-cycle efficiency below 85 %"),
    "eol": (0.003, "ACIR above 1.6 mOhm"),
}


@dataclass(frozen=True)
class FlowParams:
    """Everything that sizes the history; tests pass small rolls and lots to get a richer graph."""

    cell_pitch_mm: int = 1_200  # cathode roll metres per cell (all its sheets), one range
    cells_per_lane: tuple[int, int] = (980, 1_020)  # a lane (daughter roll) = this many pitches
    lanes: int = 4
    leader_mm: int = 8_000  # foil threaded through the coater beyond the coated length
    li_per_cell_mm: int = 1_000
    li_cells_per_lot: int = 1_000
    pouch_per_cell_mm: int = 350
    pouch_cells_per_lot: int = 2_000
    slurry_recipe_g: dict[str, tuple[int, int]] = field(default_factory=lambda: SLURRY_RECIPE_G)
    lot_size: dict[str, tuple[int, int]] = field(default_factory=lambda: LOT_SIZE)
    takt_s: float = 30.0  # one cell per takt at the stacker
    wip_cells: float = 0.02  # fraction of cells still on the line at the end (at least 10 cells)
    shipped: float = 0.3  # the oldest finished cells, shipped
    cells_per_work_order: int = 10_000

    def lot_size_of(self, code: str) -> tuple[int, int]:
        """Nominal lot size and spread; foil and film lots hold a whole number of cells' worth."""
        if code == "LI30":
            return self.li_per_cell_mm * self.li_cells_per_lot, 0
        if code == "POUCH-AL":
            return self.pouch_per_cell_mm * self.pouch_cells_per_lot, 0
        return self.lot_size[code]


# Short lanes and small lots: a few hundred cells then span several lots of every material, several
# batches and rolls, and draws that take the rest of one lot and go on from the next (tests, demos).
COMPACT = FlowParams(
    cells_per_lane=(20, 25),
    li_cells_per_lot=30,
    pouch_cells_per_lot=45,
    lot_size={
        "NMC811": (100_000, 2_000),
        "LPSCL": (30_000, 500),
        "CB-C65": (2_500, 0),
        "BND-HNBR": (2_000, 0),
        "SOLV-XYL": (15_000, 100),
        "AL12": (80_000, 0),
    },
    cells_per_work_order=100,
)
