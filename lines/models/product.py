"""What is made and how: materials, products, recipes, routes with ordered steps, work orders."""

from django.db import models
from django.db.models import OuterRef, Subquery

from lines.choices import MaterialCategory, StationKind, UnitKind, UnitOfMeasure, WorkOrderStatus
from lines.models.local_name import LocalName, reads_chinese


class Material(LocalName):
    """A purchased material (NMC811 powder, Li6PS5Cl argyrodite, 12 um Al foil) that lots are of."""

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=120)
    category = models.CharField(max_length=24, choices=MaterialCategory.choices)
    uom = models.CharField(max_length=8, choices=UnitOfMeasure.choices)
    moisture_sensitive = models.BooleanField(default=False)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Product(LocalName):
    """A product design: a cell type, or an intermediate such as a cathode electrode."""

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=120)
    unit_kind = models.CharField(max_length=20, choices=UnitKind.choices)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Recipe(models.Model):
    """Set-points for one station kind making one product, versioned (a new version, never an edit).

    `setpoints` maps parameter names to targets with units, e.g. {"web_speed_m_min": 8.0}.
    """

    code = models.CharField(max_length=32)
    version = models.PositiveIntegerField(default=1)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="recipes")
    station_kind = models.CharField(max_length=20, choices=StationKind.choices)
    setpoints = models.JSONField(default=dict, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code", "version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="recipe_code_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"


class Route(LocalName):
    """The ordered steps a unit of a product goes through (the cell route: stack -> ... -> EOL)."""

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=120)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="routes")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    def first_step(self) -> "RouteStep | None":
        return self.steps.order_by("sequence").first()


class RouteStep(LocalName):
    """One step of a route, done at any station of `station_kind`, in `sequence` order."""

    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="steps")
    sequence = models.PositiveIntegerField()
    name = models.CharField(max_length=60)
    station_kind = models.CharField(max_length=20, choices=StationKind.choices)
    recipe = models.ForeignKey(Recipe, on_delete=models.PROTECT, null=True, blank=True)
    # Steps are edited in place in the admin; workers' caches of routes and recipes look here.
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["route", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["route", "sequence"], name="routestep_sequence_unique"),
            models.UniqueConstraint(fields=["route", "name"], name="routestep_name_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.route.code}/{self.sequence} {self.name}"

    @property
    def display_name(self) -> str:
        """A step named for its station kind (the demo's, the seed's) reads as the kind's own
        translated word for a Chinese reader when no name_zh was given."""
        if reads_chinese() and not self.name_zh and self.name in StationKind.values:
            return str(StationKind(self.name).label)
        return super().display_name

    @staticmethod
    def id_after(step: str) -> Subquery:
        """The id of the step after `step` on its route (NULL after the last), as a column of a
        query whose rows have a route step at the path `step`: read in the statement that reads
        the step, not in one of its own."""
        return Subquery(
            RouteStep.objects.filter(
                route_id=OuterRef(f"{step}__route_id"), sequence__gt=OuterRef(f"{step}__sequence")
            )
            .order_by("sequence")
            .values("id")[:1]
        )


class WorkOrder(models.Model):
    """An order to build a quantity of a product along a route; units are created under it."""

    code = models.CharField(max_length=32, unique=True)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="work_orders")
    route = models.ForeignKey(Route, on_delete=models.PROTECT, related_name="work_orders")
    quantity_planned = models.PositiveIntegerField()
    status = models.CharField(
        max_length=20, choices=WorkOrderStatus.choices, default=WorkOrderStatus.RELEASED
    )
    due_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.code
