"""Programs the crash tests run as processes of their own (python -m tests.processes.<name>)."""
