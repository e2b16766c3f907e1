"""Benchmarks, run by hand: genealogy traces (bench/README.md), SPC (bench/SPC.md)."""

import os

# Benchmarks run with the development settings, as `make bench-genealogy` does (DEBUG is off when
# unset, and then the settings want a SECRET_KEY).
os.environ.setdefault("DEBUG", "1")
