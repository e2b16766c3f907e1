"""Statistical process control: pure functions over numpy arrays, no database.

Control charts (individuals / moving range, X-bar / R), Western Electric rules 1-4 and
Nelson rules 5-8, and capability indices (Cp, Cpk, Pp, Ppk). Callers (ingest tasks, the SPC
API) load the readings, call these, and store or serialise the small dataclasses returned.
"""

from quality.spc.capability import (
    Capability,
    capability,
    sigma_within_individuals,
    sigma_within_subgroups,
)
from quality.spc.charts import individuals_chart, split_subgroups, xbar_r_chart
from quality.spc.constants import SubgroupConstants, subgroup_constants
from quality.spc.limits import Chart, ChartLimits
from quality.spc.rules import (
    ALL_RULES,
    NELSON_RULES,
    RULES,
    WESTERN_ELECTRIC_RULES,
    Rule,
    RuleViolations,
    chart_violations,
    evaluate_rules,
)

__all__ = [
    "ALL_RULES",
    "NELSON_RULES",
    "RULES",
    "WESTERN_ELECTRIC_RULES",
    "Capability",
    "Chart",
    "ChartLimits",
    "Rule",
    "RuleViolations",
    "SubgroupConstants",
    "capability",
    "chart_violations",
    "evaluate_rules",
    "individuals_chart",
    "sigma_within_individuals",
    "sigma_within_subgroups",
    "split_subgroups",
    "subgroup_constants",
    "xbar_r_chart",
]
