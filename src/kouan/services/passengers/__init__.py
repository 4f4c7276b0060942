"""Passengers: flights and cruise calls, person lists and their screening, the watch list."""
