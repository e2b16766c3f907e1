"""The telemetry ingest: a batch from the OPC UA bridge -> stored, attributed, judged samples."""

from lines.ingest.batch import IngestReport, batch_ingest

__all__ = ["IngestReport", "batch_ingest"]
