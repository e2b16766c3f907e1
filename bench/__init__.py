"""Benchmarks, run by hand: genealogy traces (bench/README.md), SPC (bench/SPC.md)."""
