"""What the tag map is missing and how each tag reads now, for the tag API and the admin.

Both come through hooks, so lines imports neither the bridge nor quality: the running bridges'
per-node health (lines.hooks.TAG_HEALTH, from their status files) and the parameters a spec
judges (lines.hooks.SPECIFIED_PARAMETERS).
"""

from typing import Any

from django.utils.translation import gettext as _

from lines import hooks
from lines.models import Tag


def tags_health() -> dict[str, dict[str, Any]]:
    """{node id: health} over every provider; {} when no bridge reports (or none is installed)."""
    found: dict[str, dict[str, Any]] = {}
    for provider in hooks.TAG_HEALTH:
        found.update(provider())
    return found


class TagWarnings:
    """Warnings about tags, with the specs read once (at the first tag with a parameter) for a
    whole list. Without a spec provider (quality not installed) there is nothing to warn of."""

    def __init__(self) -> None:
        self._judged: set[tuple[str, int | None, str]] | None = None

    @property
    def judged(self) -> set[tuple[str, int | None, str]] | None:
        if self._judged is None and hooks.SPECIFIED_PARAMETERS:
            self._judged = hooks.SPECIFIED_PARAMETERS[0](station_kinds=None)
        return self._judged

    def of(self, tag: Tag) -> list[str]:
        if not tag.parameter or self.judged is None:
            return []
        kind = tag.station.kind
        judged = self.judged
        if (kind, None, tag.parameter) in judged or (kind, tag.station_id, tag.parameter) in judged:
            return []
        return [
            _(
                "No spec judges %(parameter)s at %(kind)s stations: its values are stored and "
                "shown, but nothing flags or holds a unit for them until a quality engineer "
                "creates the spec."
            )
            % {"parameter": tag.parameter, "kind": tag.station.get_kind_display()}
        ]
