"""Exposure budgets: setting budgets and dry-room zones, starting a lot's account, operator scans.

The accrual from the zone's dew point, the 80 % warning, the 100 % hold and H2S alarms are in
conditions.services.exposure_accrual; docs/solid-state.md has the rules.
"""

import math
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from conditions.models import DryZone, ExposureBudget, ExposurePeriod, LotExposure
from conditions.services.exposure_accrual import account_accrue, exposure_event, thresholds_check
from lines.choices import StationKind, UnitStatus
from lines.locks import lock_units
from lines.models import GenealogyEdge, Material, Product, Station, Unit
from mes.actors import Actor
from mes.errors import InvalidInput, RuleViolation
from quality.choices import ExposureAction, ExposureForm
from quality.services.audit import audit_record, snapshot

BUDGET_FIELDS = (
    "material",
    "product",
    "budget_weighted_min",
    "powder_weight",
    "slurry_weight",
    "laminated_weight",
    "sealed_weight",
    "default_form",
)
CLOCK_SKEW = timedelta(minutes=1)  # a scanner's clock may run a little ahead of the server's
SCAN_ACTIONS = (ExposureAction.OPENED, ExposureAction.CLOSED, ExposureAction.MOVED)


def _non_negative(value: float, field: str) -> float:
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise InvalidInput(
            _("%(field)s must be a finite number of at least 0, got %(value)s.")
            % {"field": field, "value": value},
            field=field,
        )
    return number


@transaction.atomic
def exposure_budget_set(
    *,
    material: Material | None = None,
    product: Product | None = None,
    budget_weighted_min: float,
    weights: dict[str, float] | None = None,
    default_form: str = ExposureForm.POWDER,
    description: str = "",
    reason: str,
    by: Actor = None,
) -> ExposureBudget:
    """Set the exposure budget of a material (or a made product): create it or change it, audited.

    `weights` maps forms (powder, slurry, laminated, sealed) to their weights; forms left out keep
    theirs (the model's defaults for a new budget).
    """
    if (material is None) == (product is None):
        raise InvalidInput(_("Give a material or a product, not both."), field="material")
    if _non_negative(budget_weighted_min, "budget_weighted_min") == 0:
        raise InvalidInput(_("budget_weighted_min must be above 0."), field="budget_weighted_min")
    if not reason.strip():
        raise InvalidInput(_("Say why the budget is set."), field="reason")
    unknown = set(weights or {}) - set(ExposureForm.values)
    if unknown or default_form not in ExposureForm.values:
        raise InvalidInput(
            _("Forms are %(choices)s.") % {"choices": ", ".join(ExposureForm.values)},
            field="weights",
        )
    budget, created = ExposureBudget.objects.select_for_update().get_or_create(
        material=material, product=product, defaults={"budget_weighted_min": budget_weighted_min}
    )
    before = None if created else snapshot(budget, BUDGET_FIELDS)
    budget.budget_weighted_min, budget.default_form = float(budget_weighted_min), default_form
    budget.description = description
    for form, weight in (weights or {}).items():
        setattr(budget, f"{form}_weight", _non_negative(weight, f"weights.{form}"))
    budget.save()
    audit_record(
        by=by,
        entity="exposure_budget",
        entity_id=budget.pk,
        action="created" if created else "changed",
        before=before,
        after=snapshot(budget, BUDGET_FIELDS),
        reason=reason.strip(),
    )
    return budget


@transaction.atomic
def dry_zone_create(
    *, code: str, name: str, station: Station, h2s_alarm_ppm: float = 10.0, by: Actor = None
) -> DryZone:
    """A dry-room zone measured by a dry-room monitor station (its dew point and H2S readings)."""
    if station.kind != StationKind.DRY_ROOM:
        raise InvalidInput(
            _("%(station)s is not a dry-room monitor.") % {"station": station.code}, field="station"
        )
    if _non_negative(h2s_alarm_ppm, "h2s_alarm_ppm") == 0:
        raise InvalidInput(_("h2s_alarm_ppm must be above 0."), field="h2s_alarm_ppm")
    if DryZone.objects.filter(code=code).exists():
        raise RuleViolation(
            _("A dry-room zone %(code)s already exists.") % {"code": code}, field="code"
        )
    zone = DryZone.objects.create(
        code=code, name=name, station=station, h2s_alarm_ppm=h2s_alarm_ppm
    )
    audit_record(
        by=by,
        entity="dry_zone",
        entity_id=zone.pk,
        action="created",
        after=snapshot(zone, ("code", "name", "station", "h2s_alarm_ppm")),
    )
    return zone


