"""Offline evaluation: ranking and calibration metrics."""
