"""Trusted probes: functions that import part of a submission, call it and return plain data."""