def budget_of(unit: Unit) -> ExposureBudget:
    """The budget of a unit's material, or of its product (a dried electrode roll)."""
    budget = None
    if unit.material_id:
        budget = ExposureBudget.objects.filter(material_id=unit.material_id).first()
    if budget is None and unit.product_id:
        budget = ExposureBudget.objects.filter(product_id=unit.product_id).first()
    if budget is None:
        raise RuleViolation(
            _(
                "%(unit)s has no exposure budget: its material or product is not "
                "registered as moisture-sensitive."
            )
            % {"unit": unit.identifier},
            field="identifier",
        )
    return budget


@transaction.atomic
def lot_exposure_start(
    *,
    unit: Unit,
    zone: DryZone,
    form: str | None = None,
    carried_in_weighted_min: float = 0.0,
    reason: str = "",
    at: datetime | None = None,
    by: Actor = None,
) -> LotExposure:
    """Start a lot's exposure account in a zone, closed. `carried_in_weighted_min` is exposure it
    had before (a sample drawn at goods-in, a transfer), declared with a reason and audited."""
    lock_units([unit.pk])
    budget = budget_of(unit)
    carried = _non_negative(carried_in_weighted_min, "carried_in_weighted_min")
    if carried and not reason.strip():
        raise InvalidInput(_("Say where the carried-in exposure comes from."), field="reason")
    if LotExposure.objects.filter(unit=unit).exists():
        raise RuleViolation(
            _("%(unit)s already has an exposure account.") % {"unit": unit.identifier}
        )
    form = _form(form, budget.default_form)
    at = _checked_time(at, None)
    account = LotExposure.objects.create(
        unit=unit,
        budget=budget,
        zone=zone,
        form=form,
        carried_in_weighted_min=carried,
        accrued_weighted_min=carried,
        started_at=at,
    )
    detail = f"carried in {carried:g} weighted min: {reason.strip()}" if carried else ""
    exposure_event(account, ExposureAction.STARTED, at, by, detail)
    audit_record(
        by=by,
        entity="lot_exposure",
        entity_id=account.pk,
        action="started",
        after=snapshot(account, ("unit", "budget", "zone", "form", "carried_in_weighted_min")),
        reason=reason.strip(),
    )
    thresholds_check(account, at=at, by=by)
    return account


def _form(form: str | None, default: str) -> str:
    form = form or default
    if form not in ExposureForm.values:
        raise InvalidInput(
            _("Form must be one of %(choices)s.") % {"choices": ", ".join(ExposureForm.values)},
            field="form",
        )
    return form


def _checked_time(at: datetime | None, not_before: datetime | None) -> datetime:
    now = timezone.now()
    at = at or now
    if at > now + CLOCK_SKEW:
        raise InvalidInput(_("A scan cannot be in the future."), field="at")
    if not_before is not None and at < not_before:
        raise RuleViolation(
            _("The lot's exposure is already counted up to %(at)s UTC; a scan cannot be earlier.")
            % {"at": f"{not_before:%Y-%m-%d %H:%M:%S}"},
            field="at",
        )
    return at


def _open(account: LotExposure, at: datetime) -> None:
    assert account.zone is not None  # a lot is opened in a zone
    ExposurePeriod.objects.create(
        exposure=account,
        zone=account.zone,
        form=account.form,
        form_weight=account.budget.form_weight(account.form),
        opened_at=at,
        accrued_until=at,
    )


def _close(period: ExposurePeriod, at: datetime) -> None:
    period.closed_at = at
    period.save(update_fields=["closed_at"])


