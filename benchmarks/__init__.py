"""Benchmark scripts and the real-data scenario they build (not part of the product)."""
