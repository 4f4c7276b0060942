"""Kouan (口岸): a single window for a port of entry."""

__version__ = "0.1.0"
