"""Public checks: the ones students run with `make check`."""
