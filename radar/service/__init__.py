"""The service: one store served with one model (`RadarService`), and the jobs the
commands and the API ask of it beyond one host's list (answers, monitoring)."""
