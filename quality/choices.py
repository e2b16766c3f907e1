"""Enumerations of the quality domain."""

from django.db import models


class Severity(models.TextChoices):
    MINOR = "minor", "Minor"
    MAJOR = "major", "Major"
    CRITICAL = "critical", "Critical"


class FlagKind(models.TextChoices):
    OUT_OF_SPEC = "out_of_spec", "Out of spec"
    DATA_QUALITY = "data_quality", "Data quality (NaN, bad status, unreadable)"
    SPC_RULE = "spc_rule", "SPC rule violation"
    MISSING_MEASUREMENT = "missing_measurement", "Missing required measurement"
    EXPOSURE = "exposure", "Moisture exposure (budget spent, H2S alarm)"


class FlagState(models.TextChoices):
    OPEN = "open", "Open"
    DISPOSITIONED = "dispositioned", "Dispositioned"


class HoldState(models.TextChoices):
    ACTIVE = "active", "Active"
    RELEASED = "released", "Released"


class Decision(models.TextChoices):
    RELEASE = "release", "Release"
    REWORK = "rework", "Rework"
    SCRAP = "scrap", "Scrap"
    USE_AS_IS = "use_as_is", "Use as is"


class NcrState(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class ExposureForm(models.TextChoices):
    """How much of a moisture-sensitive lot's surface meets the air (weights per budget)."""

    POWDER = "powder", "Powder or bare foil (whole surface open)"
    SLURRY = "slurry", "Slurry (particles wetted by solvent)"
    LAMINATED = "laminated", "Laminated or coated (electrode, laminated foil)"
    SEALED = "sealed", "Sealed (vacuum bag, pouch)"


class ExposureAction(models.TextChoices):
    """What happened to a lot's exposure: an operator scan, or a threshold the accrual crossed."""

    STARTED = "started", "Tracking started"
    OPENED = "opened", "Container opened"
    CLOSED = "closed", "Container closed"
    MOVED = "moved", "Moved to another zone"
    FORM_CHANGED = "form_changed", "Form changed"
    WARNING = "warning", "Warning: 80 % of the budget spent"
    EXHAUSTED = "exhausted", "Budget spent: lot held"
    H2S_ALARM = "h2s_alarm", "H2S alarm in the zone while open"
