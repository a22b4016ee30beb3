"""Grading engine of the Introduction to PyTorch kit."""
