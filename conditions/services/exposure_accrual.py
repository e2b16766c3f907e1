"""Exposure accrual: an open lot's account grows with its zone's dew point; at 80 % of the budget
a warning, at 100 % an automatic hold; an H2S alarm in a zone flags every lot open there then.

Called by the operator scans (conditions.services.exposure) and after each ingest batch
(lines.hooks.AFTER_INGEST) with the dry-room readings just stored. The weighting is
conditions.exposure (docs/solid-state.md).
"""

import operator
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from functools import reduce

from django.db import transaction
from django.db.models import Case, Q, Value, When
from django.utils import timezone

from conditions.exposure import (
    HOLD_FRACTION,
    WARNING_FRACTION,
    Reading,
    time_reaching,
    weighted_minutes,
)
from conditions.models import DryZone, ExposureEvent, ExposurePeriod, LotExposure
from lines.ingest.columns import SampleColumns
from lines.locks import lock_units
from lines.selectors import is_usable_value, samples
from mes.actors import Actor
from quality.choices import ExposureAction, FlagKind, Severity
from quality.models import Flag
from quality.reasons import system_reason
from quality.services.audit import audit_record
from quality.services.flags import flag_new, flags_raise
from quality.services.holds import hold_place

DEW_POINT = "dew_point_c"
H2S = "h2s_ppm"
ACCOUNT_PARAMETER = "exposure_weighted_min"


def zone_readings(zone: DryZone, start: datetime, end: datetime) -> list[Reading]:
    """The zone's usable dew-point readings: the last one at or before `start`, then up to `end`."""
    series = samples.Where(stations=[zone.station_id], parameters=[DEW_POINT], usable=True)
    prior = samples.newest(replace(series, until=start, until_closed=True), 1)
    within = samples.samples(replace(series, since=start, since_open=True, until=end))
    rows = [(s.source_time, s.value) for s in (*prior, *within)]
    return [(at, value) for at, value in rows if is_usable_value(value)]


def account_accrue(account: LotExposure, *, until: datetime, by: Actor = None) -> list[Flag]:
    """Count the lot's open period up to `until` and check the thresholds, each at the instant
    the account crossed it. The caller holds the account's row lock (scans and the ingest may
    both count the same lot)."""
    period = account.periods.select_related("zone").filter(closed_at__isnull=True).first()
    if period is None or until <= period.accrued_until:
        return []
    start, weight = period.accrued_until, period.form_weight
    readings = zone_readings(period.zone, start, until)
    added = weighted_minutes(readings, start, until, form_weight=weight)
    before = account.accrued_weighted_min
    budget = account.budget.budget_weighted_min
    crossings = [
        (time_reaching(readings, start, until, form_weight=weight, amount=f * budget - before), f)
        for f in crossed(before, added, budget)
    ]
    period.weighted_min += added
    period.accrued_until = until
    period.save(update_fields=["weighted_min", "accrued_until"])
    account.accrued_weighted_min = before + added
    account.save(update_fields=["accrued_weighted_min"])
    raised: list[Flag] = []
    for at, fraction in crossings:
        raised += thresholds_check(account, at=at or until, spent=fraction * budget, by=by)
    return raised


def crossed(before: float, added: float, budget: float) -> list[float]:
    """The thresholds (fractions of the budget) an account passes going from `before` to
    `before + added` weighted minutes."""
    return [f for f in (WARNING_FRACTION, HOLD_FRACTION) if before < f * budget <= before + added]


def exposure_event(
    account: LotExposure,
    action: str,
    at: datetime,
    by: Actor,
    detail: str = "",
    total: float | None = None,
) -> None:
    """A line of the lot's exposure history; `total` is the account's figure then (its current
    figure if not given)."""
    ExposureEvent.objects.create(
        exposure=account,
        at=at,
        action=action,
        zone=account.zone,
        form=account.form,
        total_weighted_min=account.accrued_weighted_min if total is None else total,
        by=by,
        detail=detail,
    )


