"""EOL grading: the configured scheme (limits, batch-median window, grade bins) and each cell's
grade with the figures it rests on."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from finishing.grading import GradeBin, GradingRules


class GradingScheme(models.Model):
    """How cells of a product are graded at EOL: absolute limits (breaking one rejects), the
    OCV window around the batch median, what the K-value fit needs, the temperature coefficient
    that brings OCV readings to the reference temperature, and the grade bins, best first
    (`grades`: [{"name": "A", "k_max_mv_day": 0.15, "acir_max_mohm": 1.3, "capacity_min_ah": 10.0}]).
    `required_at_eol`: a cell cannot pass its EOL step without a grade other than reject.
    """

    code = models.CharField(max_length=32, unique=True)
    product = models.ForeignKey(
        "lines.Product", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ocv_window_mv = models.FloatField(default=5.0)
    ocv_min_v = models.FloatField(null=True, blank=True)
    ocv_max_v = models.FloatField(null=True, blank=True)
    k_max_mv_day = models.FloatField(null=True, blank=True)
    acir_max_mohm = models.FloatField(null=True, blank=True)
    capacity_min_ah = models.FloatField(null=True, blank=True)
    min_readings = models.PositiveIntegerField(default=3)
    min_span_days = models.FloatField(default=1.0)
    min_batch = models.PositiveIntegerField(default=5)
    temp_coeff_mv_per_c = models.FloatField(default=0.0)
    reference_c = models.FloatField(default=25.0)
    grades = models.JSONField(default=list)
    required_at_eol = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        db_table = "quality_gradingscheme"  # the table it had in quality/ (moved, not copied)
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ocv_window_mv__gt=0), name="gradingscheme_window_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def rules(self) -> GradingRules:
        """The scheme as the pure grading math takes it."""
        return GradingRules(
            ocv_window_mv=self.ocv_window_mv,
            ocv_min_v=self.ocv_min_v,
            ocv_max_v=self.ocv_max_v,
            k_max_mv_day=self.k_max_mv_day,
            acir_max_mohm=self.acir_max_mohm,
            capacity_min_ah=self.capacity_min_ah,
            min_readings=self.min_readings,
            min_span_days=self.min_span_days,
            min_batch=self.min_batch,
            temp_coeff_mv_per_c=self.temp_coeff_mv_per_c,
            reference_c=self.reference_c,
            grades=tuple(GradeBin(**item) for item in self.grades),
        )


class CellGrade(models.Model):
    """A cell's grade from one grading run of its batch, with the figures it was decided on.

    A cell re-tested and graded again gets a new row; its grade is the newest row. Written only
    by finishing.services.grading, which audits each one.
    """

    unit = models.ForeignKey("lines.Unit", on_delete=models.PROTECT, related_name="grades")
    scheme = models.ForeignKey(GradingScheme, on_delete=models.PROTECT, related_name="+")
    batch = models.CharField(max_length=64)
    grade = models.CharField(max_length=16)
    reasons = models.JSONField(default=list, blank=True)
    k_mv_day = models.FloatField(null=True, blank=True)
    k_stderr_mv_day = models.FloatField(null=True, blank=True)
    ocv_v = models.FloatField(null=True, blank=True)  # the last reading, at the reference temp
    ocv_median_v = models.FloatField(null=True, blank=True)
    ocv_deviation_mv = models.FloatField(null=True, blank=True)
    acir_mohm = models.FloatField(null=True, blank=True)
    capacity_ah = models.FloatField(null=True, blank=True)
    readings = models.PositiveIntegerField(default=0)
    aging_days = models.FloatField(default=0.0)
    graded_at = models.DateTimeField()
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        db_table = "quality_cellgrade"  # the table it had in quality/ (moved, not copied)
        ordering = ["-graded_at", "-id"]
        indexes = [
            models.Index(fields=["unit", "graded_at"], name="cellgrade_unit_time_idx"),
            models.Index(fields=["batch"], name="cellgrade_batch_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.grade}"
