"""The OPC UA bridge: an async shell (client.py) around a sync core (mapping, batcher, spool, delivery).

Data flow: tag map (tagmap.py, from the database in a worker thread) -> asyncua subscription
(client.py) -> samples and events (mapping.py) -> batches (batcher.py) -> the forwarder thread
(forwarder.py): the disk spool (spool.py), then Celery task `lines.tasks.ingest_batch`
(delivery.py); a batch leaves the spool when the ingest confirms it (lines/confirm.py). State
goes to MES_VAR_DIR/bridge-status-<name>.json (status.py).
"""
