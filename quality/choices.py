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
