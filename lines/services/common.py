"""Small checks and writes shared by the lines services."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lines.choices import UnitStatus
from lines.models import Unit, UnitHistory
from mes.actors import Actor
from mes.errors import InvalidInput, RuleViolation
from mes.numbers import check_range, parse_number

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Barcodes: no spaces or slashes, so an identifier is always one URL path segment.
IDENTIFIER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,63}$")
QUANTITY_DIGITS = (14, 4)  # Unit.quantity_initial/_remaining, GenealogyEdge.quantity
METRE_DIGITS = (10, 3)  # GenealogyEdge.position_from_m/_to_m


def check_identifier(identifier: str) -> str:
    identifier = (identifier or "").strip()
    if not IDENTIFIER_RE.match(identifier):
        raise InvalidInput(
            _(
                "Identifier %(identifier)s is not valid: use 1-64 letters, digits, '.', '_', ':' or '-'."
            )
            % {"identifier": repr(identifier)},
            field="identifier",
        )
    if Unit.objects.filter(identifier=identifier).exists():
        raise RuleViolation(
            _("A unit with identifier %(identifier)s already exists.") % {"identifier": identifier},
            field="identifier",
        )
    return identifier


def to_decimal(
    value: object,
    *,
    field: str,
    allow_zero: bool = False,
    digits: tuple[int, int] = QUANTITY_DIGITS,
) -> Decimal:
    """Parse a quantity or position (mes.numbers: one notation, no digit grouping); NaN,
    infinity, negatives (and zero unless allowed) are refused, and so is a number the column
    (`digits`: max digits, decimal places) cannot hold, rather than letting the database fail."""
    number = parse_number(value, field=field)
    if number < 0 or (number == 0 and not allow_zero):
        raise InvalidInput(
            _("%(field)s must be greater than zero, got %(value)s.")
            % {"field": field, "value": value},
            field=field,
        )
    max_digits, places = digits
    return check_range(
        number, field=field, max_digits=max_digits, decimal_places=places, allow_zero=allow_zero
    )


def qty_text(number: Decimal | None) -> str:
    """A quantity as a person writes it: 20, 1.2, 1198.8 (never 2E+1 or 1.2000)."""
    return "" if number is None else format(number.normalize(), "f")


def save_unit(
    unit: Unit,
    *,
    fields: list[str],
    status: str | None = None,
    event: str = "",
    by: Actor = None,
    reason: str = "",
    at: datetime | None = None,
) -> None:
    """Save changed fields of a locked unit; a status change also writes its history row, at
    `at` when the change happened at another time than now (an operation's own start or end,
    as the PLC or a back-dated record gives it), so the history agrees with the operations."""
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
            at=at or now,
            by=by,
            event=event,
            status_before=before,
            status_after=unit.status,
            reason=reason,
        )


# What a refusal says could not be done; the sentence around it is translated whole.
ACTION_START = gettext_lazy("be started")
ACTION_COMPLETE = gettext_lazy("be completed")
ACTION_CONSUME = gettext_lazy("be consumed")
ACTION_SCRAP = gettext_lazy("be scrapped here")


def refuse_unless_workable(unit: Unit, action: StrOrPromise, *, field: str | None = None) -> None:
    """Refuse any work on a unit that is held, finished or gone, saying what to do instead.

    The message is in the language of the request (the station screen shows it as it is);
    `field` names the input that brought the unit in (a consumed lot's "parent"), if any."""
    if unit.status not in UnitStatus.unworkable():
        return
    names: dict[str, StrOrPromise] = {"unit": unit.identifier, "action": action}
    if unit.status == UnitStatus.ON_HOLD:
        raise RuleViolation(
            _("%(unit)s is on hold and cannot %(action)s. Call quality to review the hold.")
            % names,
            field=field,
        )
    if unit.status in UnitStatus.terminal():
        names["status"] = unit.get_status_display().lower()
        raise RuleViolation(
            _(
                "%(unit)s is %(status)s and cannot %(action)s. Set it aside and call your shift lead."
            )
            % names,
            field=field,
        )
