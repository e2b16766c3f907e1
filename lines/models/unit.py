"""Units: everything traceable (material lots, slurry batches, rolls, cells) in one table."""

from django.conf import settings
from django.db import models

from lines.choices import UnitKind, UnitOfMeasure, UnitStatus


class Unit(models.Model):
    """A traceable thing with a barcode `identifier`, a quantity and a status.

    Material lots carry their supplier and supplier lot number; rolls their length in metres (their
    positions are metres from the roll's start); cells are one piece with a serial as identifier.
    `quantity_remaining` falls as children consume the unit; at zero the unit is consumed.
    `current_step` is the next route step to perform (or the one in progress); `station` is where the
    unit is now, or was last worked on.
    """

    identifier = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=20, choices=UnitKind.choices)
    status = models.CharField(max_length=20, choices=UnitStatus.choices, default=UnitStatus.CREATED)
    material = models.ForeignKey(
        "lines.Material", on_delete=models.PROTECT, null=True, blank=True, related_name="lots"
    )
    product = models.ForeignKey(
        "lines.Product", on_delete=models.PROTECT, null=True, blank=True, related_name="units"
    )
    work_order = models.ForeignKey(
        "lines.WorkOrder", on_delete=models.PROTECT, null=True, blank=True, related_name="units"
    )
    supplier = models.CharField(max_length=120, blank=True)
    supplier_lot = models.CharField(max_length=64, blank=True)
    uom = models.CharField(max_length=8, choices=UnitOfMeasure.choices)
    quantity_initial = models.DecimalField(max_digits=14, decimal_places=4)
    quantity_remaining = models.DecimalField(max_digits=14, decimal_places=4)
    route = models.ForeignKey(
        "lines.Route", on_delete=models.PROTECT, null=True, blank=True, related_name="units"
    )
    current_step = models.ForeignKey(
        "lines.RouteStep", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    station = models.ForeignKey(
        "lines.Station", on_delete=models.PROTECT, null=True, blank=True, related_name="units"
    )
    # The status a held unit returns to when its last hold is released (quality holds).
    held_from_status = models.CharField(
        max_length=20, choices=UnitStatus.choices, blank=True, default="", db_default=""
    )
    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        # No index covers status or held_from_status: a hold changes them on tens of thousands of
        # rows, and PostgreSQL updates a row in place (HOT, no index touched) only when none of
        # the indexed columns changes and its page has room (fillfactor, migration 0013).
        indexes = [models.Index(fields=["kind"], name="unit_kind_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=UnitKind.values), name="unit_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=UnitStatus.values), name="unit_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity_initial__gt=0), name="unit_quantity_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity_remaining__gte=0)
                & models.Q(quantity_remaining__lte=models.F("quantity_initial")),
                name="unit_remaining_within_initial",
            ),
        ]

    def __str__(self) -> str:
        return self.identifier


class UnitHistory(models.Model):
    """One row per status change of a unit: who, when, before, after, why. Written by services only."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="history")
    # A BRIN index on PostgreSQL (lines 0022), not a B-tree: rows arrive in time order, and a
    # hold writes 55,000 of them in one statement, each B-tree entry costing it ~1 µs more.
    at = models.DateTimeField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    event = models.CharField(max_length=32)
    status_before = models.CharField(max_length=20, choices=UnitStatus.choices, blank=True)
    status_after = models.CharField(max_length=20, choices=UnitStatus.choices)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["unit", "at", "id"]
        verbose_name_plural = "unit history"

    def __str__(self) -> str:
        return f"{self.unit_id} {self.status_before}->{self.status_after}"
