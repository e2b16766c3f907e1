"""Recipe download: a recipe's set-points written to a station's PLC, read back, and audited.

lines knows no OPC UA: the write goes through the writer opcua_bridge registers in
lines.hooks.SETPOINT_WRITERS (a short-lived client from the web process, docs/architecture.md).
Every download is recorded (RecipeDownload), also a failed one, with only what the PLC
confirmed; the caller then gets the refusal.
"""

import math
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lines import hooks
from lines.models import Recipe, RecipeDownload, Station, Tag, TagRole
from mes.actors import Actor
from mes.errors import DomainError, InvalidInput, NotFound, RuleViolation, Unavailable


@dataclass(frozen=True)
class SetpointWrite:
    """One set-point to write: the tag's node, the recipe key, the recipe's value."""

    node_id: str
    parameter: str
    value: float


def recipe_for_download(*, code: str, version: int | None = None) -> Recipe:
    """The recipe `code` at `version`, or its latest active version."""
    found = Recipe.objects.filter(code=code)
    recipe = (
        found.filter(version=version).first()
        if version is not None
        else found.filter(active=True).order_by("-version").first()
    )
    if recipe is None:
        if version is not None:
            message = _("There is no recipe %(code)s v%(version)s.") % {
                "code": code,
                "version": version,
            }
        else:
            message = _("There is no recipe an active version of %(code)s.") % {"code": code}
        raise NotFound(message, field="version" if version else "recipe")
    return recipe


def _writes(station: Station, recipe: Recipe) -> list[SetpointWrite]:
    """One write per set-point tag of the station; every key matched, or RuleViolation."""
    if recipe.station_kind != station.kind:
        raise RuleViolation(
            _("%(recipe)s is for %(recipe_kind)s stations; %(station)s is %(station_kind)s.")
            % {
                "recipe": recipe,
                "recipe_kind": recipe.station_kind,
                "station": station.code,
                "station_kind": station.kind,
            },
            field="recipe",
        )
    tags = {
        tag.parameter: tag
        for tag in Tag.objects.filter(station=station, role=TagRole.SETPOINT, enabled=True)
    }
    keys = dict(recipe.setpoints or {})
    no_tag, no_key = sorted(keys.keys() - tags.keys()), sorted(tags.keys() - keys.keys())
    if not tags or no_tag or no_key:
        problems = (
            [_("no setpoint tag for %(keys)s") % {"keys": ", ".join(no_tag)}] if no_tag else []
        )
        problems += (
            [_("no recipe key for tag(s) %(tags)s") % {"tags": ", ".join(no_key)}] if no_key else []
        )
        problems = problems or [_("%(station)s has no setpoint tag") % {"station": station.code}]
        raise RuleViolation(
            _(
                "%(recipe)s cannot be downloaded to %(station)s: %(problems)s. Map each "
                "set-point (role setpoint, parameter = recipe key) or fix the recipe."
            )
            % {"recipe": recipe, "station": station.code, "problems": "; ".join(problems)},
            field="recipe",
        )
    writes = []
    for key in sorted(keys):
        value = keys[key]
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise InvalidInput(
                _("%(recipe)s has %(key)s = %(value)s, not a number.")
                % {"recipe": recipe, "key": key, "value": repr(value)},
                field="recipe",
            )
        writes.append(SetpointWrite(tags[key].node_id, key, value))
    return writes


def recipe_download(*, station: Station, recipe: Recipe, by: Actor = None) -> RecipeDownload:
    """Write every set-point of `recipe` to `station`'s PLC, read each back, record it all.

    Refused before writing anything when keys and tags do not match (RuleViolation); after
    writing, a refused or unconfirmed write is a RuleViolation and an unreachable PLC
    Unavailable, each raised after the audit row (ok false, what was confirmed) committed.
    """
    writes = _writes(station, recipe)
    if not hooks.SETPOINT_WRITERS:
        raise Unavailable(_("No PLC writer is installed in this process (opcua_bridge)."))
    results: list[dict] = []
    error: DomainError | None = None
    try:
        hooks.SETPOINT_WRITERS[0](station=station, writes=writes, results=results)
    except DomainError as exc:
        error = exc
    bad = [r for r in results if not r.get("ok")]
    if error is None and (bad or len(results) != len(writes)):
        names = ", ".join(
            f"{r['parameter']} ({r.get('error') or _('read back differs')})" for r in bad
        )
        error = RuleViolation(
            _("The PLC did not take every set-point of {recipe}: {names}.").format(
                recipe=recipe, names=names
            )
        )
    with transaction.atomic():
        record = RecipeDownload.objects.create(
            station=station,
            recipe=recipe,
            by=by if getattr(by, "is_authenticated", False) else None,
            at=timezone.now(),
            ok=error is None,
            setpoints=results,
            error=error.message if error else "",
        )
    if error is not None:
        raise error
    return record
