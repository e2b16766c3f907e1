"""What a supplier declares about a material lot: element content and recycled content."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class LotDeclaration(models.Model):
    """A supplier's declaration for one material lot, as the certificate of analysis and the
    recycled-content statement give it (EU 2023/1542 Art. 8 asks for recycled cobalt, lithium,
    nickel and lead). The MES records it; it never derives or assumes these figures.

    `mass_kg_per_uom` turns the lot's quantity into mass (1 for a lot counted in kg; kg per metre
    for a foil). `elements_pct` maps an element symbol to its mass % of the material;
    `recycled_pct` maps an element to {"pre_consumer": %, "post_consumer": %} of that element.
    """

    lot = models.OneToOneField("lines.Unit", on_delete=models.PROTECT, related_name="declaration")
    mass_kg_per_uom = models.FloatField()
    elements_pct = models.JSONField(default=dict, blank=True)
    recycled_pct = models.JSONField(default=dict, blank=True)
    document = models.CharField(max_length=200, blank=True)  # certificate number or URL
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["lot"]
        constraints = [
            models.CheckConstraint(
                condition=Q(mass_kg_per_uom__gt=0), name="declaration_mass_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"declaration of {self.lot_id}"
