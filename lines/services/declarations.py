"""Supplier declarations on material lots: element content and recycled content."""

import math

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lines.choices import UnitKind
from lines.models import LotDeclaration, Unit
from mes.actors import Actor
from mes.errors import InvalidInput, RuleViolation

RECYCLED_SOURCES = ("pre_consumer", "post_consumer")


def _percent(value: object, *, field: str) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]  # any input: float() refusing it is the check
    except (TypeError, ValueError) as exc:
        raise InvalidInput(
            _("%(field)s must be a percentage, got %(value)s.")
            % {"field": field, "value": repr(value)},
            field=field,
        ) from exc
    if not math.isfinite(number) or not 0 <= number <= 100:
        raise InvalidInput(
            _("%(field)s must be 0..100 %%, got %(value)s.")
            % {"field": field, "value": repr(value)},
            field=field,
        )
    return number


def _elements(elements_pct: dict[str, object]) -> dict[str, float]:
    checked = {
        str(symbol): _percent(pct, field=f"elements_pct.{symbol}")
        for symbol, pct in elements_pct.items()
    }
    if sum(checked.values()) > 100.0001:
        raise InvalidInput(
            _("The element contents add up to more than 100 %."), field="elements_pct"
        )
    return checked


def _recycled(recycled_pct: dict[str, dict[str, object]]) -> dict[str, dict[str, float]]:
    checked = {}
    for symbol, shares in recycled_pct.items():
        if not isinstance(shares, dict) or set(shares) - set(RECYCLED_SOURCES):
            raise InvalidInput(
                _("recycled_pct.%(symbol)s must give pre_consumer and/or post_consumer %%.")
                % {"symbol": symbol},
                field="recycled_pct",
            )
        entry = {k: _percent(v, field=f"recycled_pct.{symbol}.{k}") for k, v in shares.items()}
        if sum(entry.values()) > 100.0001:
            raise InvalidInput(
                _("Recycled %(symbol)s adds up to more than 100 %%.") % {"symbol": symbol},
                field="recycled_pct",
            )
        checked[str(symbol)] = entry
    return checked


@transaction.atomic
def lot_declaration_record(
    *,
    lot: Unit,
    mass_kg_per_uom: float,
    elements_pct: dict[str, object] | None = None,
    recycled_pct: dict[str, dict[str, object]] | None = None,
    document: str = "",
    by: Actor = None,
) -> LotDeclaration:
    """Record the supplier's declaration for a material lot (once: a lot has one certificate).

    Refused: a unit that is not a material lot, a lot already declared, a mass that is not
    positive, percentages outside 0..100 or adding up past 100.
    """
    if lot.kind != UnitKind.MATERIAL_LOT:
        raise InvalidInput(
            _("%(lot)s is not a material lot.") % {"lot": lot.identifier}, field="lot"
        )
    if LotDeclaration.objects.filter(lot=lot).exists():
        raise RuleViolation(
            _("%(lot)s already has a supplier declaration.") % {"lot": lot.identifier}, field="lot"
        )
    mass = float(mass_kg_per_uom)
    if not math.isfinite(mass) or mass <= 0:
        raise InvalidInput(_("mass_kg_per_uom must be above zero."), field="mass_kg_per_uom")
    return LotDeclaration.objects.create(
        lot=lot,
        mass_kg_per_uom=mass,
        elements_pct=_elements(elements_pct or {}),
        recycled_pct=_recycled(recycled_pct or {}),
        document=document.strip(),
        recorded_at=timezone.now(),
        recorded_by=by,
    )
