"""Material lots as the history draws from them: one open lot per material, the next when it runs out.

A draw larger than what the open lot has left takes the rest of it (the lot is then used up) and
the remainder from a newly received lot, as a mixer operator weighs from two drums. Metre-measured
lots (foils, film) hand out consecutive metre ranges.
"""

from collections.abc import Callable
from dataclasses import dataclass
from random import Random

from lines.history.params import DAY, SUPPLIERS


@dataclass(slots=True)
class Lot:
    """A received lot; `initial` and `remaining` in thousandths of its unit of measure."""

    id: int
    identifier: str
    material_id: int
    uom: str
    supplier: str
    supplier_lot: str
    initial: int
    remaining: int
    received_at: float
    last_used_at: float


@dataclass(frozen=True, slots=True)
class Piece:
    """One draw from one lot: quantity and, for metre lots, the metres from..to (thousandths)."""

    lot: Lot
    quantity: int
    position_from: int | None
    position_to: int | None


class LotStream:
    """The lots of one material in the order they are opened; `draw` takes from the open one."""

    def __init__(
        self,
        *,
        code: str,
        material: tuple[int, str],
        size: tuple[int, int],
        prefix: str,
        rng: Random,
        next_id: Callable[[], int],
    ) -> None:
        self.code, (self.material_id, self.uom) = code, material
        self.size, self.prefix, self.rng, self.next_id = size, prefix, rng, next_id
        self.lots: list[Lot] = []

    def draw(self, quantity: int, at: float) -> list[Piece]:
        """Take `quantity` at time `at`, from the open lot and, if it runs out, from new ones."""
        pieces = []
        while quantity > 0:
            lot = self.lots[-1] if self.lots and self.lots[-1].remaining else self._receive(at)
            taken = min(quantity, lot.remaining)
            used = lot.initial - lot.remaining
            metres = (used, used + taken) if self.uom == "m" else (None, None)
            pieces.append(Piece(lot, taken, *metres))
            lot.remaining -= taken
            lot.last_used_at = at
            quantity -= taken
        return pieces

    def _receive(self, first_use: float) -> Lot:
        number = len(self.lots) + 1
        supplier, stem = SUPPLIERS[self.code][number % len(SUPPLIERS[self.code])]
        nominal, spread = self.size
        received = first_use - DAY * (3 + 17 * self.rng.random())
        lot = Lot(
            id=self.next_id(),
            identifier=f"{self.prefix}-{self.code}-{number:05d}",
            material_id=self.material_id,
            uom=self.uom,
            supplier=supplier,
            supplier_lot=f"{stem}-{self.rng.randrange(100_000, 1_000_000)}",
            initial=nominal + self.rng.randint(-spread, spread),
            remaining=0,
            received_at=received,
            last_used_at=received,
        )
        lot.remaining = lot.initial
        self.lots.append(lot)
        return lot
