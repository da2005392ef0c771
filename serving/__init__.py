"""Serving: the HTTP API and the weekly batch."""
