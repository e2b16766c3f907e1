"""Prometheus text exposition (format 0.0.4) of what a plant watches: samples ingested and
rejected, flags opened, active holds, Celery queue lengths, task runtimes, bridge state and spool.

Database figures are counts on small or indexed tables; ingest totals come from the counters
(mes.ops.counters) the workers keep, never from counting the sample table.
"""

import math
from collections.abc import Callable

from django.conf import settings

from mes.ops import counters
from mes.ops.health import bridge_statuses, status_age_s

# Parts other apps add (quality: flags and holds), each appending its families to the lines out;
# registered in their AppConfig.ready(), so mes imports none of them.
METRIC_PARTS: list[Callable[[list[str]], None]] = []


def metric_part_register(part: Callable[[list[str]], None]) -> None:
    if part not in METRIC_PARTS:  # ready() can run more than once in tests
        METRIC_PARTS.append(part)


def metric_line(name: str, value: float, **labels: object) -> str:
    number = "+Inf" if value == math.inf else f"{value:g}"
    if labels:
        inner = ",".join(f'{k}="{_escape(v)}"' for k, v in labels.items())
        return f"{name}{{{inner}}} {number}"
    return f"{name} {number}"


def _escape(value: object) -> str:
    return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def metric_family(out: list[str], name: str, kind: str, help_text: str) -> None:
    out += [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]


def _ingest(out: list[str]) -> None:
    totals = counters.read(
        [
            "ingest_batches",
            "ingest_duplicates",
            *counters.INGEST_FIELDS.values(),
        ]
    )
    for key, help_text in (
        ("ingest_batches", "Telemetry batches stored by the ingest."),
        ("ingest_duplicates", "Redelivered batches recognised and ignored."),
        ("samples_ingested", "Samples stored by the ingest (rejected ones included)."),
        ("samples_rejected", "Samples stored as rejected (bad status, NaN, unknown node, ...)."),
        ("flags", "Flags raised by the ingest's evaluation."),
    ):
        name = f"mes_{key}_total" if key != "flags" else "mes_ingest_flags_total"
        metric_family(out, name, "counter", help_text)
        out.append(metric_line(name, totals[key]))


def _tasks(out: list[str]) -> None:
    from mes.celery import app

    name = "mes_task_runtime_seconds"
    metric_family(
        out, name, "histogram", "Celery task runtimes, from start to finish in the worker."
    )
    for task in sorted(t for t in app.tasks if not t.startswith("celery.")):
        values = counters.read(counters.runtime_names(task))
        if not values[f"task:{task}:count"]:
            continue
        for bound in counters.RUNTIME_BUCKETS:
            out.append(
                metric_line(
                    f"{name}_bucket", values[f"task:{task}:le:{bound}"], task=task, le=bound
                )
            )
        out.append(
            metric_line(f"{name}_bucket", values[f"task:{task}:count"], task=task, le="+Inf")
        )
        out.append(metric_line(f"{name}_count", values[f"task:{task}:count"], task=task))
        out.append(metric_line(f"{name}_sum", values[f"task:{task}:sum_ms"] / 1000, task=task))


def _queues(out: list[str]) -> None:
    if settings.MES_EMBEDDED:
        return
    from mes.celery import app

    metric_family(out, "mes_queue_length", "gauge", "Tasks waiting in each Celery queue on Redis.")
    with app.connection_for_read() as conn:
        # kombu's Redis channel has .client; the StdChannel it is typed as does not declare it.
        client = conn.default_channel.client  # type: ignore[attr-defined]
        # Workers declare their queues (ingest.<line>, ...) as kombu bindings, one key per exchange.
        names = {app.conf.task_default_queue}
        for key in client.scan_iter(match="_kombu.binding.*", count=100):
            for member in client.smembers(key):
                names.add(member.decode(errors="replace").split("\x06\x16")[-1])
        for queue in sorted(names):
            out.append(metric_line("mes_queue_length", client.llen(queue), queue=queue))


def _bridges(out: list[str]) -> None:
    statuses = bridge_statuses()
    for name, kind, help_text, key in (
        (
            "mes_bridge_connected",
            "gauge",
            "1 when the bridge holds an OPC UA session.",
            "connected",
        ),
        ("mes_bridge_subscribed_tags", "gauge", "Monitored items subscribed.", "subscribed_tags"),
        ("mes_bridge_samples_per_second", "gauge", "Samples received per second.", "samples_per_s"),
        ("mes_bridge_spool_depth", "gauge", "Batches waiting in the on-disk spool.", "spool_depth"),
        (
            "mes_bridge_unconfirmed",
            "gauge",
            "Batches handed over, not yet confirmed stored by the ingest.",
            "unconfirmed",
        ),
        (
            "mes_bridge_oldest_unconfirmed_seconds",
            "gauge",
            "Age of the oldest batch the ingest has not confirmed.",
            "oldest_unconfirmed_s",
        ),
        ("mes_bridge_resent_total", "counter", "Batches re-sent unconfirmed.", "batches_resent"),
        ("mes_bridge_samples_total", "counter", "Samples received since start.", "samples_total"),
        ("mes_bridge_reconnects_total", "counter", "Reconnections since start.", "reconnects"),
    ):
        metric_family(out, name, kind, help_text)
        for status in statuses:
            out.append(metric_line(name, float(status.get(key) or 0), bridge=status["name"]))
    metric_family(
        out, "mes_bridge_status_age_seconds", "gauge", "Seconds since the status was written."
    )
    for status in statuses:
        age = status_age_s(status)
        out.append(
            metric_line("mes_bridge_status_age_seconds", round(age, 1), bridge=status["name"])
        )


def exposition() -> str:
    out: list[str] = []
    for part in (_ingest, _tasks, *METRIC_PARTS, _queues, _bridges):
        part(out)
    return "\n".join(out) + "\n"
