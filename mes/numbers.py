"""One reading of the numbers people and clients type, and the integer range of the database.

Why one parser: the station form once read "8,000" as 8 and "300,1" as 300.1 (issue #18): a
comma was silently taken for a decimal point. A number that could mean two things is refused,
never guessed. The rules, for a station form's field and an API number sent as text alike:

- the decimal separator is the active language's (Django's DECIMAL_SEPARATOR for it): '.' for
  English and for Simplified Chinese, the two languages we ship. A language whose separator is
  ',' (German, French...) would accept "300,1" as 300.1, and then refuses "." and "8.000";
- digit grouping ("8,000", "8 000", "8'000") is refused: the reader cannot tell grouping from a
  decimal separator of another locale, so the user is asked to write the number plainly;
- an exponent ("1e-3") is accepted; NaN and infinity are not numbers here;
- a whole number (a count, an id, a version, an interval in ms) is digits only: "8.000" is refused
  there too, as it is either 8 written oddly or 8000 grouped, and "1e3" is no count anyone types.

The message keeps what the user typed, so they see what was refused.
"""

import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from django.utils import formats, translation
from django.utils.translation import gettext as _

from mes.errors import InvalidInput

# Integer columns: PositiveIntegerField/IntegerField are 32-bit on PostgreSQL, ids (BigAutoField)
# and BigIntegerField 64-bit; SQLite stores 64-bit. A value beyond these overflows the driver.
AMBIGUOUS = "invalid_notation"  # the code of the refusal of grouped or comma text
INT_MAX = 2**31 - 1
BIGINT_MAX = 2**63 - 1

_PLAIN = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,4})?$")
# Digits with separators between them: grouping ("8,000", "8 000", "8'000") or another
# locale's decimal separator ("300,1"). Ambiguous, so refused with a message that says so.
_WHOLE = re.compile(r"^[+-]?\d{1,30}$")  # no column holds more digits; int() of 5000 raises
_GROUPED = re.compile(r"^[+-]?\d[\d,.'\s\u00a0\u202f]*\d$")


def decimal_separator() -> str:
    """The decimal separator of the active language ('.' for en and zh-hans)."""
    return str(formats.get_format("DECIMAL_SEPARATOR", translation.get_language(), use_l10n=True))


def parse_number(value: object, *, field: str, label: str = "") -> Decimal:
    """The number in `value` (text as typed, or a number) as a finite Decimal.

    Raises InvalidInput naming `field` when the text is not one plain number in the active
    language's notation (see the module docstring); its message names the input as `label`
    when given (a station form's parameter, where the input's code would mean nothing).
    """
    if isinstance(value, bool):
        raise _not_a_number(value, field)
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
        if not number.is_finite():
            raise InvalidInput(_("Give a finite number."), field=field)
        return number
    text = str(value).strip()
    separator = decimal_separator()
    if separator != ".":
        if "." in text:
            raise _ambiguous(text, field, label, separator)
        text = text.replace(separator, ".", 1)
    if not text.isascii() or not _PLAIN.match(text):
        if _GROUPED.match(str(value).strip()):
            raise _ambiguous(str(value).strip(), field, label, separator)
        raise _not_a_number(value, field)
    try:
        return Decimal(text)
    except InvalidOperation as exc:  # the pattern lets only plain numbers through; belt and braces
        raise _not_a_number(value, field) from exc


def parse_whole_number(value: object, *, field: str) -> int:
    """The whole number in `value` (digits as typed, or an int); the rest as parse_number.

    Raises InvalidInput naming `field` for anything else, with the grouping message for text
    with separators between digits ("8,000", "8.000", "8 000").
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.isascii() and _WHOLE.match(text):
            return int(text)
        if _GROUPED.match(text):
            raise InvalidInput(
                _(
                    "%(field)s: “%(value)s” is not a plain whole number. Write digits only, "
                    "without grouping or a decimal separator, e.g. 8000."
                )
                % {"field": field, "value": text},
                field=field,
                code=AMBIGUOUS,
            )
    raise InvalidInput(
        _("%(value)s is not a whole number.") % {"value": repr(value)},
        field=field,
    )


def _not_a_number(value: object, field: str) -> InvalidInput:
    return InvalidInput(
        _("%(value)s is not a number.") % {"value": repr(value)},
        field=field,
    )


def _ambiguous(text: str, field: str, label: str, separator: str) -> InvalidInput:
    return InvalidInput(
        _(
            "%(field)s: “%(value)s” is not a plain number. Write it without digit grouping and "
            "with “%(separator)s” as the decimal separator, e.g. 8000 or 300%(separator)s1."
        )
        % {"field": label or field, "value": text, "separator": separator},
        field=field,
        code=AMBIGUOUS,
    )


def check_range(
    number: Decimal, *, field: str, max_digits: int, decimal_places: int, allow_zero: bool
) -> Decimal:
    """`number` rounded to the column's places, refused when the column cannot hold it.

    Refused rather than rounded away: more digits before the point than the column has, and a
    positive number too small to survive the rounding (1e-30 would be stored as 0).
    """
    limit = Decimal(10) ** (max_digits - decimal_places)
    step = Decimal(1).scaleb(-decimal_places)
    if abs(number) >= limit:
        raise InvalidInput(
            _("%(field)s must be less than %(limit)s, got %(value)s.")
            % {"field": field, "limit": f"{limit:f}", "value": f"{number:g}"},
            field=field,
        )
    rounded = number.quantize(step)
    if number != 0 and rounded == 0 and not allow_zero:
        raise InvalidInput(
            _("%(field)s must be at least %(step)s, got %(value)s.")
            % {"field": field, "step": f"{step:f}", "value": f"{number:g}"},
            field=field,
        )
    return rounded


def check_instant(value: datetime, *, field: str) -> datetime:
    """`value` as the same instant in UTC, if the database can store it.

    A time at the edge of the calendar (9999-12-31T23:59-14:00 is past year 9999 in UTC)
    overflowed when converted: a 500. And an offset ISO 8601 and Python allow but PostgreSQL
    does not (beyond +-15:59, e.g. +16:33) made the query fail: in UTC it is an offset of 0.
    """
    try:
        return value.astimezone(UTC)
    except (OverflowError, ValueError) as exc:
        raise InvalidInput(
            _("%(value)s is outside the years 1 to 9999 in UTC.") % {"value": value.isoformat()},
            field=field,
        ) from exc
