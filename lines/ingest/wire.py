"""The batch as the bridge sends it and the ingest reads it (docs/telemetry.md, "The batch"): its
samples as one list per field, `columns`; from an earlier bridge's spool, one object per sample,
`samples`. Both sides and the bench use this module, so the layout is written down once."""

from typing import Any

Batch = dict[str, Any]
SAMPLE_FIELDS = ("node_id", "value", "source_time", "server_time", "status")
ABSENT = {"node_id": "", "status": 0}  # a field a batch leaves out; the others are null


def columns_of(samples: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """Sample objects (each with every SAMPLE_FIELD) as a batch's `columns`."""
    return {name: [sample[name] for sample in samples] for name in SAMPLE_FIELDS}


def sample_count(batch: Batch) -> int:
    """Values in a batch, whichever form it carries them in."""
    columns = batch.get("columns")
    return len(columns["node_id"]) if columns else len(batch.get("samples") or ())


def samples_of(batch: Batch) -> list[dict[str, Any]]:
    """A batch's samples as objects, whichever form it carries them in."""
    columns = batch.get("columns")
    if columns is None:
        return list(batch.get("samples") or ())
    fields = [
        columns.get(name, [ABSENT.get(name)] * len(columns["node_id"])) for name in SAMPLE_FIELDS
    ]
    return [dict(zip(SAMPLE_FIELDS, values, strict=True)) for values in zip(*fields, strict=True)]
