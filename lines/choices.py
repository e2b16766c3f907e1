"""Enumerations of the production domain, with the named groups that rules are written against."""

from django.db import models


class StationKind(models.TextChoices):
    MIXING = "mixing", "Mixing"
    COATING = "coating", "Coating and drying"
    CALENDERING = "calendering", "Calendering"
    SLITTING = "slitting", "Slitting"
    STACKING = "stacking", "Stacking"
    DENSIFICATION = "densification", "Densification (warm isostatic pressing)"
    SEALING = "sealing", "Pouch sealing"
    FORMATION = "formation", "Formation"
    EOL = "eol", "End-of-line grading"
    DRY_ROOM = "dry_room", "Dry-room monitor"


class UnitKind(models.TextChoices):
    MATERIAL_LOT = "material_lot", "Material lot"
    SLURRY_BATCH = "slurry_batch", "Slurry batch"
    ROLL = "roll", "Electrode roll"
    CELL = "cell", "Cell"


class UnitOfMeasure(models.TextChoices):
    KG = "kg", "kilogram"
    M = "m", "metre"
    PCS = "pcs", "pieces"


class UnitStatus(models.TextChoices):
    CREATED = "created", "Created"
    IN_PROCESS = "in_process", "In process"
    ON_HOLD = "on_hold", "On hold"
    RELEASED = "released", "Released"
    CONSUMED = "consumed", "Consumed"
    SCRAPPED = "scrapped", "Scrapped"
    SHIPPED = "shipped", "Shipped"

    @classmethod
    def terminal(cls) -> frozenset[str]:
        """No further operation, consumption or status change is possible from these."""
        return frozenset({cls.CONSUMED, cls.SCRAPPED, cls.SHIPPED})

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
    PASSED = "passed", "Passed"
    FAILED = "failed", "Failed"


class WorkOrderStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    RELEASED = "released", "Released"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    CLOSED = "closed", "Closed"
