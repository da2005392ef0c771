"""The service: one store served with one model (today `RadarService`), and what a
caller asks of it beyond one host's list."""