def _not_before(account: LotExposure, period: ExposurePeriod | None) -> datetime:
    last_event = account.events.order_by("-at").values_list("at", flat=True).first()
    return max(t for t in (last_event, period.accrued_until if period else None) if t is not None)


@transaction.atomic
def exposure_scan(
    *,
    unit: Unit,
    action: str,
    zone: DryZone | None = None,
    form: str | None = None,
    at: datetime | None = None,
    by: Actor = None,
) -> LotExposure:
    """An operator's scan of a lot's container: opened, closed, or moved to another zone (a form
    given with any scan changes the lot's form from then on: the powder went into a sealed bag).

    The open period is counted up to the scan first; a lot's first scan starts its account.
    Refused: opening an open lot, closing a closed one, a move without a zone, a scan earlier
    than what is already counted or in the future.
    """
    if action not in SCAN_ACTIONS:
        raise InvalidInput(
            _("Action must be one of %(choices)s.") % {"choices": ", ".join(SCAN_ACTIONS)},
            field="action",
        )
    # The unit's row first, then its account: the order the ingest's accrual takes them in, and
    # it serialises two first scans that would both create the account.
    lock_units([unit.pk])
    account = LotExposure.objects.select_for_update().filter(unit=unit).first()
    if account is None:
        if zone is None:
            raise InvalidInput(
                _("Name the zone: a lot's first scan starts its account."), field="zone"
            )
        account = lot_exposure_start(unit=unit, zone=zone, form=form, at=at, by=by)
    period = account.periods.select_related("zone").filter(closed_at__isnull=True).first()
    at = _checked_time(at, _not_before(account, period))
    if period is not None:
        account_accrue(account, until=at, by=by)
    before = snapshot(account, ("zone", "form", "accrued_weighted_min"))
    _apply(account, period, action, zone, _form(form, account.form), at)
    account.save(update_fields=["zone", "form"])
    exposure_event(account, action, at, by)
    audit_record(
        by=by,
        entity="lot_exposure",
        entity_id=account.pk,
        action=f"scan_{action}",
        before=before | {"open": period is not None},
        after=snapshot(account, ("zone", "form", "accrued_weighted_min"))
        | {"open": account.periods.filter(closed_at__isnull=True).exists(), "at": at},
    )
    return account


def _apply(
    account: LotExposure,
    period: ExposurePeriod | None,
    action: str,
    zone: DryZone | None,
    form: str,
    at: datetime,
) -> None:
    """Change the periods for one scan: open, close, or close here and open there."""
    name = account.unit.identifier
    if action == ExposureAction.OPENED:
        if period is not None:
            raise RuleViolation(
                _("%(name)s is already open in %(zone)s since %(at)s UTC; scan it closed first.")
                % {
                    "name": name,
                    "zone": period.zone.code,
                    "at": f"{period.opened_at:%Y-%m-%d %H:%M}",
                }
            )
        account.zone, account.form = zone or account.zone, form
        _open(account, at)
    elif action == ExposureAction.CLOSED:
        if period is None:
            raise RuleViolation(
                _("%(name)s is not open; there is nothing to close.") % {"name": name}
            )
        _close(period, at)
        account.form = form
    else:
        if zone is None:
            raise InvalidInput(_("Name the zone the lot moved to."), field="zone")
        account.zone, account.form = zone, form
        if period is not None:
            _close(period, at)
            _open(account, at)


def on_consumed(*, edge: GenealogyEdge, by: Actor) -> None:
    """lines.hooks.AFTER_CONSUME: a lot used up has no container left open; its open period ends
    when it was used up, counted to then. The consumption holds the lot's row lock already."""
    if edge.parent.status != UnitStatus.CONSUMED:
        return
    account = LotExposure.objects.select_for_update().filter(unit_id=edge.parent_id).first()
    period = account.periods.filter(closed_at__isnull=True).first() if account else None
    if account is None or period is None:
        return
    at = max(edge.created_at, period.accrued_until)
    account_accrue(account, until=at, by=by)
    _close(period, at)
    exposure_event(account, ExposureAction.CLOSED, at, by, f"used up by {edge.child.identifier}")