def thresholds_check(
    account: LotExposure, *, at: datetime, spent: float | None = None, by: Actor = None
) -> list[Flag]:
    """Warn once at 80 % of the budget; flag and hold the lot (alone) once at 100 %. `spent` is
    the account's figure at `at` (its current figure if not given)."""
    budget = account.budget.budget_weighted_min
    spent = account.accrued_weighted_min if spent is None else spent
    figure = f"{spent:.2f} of {budget:g} weighted min"
    if spent >= WARNING_FRACTION * budget and account.warned_at is None:
        account.warned_at = at
        account.save(update_fields=["warned_at"])
        exposure_event(account, ExposureAction.WARNING, at, by, figure, spent)
        audit_record(
            by=by,
            entity="lot_exposure",
            entity_id=account.pk,
            action="warning",
            after={"accrued_weighted_min": spent, "budget_weighted_min": budget, "at": at},
            reason=f"{spent / budget:.0%} of the exposure budget spent",
        )
    if spent < HOLD_FRACTION * budget or account.hold_id is not None:
        return []
    return [_exhausted(account, at=at, spent=spent, figure=figure, by=by)]


def _exhausted(account: LotExposure, *, at: datetime, spent: float, figure: str, by: Actor) -> Flag:
    zone = account.zone
    assert zone is not None  # an account accrues in its zone only
    draft = flag_new(
        kind=FlagKind.EXPOSURE,
        station=zone.station,
        parameter=ACCOUNT_PARAMETER,
        unit=account.unit,
        value=spent,
        limit=f"budget {account.budget.budget_weighted_min:g}",
        severity=Severity.MAJOR,
        detail=system_reason(
            "exposure_spent_in_zone",
            zone=zone.code,
            at=f"{at:%Y-%m-%d %H:%M:%S}",
            spent=f"{spent:.2f}",
            budget=f"{account.budget.budget_weighted_min:g}",
        ),
    )
    flag = flags_raise(flags=[draft], by=by)[0]
    # The lot alone: what was made from it earlier took less-exposed material.
    hold = hold_place(
        unit=account.unit,
        reason=system_reason(
            "exposure_spent", spent=f"{spent:.2f}", budget=f"{account.budget.budget_weighted_min:g}"
        ),
        flag=flag,
        by=by,
        scope="unit",
    )
    account.hold = hold
    account.save(update_fields=["hold"])
    exposure_event(account, ExposureAction.EXHAUSTED, at, by, f"{figure}; hold {hold.pk}", spent)
    return flag


def zone_accrue(*, zone: DryZone, until: datetime, by: Actor = None) -> list[Flag]:
    """Count every lot open in the zone up to `until` (the newest dew-point reading)."""
    if _accrue_below_thresholds(zone, until):
        return []
    open_here = LotExposure.objects.filter(periods__zone=zone, periods__closed_at__isnull=True)
    # Units first, then accounts, as the scans take them (a hold writes the unit row).
    lock_units(open_here.values_list("unit_id", flat=True))
    accounts = (
        open_here.select_for_update(of=("self",))
        .select_related("budget", "unit", "zone__station")
        .order_by("id")
    )
    raised: list[Flag] = []
    for account in accounts:
        raised += account_accrue(account, until=until, by=by)
    return raised


def _accrue_below_thresholds(zone: DryZone, until: datetime) -> bool:
    """The ingest's common case, without row locks up front: count the zone's open lots when no
    lot crosses a threshold on the way (so nothing is flagged or held). Each account is updated
    only if it still holds the figure read here, account row before period row as the scans
    take them; False (and nothing written) when a threshold is crossed or a scan got there
    first, so that zone_accrue's locked path decides. Several times cheaper per batch."""
    periods = list(
        ExposurePeriod.objects.filter(
            zone=zone, closed_at__isnull=True, accrued_until__lt=until
        ).values_list(
            "id",
            "accrued_until",
            "form_weight",
            "weighted_min",
            "exposure_id",
            "exposure__accrued_weighted_min",
            "exposure__budget__budget_weighted_min",
        )  # fmt: skip
    )
    if not periods:
        return True
    readings = zone_readings(zone, min(p[1] for p in periods), until)
    updates = []
    for period_id, start, weight, counted, account_id, before, budget in periods:
        added = weighted_minutes(readings, start, until, form_weight=weight)
        if crossed(before, added, budget):
            return False
        updates.append((period_id, start, counted + added, account_id, before, before + added))
    # One statement per table, each row guarded by the figure read above.
    accounts = LotExposure.objects.filter(
        _any(Q(pk=a, accrued_weighted_min=before) for _, _, _, a, before, _ in updates)
    )
    periods_left = ExposurePeriod.objects.filter(
        _any(Q(pk=p, accrued_until=start) for p, start, *_ in updates), closed_at__isnull=True
    )
    try:
        with transaction.atomic():
            if accounts.update(
                accrued_weighted_min=Case(
                    *(When(pk=a, then=Value(after)) for _, _, _, a, _, after in updates)
                )
            ) != len(updates) or periods_left.update(
                weighted_min=Case(*(When(pk=p, then=Value(w)) for p, _, w, *_ in updates)),
                accrued_until=until,
            ) != len(updates):
                raise _Changed
    except _Changed:
        return False
    return True


