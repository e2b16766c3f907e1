"""The physical plant: lines, their stations and the equipment at each station."""

from django.db import models

from lines.choices import StationKind
from lines.models.local_name import LocalName


class Line(LocalName):
    """A production line (for example the solid-state pouch-cell pilot line in dry room 1)."""

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=120)
    site = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Station(LocalName):
    """A place on a line where a step is done to a unit, identified by a short code (`COAT-01`).

    Its kind says which route steps it can perform; a dry-room monitor performs none.
    """

    line = models.ForeignKey(Line, on_delete=models.PROTECT, related_name="stations")
    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=StationKind.choices)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=StationKind.values), name="station_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.code


class Equipment(models.Model):
    """A machine at a station (the coater, its beta gauge, the stacker), with its nameplate data."""

    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="equipment")
    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=120)
    manufacturer = models.CharField(max_length=120, blank=True)
    model_number = models.CharField(max_length=120, blank=True)
    serial_number = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "equipment"

    def __str__(self) -> str:
        return self.code
