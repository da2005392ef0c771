"""Is the radar still working: pure figures (no SQL, no MLflow) with their statuses."""
