"""What the ingest accepts as a usable value, time and status (docs/telemetry.md, "Rejections").

Everything stored as usable must be readable and computable by every reader: Python,
PostgreSQL and SQLite, the SPC math, the charts and the exports. Anything outside these bounds
is stored rejected with the reason, never dropped and never raised. Outside lines/ingest, so
that the selectors (usable_samples) read the same bound without importing the ingest.
"""

import math
from datetime import UTC, datetime
from typing import Any

# |value| above this is no physical reading of ours (the largest, an integer counter, stays below
# 1e12). Every integer up to it is exact in a float64 (2**53 is 9.007e15), and SPC's sums of
# squares over its 200,000 points (at most 2e5 * (2e15)**2 = 8e35) stay far inside a float64:
# a finite 1.7e308 made the mean itself overflow to infinity.
MAX_ABS_VALUE = 1e15
# Times a clock can mean, in UTC: OPC UA's null DateTime (1601) and a PLC's dead RTC fall before
# 1970; a year short of Python's datetime.max leaves every reader room for its arithmetic (a day,
# a month partition) without overflow. Year 1 with +01:00 was 1 BC to PostgreSQL: unreadable.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 1, 1, tzinfo=UTC)  # exclusive
MAX_STATUS = 0xFFFFFFFF  # an OPC UA StatusCode is a UInt32
NO_STATUS = -1  # stored when what arrived as the status is no integer the column can hold
_INT64 = 2**63


def time_problem(moment: datetime, what: str, raw: object) -> str:
    """Why an aware time cannot be stored, or "" (comparisons of aware times never overflow)."""
    if EARLIEST <= moment < LATEST:
        return ""
    return f"{what} must lie in 1970-01-01 .. 9998-12-31 (UTC), got {text_of(raw)!r}."


def number_problem(number: float) -> str:
    """Why a float is no usable reading (not finite, or beyond MAX_ABS_VALUE), or ""."""
    if not math.isfinite(number):
        return "not a finite number"
    if abs(number) > MAX_ABS_VALUE:
        return f"out of range: |value| above {MAX_ABS_VALUE:.0e}"
    return ""


def as_number(raw: object) -> tuple[float | None, str]:
    """A JSON number (int of any size, or float) as (float, problem); (None, why) when it is
    beyond MAX_ABS_VALUE or not finite. float() of a huge int raises: it is never called."""
    if isinstance(raw, int) and not isinstance(raw, bool) and abs(raw) > MAX_ABS_VALUE:
        return None, f"out of range: |value| above {MAX_ABS_VALUE:.0e}"
    number = float(raw)  # type: ignore[arg-type]  # a JSON number (int or float) by now
    problem = number_problem(number)
    return (None if problem else number), problem


def status_of(raw: object) -> tuple[int, str]:
    """(stored status_code, problem) of what arrived as the OPC UA StatusCode."""
    if isinstance(raw, int) and 0 <= raw <= MAX_STATUS:
        return int(raw), ""
    stored = raw if isinstance(raw, int) and -_INT64 <= raw < _INT64 else NO_STATUS
    return int(stored), f"status is no OPC UA StatusCode (0..{MAX_STATUS}): {text_of(raw)!r}"


def text_of(raw: Any, limit: int = 200) -> str:
    """What arrived, as text for a column or a reason, cut to `limit`. Never raises: str() of an
    int over 4,300 digits raises ValueError in Python 3.11+. NUL becomes U+FFFD: PostgreSQL's
    text and jsonb cannot hold it, and one such character failed the whole batch."""
    try:
        text = raw if isinstance(raw, str) else str(raw)
    except ValueError:
        text = f"<{type(raw).__name__} too large to show>"
    return text[:limit].replace("\x00", "\ufffd")
