"""The published guide as a read-only, public API (/api/v1/guides/…)."""
