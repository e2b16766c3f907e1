"""Small checks and writes shared by the lines services."""

import re
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from lines.choices import UnitStatus
from lines.models import Unit, UnitHistory
from mes.errors import InvalidInput, RuleViolation

# Barcodes: no spaces or slashes, so an identifier is always one URL path segment.
IDENTIFIER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,63}$")
QUANTITY_PLACES = Decimal("0.0001")

User = AbstractBaseUser | None


def check_identifier(identifier: str) -> str:
    identifier = (identifier or "").strip()
    if not IDENTIFIER_RE.match(identifier):
        raise InvalidInput(
            f"Identifier {identifier!r} is not valid: use 1-64 letters, digits, '.', '_', ':' or '-'.",
            field="identifier",
        )
    if Unit.objects.filter(identifier=identifier).exists():
        raise RuleViolation(
            f"A unit with identifier {identifier} already exists.", field="identifier"
        )
    return identifier


def to_decimal(value: object, *, field: str, allow_zero: bool = False) -> Decimal:
    """Parse a quantity or position; NaN, infinity, negatives (and zero unless allowed) are refused."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise InvalidInput(f"{field} must be a number, got {value!r}.", field=field) from exc
    if not number.is_finite():
        raise InvalidInput(f"{field} must be a finite number, got {value!r}.", field=field)
    if number < 0 or (number == 0 and not allow_zero):
        raise InvalidInput(f"{field} must be greater than zero, got {value}.", field=field)
    return number.quantize(QUANTITY_PLACES)


def qty_text(number: Decimal | None) -> str:
    """A quantity as a person writes it: 20, 1.2, 1198.8 (never 2E+1 or 1.2000)."""
    return "" if number is None else format(number.normalize(), "f")


def save_unit(
    unit: Unit,
    *,
    fields: list[str],
    status: str | None = None,
    event: str = "",
    by: User = None,
    reason: str = "",
) -> None:
    """Save changed fields of a locked unit; a status change also writes its history row."""
    now = timezone.now()
    before = unit.status
    unit.updated_at = now
    update = [*fields, "updated_at"]
    if status is not None and status != before:
        unit.status = status
        update.append("status")
    unit.save(update_fields=update)
    if unit.status != before:
        UnitHistory.objects.create(
            unit=unit,
            at=now,
            by=by,
            event=event,
            status_before=before,
            status_after=unit.status,
            reason=reason,
        )


def refuse_unless_workable(unit: Unit, action: str) -> None:
    """Refuse any work on a unit that is held, finished or gone, saying what to do instead."""
    if unit.status == UnitStatus.ON_HOLD:
        raise RuleViolation(
            f"{unit.identifier} is on hold and cannot {action}. Call quality to review the hold."
        )
    if unit.status in UnitStatus.terminal():
        raise RuleViolation(
            f"{unit.identifier} is {unit.get_status_display().lower()} and cannot {action}."
        )
