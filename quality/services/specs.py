"""Specs and their versions: a change of limits is a new version, never an edit."""

import math

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lines.models import Recipe, Station
from mes.actors import Actor
from mes.errors import InvalidInput, RuleViolation
from quality.choices import Severity
from quality.models import Spec, SpecVersion
from quality.services.audit import audit_record, snapshot

LIMIT_FIELDS = ("target", "lsl", "usl", "lcl", "ucl")
VERSION_FIELDS = ("spec", "version", *LIMIT_FIELDS, "valid_from", "created_by", "reason")


def _check_limits(limits: dict[str, float | None]) -> dict[str, float | None]:
    clean = {}
    for name in LIMIT_FIELDS:
        value = limits.get(name)
        if value is not None:
            try:
                value = float(value)
            except (TypeError, ValueError) as exc:
                raise InvalidInput(
                    _("%(name)s must be a number, got %(value)s.")
                    % {"name": name, "value": repr(value)},
                    field=name,
                ) from exc
            if not math.isfinite(value):
                raise InvalidInput(
                    _("%(name)s must be a finite number.") % {"name": name}, field=name
                )
        clean[name] = value
    if clean["lsl"] is None and clean["usl"] is None:
        raise InvalidInput(_("A spec needs at least one limit (LSL or USL)."), field="usl")
    # LSL == USL is an exact spec (21 sheets per cell); control limits need a band.
    if clean["lsl"] is not None and clean["usl"] is not None and clean["lsl"] > clean["usl"]:
        raise InvalidInput(_("LSL must not be above USL."), field="lsl")
    if clean["lcl"] is not None and clean["ucl"] is not None and clean["lcl"] >= clean["ucl"]:
        raise InvalidInput(_("LCL must be below UCL."), field="lcl")
    return clean


def _add_version(
    spec: Spec, limits: dict[str, float | None], by: Actor, reason: str
) -> SpecVersion:
    if not reason.strip():
        raise InvalidInput(_("Say why the limits are set or changed."), field="reason")
    latest = spec.versions.order_by("-version").first()
    version = SpecVersion.objects.create(
        spec=spec,
        version=(latest.version + 1) if latest else 1,
        valid_from=timezone.now(),
        created_by=by,
        reason=reason.strip(),
        **_check_limits(limits),
    )
    audit_record(
        by=by,
        entity="spec_version",
        entity_id=version.pk,
        action="created" if not latest else "revised",
        before=snapshot(latest, VERSION_FIELDS) if latest else None,
        after=snapshot(version, VERSION_FIELDS),
        reason=version.reason,
    )
    return version


@transaction.atomic
def spec_create(
    *,
    parameter: str,
    unit_of_measure: str,
    station_kind: str,
    limits: dict[str, float | None],
    reason: str,
    station: Station | None = None,
    recipe: Recipe | None = None,
    severity: str = Severity.MAJOR,
    holds_on_violation: bool = True,
    spc_holds: bool = False,
    nelson_rules: bool = False,
    description: str = "",
    by: Actor = None,
) -> Spec:
    """A new spec with its first version of limits. One spec per parameter, scope and recipe."""
    if station is not None and station.kind != station_kind:
        raise InvalidInput(
            _("%(station)s is not a %(kind)s station.")
            % {"station": station.code, "kind": station_kind},
            field="station",
        )
    if Spec.objects.filter(
        parameter=parameter, station_kind=station_kind, station=station, recipe=recipe
    ).exists():
        raise RuleViolation(
            _("A spec for %(parameter)s at this scope exists; revise it instead.")
            % {"parameter": parameter}
        )
    spec = Spec.objects.create(
        parameter=parameter,
        unit_of_measure=unit_of_measure,
        station_kind=station_kind,
        station=station,
        recipe=recipe,
        severity=severity,
        holds_on_violation=holds_on_violation,
        spc_holds=spc_holds,
        nelson_rules=nelson_rules,
        description=description,
    )
    _add_version(spec, limits, by, reason)
    return spec


@transaction.atomic
def spec_revise(
    *, spec: Spec, limits: dict[str, float | None], reason: str, by: Actor = None
) -> SpecVersion:
    """New limits for a spec, applying from now on; values judged before keep their version."""
    spec = Spec.objects.select_for_update().get(pk=spec.pk)
    return _add_version(spec, limits, by, reason)
