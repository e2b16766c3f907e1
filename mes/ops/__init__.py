"""Running the MES: health checks, Prometheus metrics, structured logs (docs/operations.md)."""
