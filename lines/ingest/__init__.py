"""The telemetry ingest: a batch from the OPC UA bridge -> stored, attributed, judged samples."""

from lines.ingest.batch import IngestReport, batch_ingest
from lines.ingest.columns import SampleColumns

__all__ = ["IngestReport", "SampleColumns", "batch_ingest"]