def _any(conditions: Iterable[Q]) -> Q:
    return reduce(operator.or_, conditions)


class _Changed(Exception):
    """An account or period changed since it was read: roll back, take the locked path."""


def h2s_alarm(*, zone: DryZone, readings: Sequence[Reading], by: Actor = None) -> list[Flag]:
    """Flag every lot open in the zone at the time of an alarming H2S reading: opened at or before
    it, not closed by then. A lot is flagged once per open period."""
    readings = sorted(readings)
    first, last = readings[0][0], readings[-1][0]
    periods = (
        ExposurePeriod.objects.filter(zone=zone, opened_at__lte=last, h2s_flag__isnull=True)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gt=first))
        .select_related("exposure__unit")
        .order_by("id")
    )
    hits = []
    for period in periods:
        hit = next(
            (r for r in readings if period.opened_at <= r[0] and _open_at(period, r[0])), None
        )
        if hit is not None:
            hits.append((period, hit))
    if not hits:
        return []
    flags = flags_raise(flags=[_h2s_flag(zone, period, hit) for period, hit in hits], by=by)
    for (period, hit), flag in zip(hits, flags, strict=True):
        period.h2s_flag = flag
        period.save(update_fields=["h2s_flag"])
        exposure = period.exposure
        exposure_event(
            exposure, ExposureAction.H2S_ALARM, hit[0], by, flag.detail, _spent(exposure)
        )
    return flags


def _spent(account: LotExposure) -> float:
    return LotExposure.objects.values_list("accrued_weighted_min", flat=True).get(pk=account.pk)


def _open_at(period: ExposurePeriod, at: datetime) -> bool:
    return period.closed_at is None or at < period.closed_at


def _h2s_flag(zone: DryZone, period: ExposurePeriod, hit: Reading) -> Flag:
    return flag_new(
        kind=FlagKind.EXPOSURE,
        station=zone.station,
        parameter=H2S,
        unit=period.exposure.unit,
        value=hit[1],
        limit=f"alarm {zone.h2s_alarm_ppm:g} ppm",
        severity=Severity.CRITICAL,
        detail=system_reason(
            "h2s_alarm", zone=zone.code, ppm=f"{hit[1]:g}", at=f"{hit[0]:%Y-%m-%d %H:%M:%S}"
        ),
    )


def after_ingest(*, rows: SampleColumns, raised: list[Flag]) -> None:
    """lines.hooks.AFTER_INGEST: dew-point readings count the open lots of their zone; alarming
    H2S readings flag them."""
    air = [s for s in rows.readings((DEW_POINT, H2S)) if not s.rejected_reason]
    if not air:
        return
    zones = DryZone.objects.filter(station_id__in={s.station_id for s in air})
    for zone in zones.select_related("station"):
        mine = [s for s in air if s.station_id == zone.station_id and s.status_code == 0]
        dew = [s.source_time for s in mine if s.parameter == DEW_POINT and is_usable_value(s.value)]
        if dew:
            # A PLC clock ahead of ours must not count minutes that have not happened yet.
            raised += zone_accrue(zone=zone, until=min(max(dew), timezone.now()))
        alarms = [
            (s.source_time, ppm)
            for s in mine
            if s.parameter == H2S and is_usable_value(ppm := s.value) and ppm >= zone.h2s_alarm_ppm
        ]
        if alarms:
            raised += h2s_alarm(zone=zone, readings=alarms)
