"""Turning API responses into bronze Delta rows: validation, quarantine, lineage columns, atomic writes."""
