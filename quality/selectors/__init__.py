"""Reads of the quality domain."""
