"""The real-data matching scenario: built from ../shared/data, trained, listed by the
batch, measured (benchmarks/matching_scenario.py and tests/realdata)."""
