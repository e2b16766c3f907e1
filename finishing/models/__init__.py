"""Models of cell finishing: EOL grading schemes and grades, battery passport profiles."""

from finishing.models.grading import CellGrade, GradingScheme
from finishing.models.passport import PassportProfile

__all__ = ["CellGrade", "GradingScheme", "PassportProfile"]
