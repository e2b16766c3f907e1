"""Every state change of cell finishing (EOL grading). Views, tasks and hooks call these only."""

from finishing.services.grading import cells_grade

__all__ = ["cells_grade"]
