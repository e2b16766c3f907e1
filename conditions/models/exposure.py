"""Moisture exposure budgets of sensitive lots: budgets, dry-room zones, each lot's account, its
open periods and its history (docs/solid-state.md)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from quality.choices import ExposureAction, ExposureForm


class ExposureBudget(models.Model):
    """How many dew-point-weighted minutes a lot of a material (or of a made product, such as a
    dried electrode roll) may spend open, and how much each form of it counts.

    A minute open at the reference dew point (-40 degC) as powder counts 1; conditions.exposure
    defines the dew-point weight, the form weights here scale it.
    """

    material = models.OneToOneField(
        "lines.Material", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    product = models.OneToOneField(
        "lines.Product", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    budget_weighted_min = models.FloatField()
    powder_weight = models.FloatField(default=1.0)
    slurry_weight = models.FloatField(default=0.05)
    laminated_weight = models.FloatField(default=0.2)
    sealed_weight = models.FloatField(default=0.0)
    default_form = models.CharField(
        max_length=10, choices=ExposureForm.choices, default=ExposureForm.POWDER
    )
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        db_table = "quality_exposurebudget"  # the table it had in quality/ (moved, not copied)
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(material__isnull=False, product__isnull=True)
                | Q(material__isnull=True, product__isnull=False),
                name="exposurebudget_material_xor_product",
            ),
            models.CheckConstraint(
                condition=Q(budget_weighted_min__gt=0), name="exposurebudget_positive"
            ),
            models.CheckConstraint(
                condition=Q(powder_weight__gte=0)
                & Q(slurry_weight__gte=0)
                & Q(laminated_weight__gte=0)
                & Q(sealed_weight__gte=0),
                name="exposurebudget_weights_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"budget {self.budget_weighted_min:g} wmin ({self.material_id or self.product_id})"

    def form_weight(self, form: str) -> float:
        return float(getattr(self, f"{form}_weight"))


class DryZone(models.Model):
    """A zone of the dry room whose air one monitor station measures (dew point, H2S)."""

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=120)
    station = models.OneToOneField(
        "lines.Station", on_delete=models.PROTECT, related_name="dry_zone"
    )
    h2s_alarm_ppm = models.FloatField(default=10.0)

    class Meta:
        db_table = "quality_dryzone"  # the table it had in quality/ (moved, not copied)
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(h2s_alarm_ppm__gt=0), name="dryzone_alarm_positive")
        ]

    def __str__(self) -> str:
        return self.code


class LotExposure(models.Model):
    """A lot's exposure account: where it is, in which form, and the weighted minutes spent.

    `accrued_weighted_min` includes `carried_in_weighted_min` (exposure before the MES tracked the
    lot, declared with a reason). `warned_at` and `hold` are set once, when the account crosses
    80 % and 100 % of the budget.
    """

    unit = models.OneToOneField("lines.Unit", on_delete=models.PROTECT, related_name="exposure")
    budget = models.ForeignKey(ExposureBudget, on_delete=models.PROTECT, related_name="lots")
    zone = models.ForeignKey(DryZone, on_delete=models.PROTECT, null=True, blank=True)
    form = models.CharField(max_length=10, choices=ExposureForm.choices)
    carried_in_weighted_min = models.FloatField(default=0.0)
    accrued_weighted_min = models.FloatField(default=0.0)
    warned_at = models.DateTimeField(null=True, blank=True)
    hold = models.ForeignKey(
        "quality.Hold", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField()

    class Meta:
        db_table = "quality_lotexposure"  # the table it had in quality/ (moved, not copied)
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(accrued_weighted_min__gte=F("carried_in_weighted_min"))
                & Q(carried_in_weighted_min__gte=0),
                name="lotexposure_accrued_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"exposure of {self.unit_id}"


class ExposurePeriod(models.Model):
    """One stretch of time a lot was open in one zone in one form; `weighted_min` is what it cost
    so far, computed up to `accrued_until`. A move or a form change while open starts a new one."""

    exposure = models.ForeignKey(LotExposure, on_delete=models.PROTECT, related_name="periods")
    zone = models.ForeignKey(DryZone, on_delete=models.PROTECT, related_name="periods")
    form = models.CharField(max_length=10, choices=ExposureForm.choices)
    form_weight = models.FloatField()
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    accrued_until = models.DateTimeField()
    weighted_min = models.FloatField(default=0.0)
    h2s_flag = models.ForeignKey(
        "quality.Flag", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        db_table = "quality_exposureperiod"  # the table it had in quality/ (moved, not copied)
        ordering = ["opened_at", "id"]
        indexes = [models.Index(fields=["zone", "opened_at"], name="exposureperiod_zone_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["exposure"],
                condition=Q(closed_at__isnull=True),
                name="exposureperiod_one_open_per_lot",
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=F("opened_at")),
                name="exposureperiod_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.exposure_id} open in {self.zone_id} from {self.opened_at:%H:%M}"


class ExposureEvent(models.Model):
    """The lot's exposure history: scans (who, where, in which form) and thresholds crossed."""

    exposure = models.ForeignKey(LotExposure, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField()
    action = models.CharField(max_length=16, choices=ExposureAction.choices)
    zone = models.ForeignKey(DryZone, on_delete=models.PROTECT, null=True, blank=True)
    form = models.CharField(max_length=10, choices=ExposureForm.choices)
    total_weighted_min = models.FloatField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    detail = models.CharField(max_length=200, blank=True)

    class Meta:
        db_table = "quality_exposureevent"  # the table it had in quality/ (moved, not copied)
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.exposure_id} {self.action} at {self.at:%H:%M}"
