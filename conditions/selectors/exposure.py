"""Reads of lots' exposure accounts, for the API and the admin."""

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from conditions.exposure import HOLD_FRACTION, WARNING_FRACTION
from conditions.models import ExposureEvent, ExposurePeriod, LotExposure
from lines.models import Unit
from mes.errors import NotFound


def lot_exposure_of(*, unit: Unit) -> LotExposure:
    """A lot's exposure account with its periods and history loaded; NotFound if it has none."""
    found = (
        LotExposure.objects.select_related(
            "unit", "budget__material", "budget__product", "zone", "hold"
        )
        .prefetch_related(
            Prefetch("periods", queryset=ExposurePeriod.objects.select_related("zone")),
            Prefetch("events", queryset=ExposureEvent.objects.select_related("zone", "by")),
        )
        .filter(unit=unit)
        .first()
    )
    if found is None:
        raise NotFound(
            _("%(unit)s has no exposure account: scan it opened in its zone first.")
            % {"unit": unit.identifier},
            field="identifier",
        )
    return found


def exposure_state(account: LotExposure) -> str:
    """ok, warning (80 % spent) or exhausted (100 %: the lot was held)."""
    spent = account.accrued_weighted_min / account.budget.budget_weighted_min
    if spent >= HOLD_FRACTION:
        return "exhausted"
    return "warning" if spent >= WARNING_FRACTION else "ok"
