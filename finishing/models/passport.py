"""What a product's battery passport takes from design and master data, not from production."""

from django.db import models


class PassportProfile(models.Model):
    """Per product: the manufacturer, the chemistry and the rated values a passport states.

    These come from the product's design and the company, not from the line; a blank field is
    reported as missing in the passport, never filled in. `gtin` and `resolver_url` make the
    GS1 Digital Link of the QR code (`<resolver_url>/01/<gtin>/21/<serial>`).
    """

    product = models.OneToOneField(
        "lines.Product", on_delete=models.PROTECT, related_name="passport_profile"
    )
    manufacturer_name = models.CharField(max_length=120, blank=True)
    manufacturer_identifier = models.CharField(max_length=120, blank=True)
    manufacturing_place = models.CharField(max_length=200, blank=True)
    battery_category = models.CharField(max_length=32, blank=True)
    chemistry = models.CharField(max_length=64, blank=True)
    cathode_material = models.CharField(max_length=120, blank=True)
    anode_material = models.CharField(max_length=120, blank=True)
    electrolyte = models.CharField(max_length=120, blank=True)
    rated_capacity_ah = models.FloatField(null=True, blank=True)
    nominal_voltage_v = models.FloatField(null=True, blank=True)
    min_voltage_v = models.FloatField(null=True, blank=True)
    max_voltage_v = models.FloatField(null=True, blank=True)
    gtin = models.CharField(max_length=14, blank=True)
    resolver_url = models.URLField(blank=True)

    class Meta:
        db_table = "quality_passportprofile"  # the table it had in quality/ (moved, not copied)
        ordering = ["product"]

    def __str__(self) -> str:
        return f"passport profile of {self.product_id}"
