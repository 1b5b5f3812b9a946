"""Writes for the guide app: `ingest` (reading a file, writing the published rows) and `versions`
(a reading as a draft, corrections, publishing)."""

from .ingest import guide_ingest, guide_parse_file, guide_save
from .versions import (
    VersionError,
    correction_add,
    correction_revert,
    corrections_add,
    version_create_from_file,
    version_effective_data,
    version_publish,
    version_record_reading,
)

__all__ = [
    "VersionError",
    "correction_add",
    "correction_revert",
    "corrections_add",
    "guide_ingest",
    "guide_parse_file",
    "guide_save",
    "version_create_from_file",
    "version_effective_data",
    "version_publish",
    "version_record_reading",
]
