"""Genealogy: which parent unit gave how much (and which metres) to which child unit."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class GenealogyEdge(models.Model):
    """Parent -> child: the child consumed `quantity` of the parent, in the parent's unit of measure.

    For a roll parent, `position_from_m`..`position_to_m` are the metres of the roll that were used
    (sheets cut for a cell, or the lane of a slit). The edges form a DAG; services reject cycles.
    """

    # No single-column FK indexes: the two composite indexes below lead with each column.
    parent = models.ForeignKey(
        "lines.Unit", on_delete=models.PROTECT, related_name="child_edges", db_index=False
    )
    child = models.ForeignKey(
        "lines.Unit", on_delete=models.PROTECT, related_name="parent_edges", db_index=False
    )
    quantity = models.DecimalField(max_digits=14, decimal_places=4)
    position_from_m = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    position_to_m = models.DecimalField(max_digits=10, decimal_places=3, null=True, blank=True)
    operation = models.ForeignKey(
        "lines.Operation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        # The trace CTEs walk these two. A forward trace reaches tens of thousands of edges, so on
        # PostgreSQL its index also carries the edge's columns and the walk never reads the heap
        # (SQLite builds it without them: models.W040 is silenced in settings for that reason).
        indexes = [
            models.Index(
                fields=["parent", "child"],
                name="edge_parent_child_idx",
                include=[
                    "id",
                    "quantity",
                    "position_from_m",
                    "position_to_m",
                    "operation",
                    "created_at",
                ],
            ),
            models.Index(fields=["child", "parent"], name="edge_child_parent_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=F("child")), name="edge_not_self"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="edge_quantity_positive"),
            models.CheckConstraint(
                condition=Q(position_from_m__isnull=True, position_to_m__isnull=True)
                | Q(position_from_m__gte=0, position_to_m__gt=F("position_from_m")),
                name="edge_position_range_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.parent_id}->{self.child_id}"
