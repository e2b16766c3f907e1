"""Quality gates: the specs a route step requires measured and in spec before a unit moves on."""

from django.db import models


class GateRequirement(models.Model):
    """Step `step` is gated on `spec`: the unit needs a good, in-spec measurement of it there."""

    step = models.ForeignKey("lines.RouteStep", on_delete=models.CASCADE, related_name="gate")
    spec = models.ForeignKey("quality.Spec", on_delete=models.PROTECT, related_name="gates")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["step", "spec"], name="gaterequirement_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.step} needs {self.spec}"
