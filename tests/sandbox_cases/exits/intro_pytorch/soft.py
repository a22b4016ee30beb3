"""Raises SystemExit at import."""

import sys

sys.exit("leaving early")
