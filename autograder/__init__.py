"""Grading engine of the Introduction to PyTorch kit."""

__version__ = "0.1.0"
