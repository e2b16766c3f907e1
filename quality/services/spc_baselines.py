"""Setting a chart's SPC baseline: a quality engineer's signed choice of the in-control period."""

from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lines.models import Station
from mes.errors import InvalidInput, RuleViolation
from quality import spc
from quality.models import SpcBaseline
from quality.selectors.spc import spc_series
from quality.selectors.spc_baselines import spc_baseline_current
from quality.services.audit import audit_record, snapshot
from quality.services.signatures import signer_check
from quality.spc_refusals import spc_refusal

MIN_BASELINE_READINGS = 20  # the usual Phase I minimum: fewer give limits that wander
BASELINE_FIELDS = (
    "station",
    "parameter",
    "version",
    "period_from",
    "period_to",
    "readings",
    "center",
    "sigma",
    "set_by",
    "set_at",
    "reason",
)


@transaction.atomic
def spc_baseline_set(
    *,
    station: Station,
    parameter: str,
    period_from: datetime,
    period_to: datetime,
    replaces: int | None,
    user: User,
    password: str,
    reason: str,
) -> SpcBaseline:
    """Fix the chart's control limits from the readings of [period_from, period_to].

    `replaces` is the baseline version the engineer saw (None: there was none). Two engineers
    setting a baseline at once are serialised by the station's row lock (SQLite: the IMMEDIATE
    transaction); the second then finds that the version it meant to replace is gone and is
    refused, so nobody replaces limits they have not seen. Refusals write nothing.
    """
    signer = signer_check(user=user, password=password, reason=reason)
    if period_from >= period_to:
        raise InvalidInput(_("The baseline period must end after it starts."), field="period_to")
    Station.objects.select_for_update().filter(pk=station.pk).first()
    current = spc_baseline_current(station=station, parameter=parameter)
    if (current.version if current else None) != replaces:
        raise RuleViolation(
            _(
                "The baseline of %(parameter)s at %(station)s was changed meanwhile (now "
                "version %(version)s); look at the new limits before replacing them."
            )
            % {
                "parameter": parameter,
                "station": station.code,
                "version": current.version if current else "—",
            },
            code="baseline_changed",
        )
    center, sigma, count = _phase_one(station, parameter, period_from, period_to)
    baseline = SpcBaseline.objects.create(
        station=station,
        parameter=parameter,
        version=(current.version + 1) if current else 1,
        period_from=period_from,
        period_to=period_to,
        readings=count,
        center=center,
        sigma=sigma,
        set_by=signer.user,
        set_at=timezone.now(),
        reason=signer.reason,
    )
    audit_record(
        by=signer.user,
        entity="spc_baseline",
        entity_id=baseline.pk,
        action="set" if current is None else "replaced",
        before=snapshot(current, BASELINE_FIELDS) if current else None,
        after=snapshot(baseline, BASELINE_FIELDS),
        reason=signer.reason,
    )
    return baseline


def _phase_one(
    station: Station, parameter: str, period_from: datetime, period_to: datetime
) -> tuple[float, float, int]:
    """Centre and sigma (MR-bar / d2) of the period's usable readings."""
    series = spc_series(station=station, parameter=parameter, since=period_from, until=period_to)
    count = len(series.values)
    if count < MIN_BASELINE_READINGS:
        raise InvalidInput(
            _(
                "The period holds %(count)s usable reading(s) of %(parameter)s; a baseline "
                "needs at least %(needed)s."
            )
            % {"count": count, "parameter": parameter, "needed": MIN_BASELINE_READINGS},
            field="period_from",
        )
    try:
        chart = spc.individuals_chart(series.values)
    except ValueError as exc:  # e.g. every reading equal: no spread to set limits from
        raise spc_refusal(exc, station=station, parameter=parameter) from exc
    return chart.limits.center, chart.sigma_within, count
