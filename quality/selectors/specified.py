"""Which parameters a spec judges, for the tag map's "no spec" warning (lines.hooks
.SPECIFIED_PARAMETERS: lines asks through the hook, it never imports quality)."""

from collections.abc import Collection

from quality.models import Spec


def specified_parameters(
    *, station_kinds: Collection[str] | None = None
) -> set[tuple[str, int | None, str]]:
    """(station kind, station id or None for every station of the kind, parameter) of each spec
    (of these station kinds; None: all), any recipe."""
    specs = Spec.objects.all()
    if station_kinds is not None:
        specs = specs.filter(station_kind__in=station_kinds)
    return set(specs.values_list("station_kind", "station_id", "parameter"))
