"""Ingest: validate and load the contract's input tables, quarantining bad rows."""

from radar.ingest.loader import IngestReport, TableCounts, ingest_directory

__all__ = ["IngestReport", "TableCounts", "ingest_directory"]
