"""Panels other apps add to a unit's history page (finishing: the cell's EOL grade and its
passport). quality never imports those apps: they register a source here from their
AppConfig.ready(), and the page renders what each source returns for the unit."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lines.models import Unit


@dataclass(frozen=True)
class UnitPanel:
    """A section of the unit page: a template and what it shows."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)


UnitPanelSource = Callable[[Unit], UnitPanel | None]
_SOURCES: list[UnitPanelSource] = []


def unit_panel_register(source: UnitPanelSource) -> None:
    """Add a panel source (once: ready() may run again in tests)."""
    if source not in _SOURCES:
        _SOURCES.append(source)


def unit_panels(*, unit: Unit) -> list[UnitPanel]:
    return [panel for source in _SOURCES if (panel := source(unit)) is not None]
