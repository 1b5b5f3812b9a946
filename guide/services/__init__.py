"""Writes for the guide app: `ingest` (reading a file, writing the published rows)."""

from .ingest import guide_ingest, guide_parse_file, guide_save

__all__ = ["guide_ingest", "guide_parse_file", "guide_save"]
