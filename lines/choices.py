"""Enumerations of the production domain, with the named groups that rules are written against.

Labels the station screen shows (kinds, statuses, results) are translated (lines/locale)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StationKind(models.TextChoices):
    MIXING = "mixing", _("Mixing")
    COATING = "coating", _("Coating and drying")
    CALENDERING = "calendering", _("Calendering")
    SLITTING = "slitting", _("Slitting")
    STACKING = "stacking", _("Stacking")
    DENSIFICATION = "densification", _("Densification (warm isostatic pressing)")
    SEALING = "sealing", _("Pouch sealing")
    FORMATION = "formation", _("Formation")
    EOL = "eol", _("End-of-line grading")
    DRY_ROOM = "dry_room", _("Dry-room monitor")


class UnitKind(models.TextChoices):
    MATERIAL_LOT = "material_lot", _("Material lot")
    SLURRY_BATCH = "slurry_batch", _("Slurry batch")
    ROLL = "roll", _("Electrode roll")
    CELL = "cell", _("Cell")


class UnitOfMeasure(models.TextChoices):
    KG = "kg", "kilogram"
    M = "m", "metre"
    PCS = "pcs", "pieces"


class UnitStatus(models.TextChoices):
    CREATED = "created", _("Created")
    IN_PROCESS = "in_process", _("In process")
    ON_HOLD = "on_hold", _("On hold")
    RELEASED = "released", _("Released")
    CONSUMED = "consumed", _("Consumed")
    SCRAPPED = "scrapped", _("Scrapped")
    SHIPPED = "shipped", _("Shipped")

    @classmethod
    def terminal(cls) -> frozenset[str]:
        """No further operation, consumption or status change is possible from these."""
        return frozenset({cls.CONSUMED, cls.SCRAPPED, cls.SHIPPED})

    @classmethod
    def unworkable(cls) -> frozenset[str]:
        """Held or finished: no operation starts or completes (refuse_unless_workable)."""
        return frozenset({cls.ON_HOLD}) | cls.terminal()

    @classmethod
    def holdable(cls) -> frozenset[str]:
        """A hold stops units in these; consumed, scrapped and shipped ones keep their status."""
        return frozenset({cls.CREATED, cls.IN_PROCESS, cls.RELEASED})

    @classmethod
    def consumable(cls) -> frozenset[str]:
        """A parent in one of these may give material to a child unit."""
        return frozenset({cls.CREATED, cls.IN_PROCESS, cls.RELEASED})


class MaterialCategory(models.TextChoices):
    CATHODE_ACTIVE = "cathode_active", "Cathode active material"
    SOLID_ELECTROLYTE = "solid_electrolyte", "Solid electrolyte"
    CONDUCTIVE_ADDITIVE = "conductive_additive", "Conductive additive"
    BINDER = "binder", "Binder"
    SOLVENT = "solvent", "Solvent"
    CURRENT_COLLECTOR = "current_collector", "Current collector foil"
    ANODE = "anode", "Anode material"
    PACKAGING = "packaging", "Pouch film and tabs"


class OperationResult(models.TextChoices):
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")


class WorkOrderStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    RELEASED = "released", "Released"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    CLOSED = "closed", "Closed"
