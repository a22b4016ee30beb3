"""A small correct submission."""
