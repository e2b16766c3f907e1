"""Recipe download: a recipe's set-points written to a station's PLC, read back, and audited.

lines knows no OPC UA: the write goes through the writer opcua_bridge registers in
lines.hooks.SETPOINT_WRITERS (a short-lived client from the web process, docs/architecture.md).
Every download is recorded (RecipeDownload), also a failed one, with only what the PLC
confirmed; the caller then gets the refusal.
"""

import logging
import math
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lines import hooks
from lines.models import (
    Interlock,
    InterlockCode,
    InterlockSide,
    Operation,
    Recipe,
    RecipeDownload,
    Station,
    Tag,
    TagRole,
)
from mes.actors import Actor
from mes.errors import DomainError, InvalidInput, NotFound, RuleViolation, Unavailable

logger = logging.getLogger(__name__)


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


def recipe_download(
    *,
    station: Station,
    recipe: Recipe,
    by: Actor = None,
    checkin: Interlock | None = None,
    writer: Callable[..., None] | None = None,
) -> RecipeDownload:
    """Write every set-point of `recipe` to `station`'s PLC, read each back, record it all.

    Refused before writing anything when keys and tags do not match (RuleViolation); after
    writing, a refused or unconfirmed write is a RuleViolation and an unreachable PLC
    Unavailable, each raised after the audit row (ok false, what was confirmed) committed.
    """
    writes = _writes(station, recipe)
    if writer is None and not hooks.SETPOINT_WRITERS:
        raise Unavailable(_("No PLC writer is installed in this process (opcua_bridge)."))
    results: list[dict] = []
    error: DomainError | None = None
    try:
        (writer or hooks.SETPOINT_WRITERS[0])(station=station, writes=writes, results=results)
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
            checkin=checkin,
        )
    if error is not None:
        raise error
    return record


def recipe_due_at_checkin(*, operation: Operation) -> Recipe | None:
    """The recipe the MES downloads by itself for `operation`, just started by a PLC's check-in:
    its route step's recipe, when the unit is its work order's first at this station, the
    station has set-point tags, and the set-points last confirmed there (the read-back of the
    station's last successful download) differ from the recipe's. None otherwise."""
    step = operation.step
    step_recipe = step.recipe if step is not None else None
    unit = operation.unit
    if step_recipe is None or unit.work_order_id is None:
        return None
    station = operation.station
    earlier = Operation.objects.filter(station=station, unit__work_order_id=unit.work_order_id)
    if earlier.exclude(pk=operation.pk).exists():
        return None
    if not Tag.objects.filter(station=station, role=TagRole.SETPOINT, enabled=True).exists():
        return None
    last = RecipeDownload.objects.filter(station=station, ok=True).order_by("-at", "-id").first()
    if last is not None:
        confirmed = {e.get("parameter"): e.get("read_back") for e in last.setpoints}
        wanted = dict(step_recipe.setpoints or {})
        if (
            all(
                isinstance(confirmed.get(key), int | float)
                and math.isclose(confirmed[key], value, rel_tol=1e-6, abs_tol=1e-9)
                for key, value in wanted.items()
                if isinstance(value, int | float)
            )
            and confirmed.keys() >= wanted.keys()
        ):
            return None
    return step_recipe


def recipe_download_after_checkin(
    *, interlock_id: int, writer: Callable[..., None] | None = None
) -> RecipeDownload | None:
    """After a check-in answered 1 (and off its path: the bridge calls this in a thread of its
    own once the decision committed), download the step's recipe when it is due
    (recipe_due_at_checkin), audited like a download asked for, with the check-in named. A
    refused or failed download is recorded and logged, not raised: no one waits for it.
    `writer`: the set-point writer to use (the bridge's, with its own endpoint), else the hook's."""
    checkin = (
        Interlock.objects.select_related(
            "operation__step__recipe", "operation__unit", "operation__station"
        )
        .filter(pk=interlock_id, side=InterlockSide.CHECKIN, code=InterlockCode.OK)
        .first()
    )
    if checkin is None or checkin.operation is None:
        return None
    recipe = recipe_due_at_checkin(operation=checkin.operation)
    if recipe is None:
        return None
    station = checkin.operation.station
    try:
        return recipe_download(station=station, recipe=recipe, checkin=checkin, writer=writer)
    except DomainError as exc:
        logger.warning("automatic download of %s to %s after %s's check-in: %s", recipe,
                       station.code, checkin.serial, exc.message)  # fmt: skip
        return RecipeDownload.objects.filter(station=station, checkin=checkin).first()
