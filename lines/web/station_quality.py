"""What a station screen shows from quality (limits in force, verdicts, hold reasons), through
the reads quality registers in lines.hooks.STATION_QUALITY. lines never imports quality: without
a registered app the screens show no spec and no hold reasons, and still move units."""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from django.utils.translation import gettext as _

from lines import hooks
from lines.models import Operation, Station, Unit


@dataclass(frozen=True)
class SpecLimits:
    """A parameter's spec at a station and the limits in force now."""

    parameter: str
    uom: str
    lsl: float | None
    usl: float | None
    target: float | None

    @property
    def text(self) -> str:
        if self.lsl is not None and self.usl is not None:
            return f"{self.lsl:g} … {self.usl:g}"
        if self.lsl is not None:
            return f"≥ {self.lsl:g}"
        return f"≤ {self.usl:g}"


@dataclass(frozen=True)
class BrokenRule:
    """A spec limit a recorded value broke: the parameter, the value, the bound ("LSL" or "USL"
    for a limit, "" for an unusable value) and its value, the spec version in force, and the
    hold it placed on the unit (None when the spec does not hold on a violation)."""

    parameter: str
    value: float | None
    uom: str
    bound: str
    limit: float | None
    spec_version: int | None
    hold: int | None


@dataclass(frozen=True)
class ChecklistItem:
    """A spec measured at the station, and where the unit stands with it: whether the step's
    quality gate requires it to complete as passed, and the unit's latest usable reading."""

    spec: SpecLimits
    required: bool
    state: str  # CHECK_IN, CHECK_OUT or CHECK_MISSING
    value: float | None = None
    source: str = ""  # lines.choices.SampleSource of the reading ("plc", "manual")
    at: datetime | None = None


CHECK_IN, CHECK_OUT, CHECK_MISSING = "in", "out", "missing"


class StationQuality(Protocol):
    """The reads a station screen asks of quality (quality.station_reads implements them)."""

    def limits_for(
        self, *, station: Station, parameter: str, unit: Unit | None
    ) -> SpecLimits | None: ...

    def measurable_specs(self, *, station: Station, unit: Unit) -> list[SpecLimits]: ...

    def checklist(
        self, *, station: Station, unit: Unit, operation: Operation
    ) -> list[ChecklistItem]: ...

    def verdict_text(
        self, value: float | None, limits: SpecLimits | None, status_code: int = 0
    ) -> tuple[str, bool]: ...

    def hold_reasons(self, *, unit: Unit) -> list[str]: ...

    def rules_broken(self, *, raised: list[object]) -> list[BrokenRule]: ...


class NoQuality:
    """The screens' reads when no app judges quality: nothing is specified, nothing held why."""

    def limits_for(
        self, *, station: Station, parameter: str, unit: Unit | None
    ) -> SpecLimits | None:
        return None

    def measurable_specs(self, *, station: Station, unit: Unit) -> list[SpecLimits]:
        return []

    def checklist(
        self, *, station: Station, unit: Unit, operation: Operation
    ) -> list[ChecklistItem]:
        return []

    def verdict_text(
        self, value: float | None, limits: SpecLimits | None, status_code: int = 0
    ) -> tuple[str, bool]:
        return _("No spec"), False

    def hold_reasons(self, *, unit: Unit) -> list[str]:
        return []

    def rules_broken(self, *, raised: list[object]) -> list[BrokenRule]:
        return []


def station_quality() -> StationQuality:
    """The registered reads (the first one), or NoQuality."""
    return hooks.STATION_QUALITY[0] if hooks.STATION_QUALITY else NoQuality()
