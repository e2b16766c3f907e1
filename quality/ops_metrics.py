"""The quality part of the Prometheus exposition (/metrics): counts on the flag and hold tables."""

from django.db.models import Count

from mes.ops.metrics import metric_family, metric_line
from quality.choices import FlagState, HoldState
from quality.models import Flag, Hold


def quality_metrics(out: list[str]) -> None:
    """Flags raised and open, holds in force (registered with mes.ops.metrics in ready())."""
    metric_family(out, "mes_flags_total", "counter", "Flags ever raised, by kind.")
    for row in Flag.objects.values("kind").annotate(n=Count("id")).order_by("kind"):
        out.append(metric_line("mes_flags_total", row["n"], kind=row["kind"]))
    metric_family(out, "mes_flags_open", "gauge", "Flags waiting for a disposition, by severity.")
    open_flags = Flag.objects.filter(state=FlagState.OPEN)
    for row in open_flags.values("severity").annotate(n=Count("id")).order_by("severity"):
        out.append(metric_line("mes_flags_open", row["n"], severity=row["severity"]))
    metric_family(out, "mes_holds_active", "gauge", "Holds in force.")
    out.append(metric_line("mes_holds_active", Hold.objects.filter(state=HoldState.ACTIVE).count()))
