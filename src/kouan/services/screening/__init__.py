"""Screening passengers and crew against the border's watch list (names in any script)."""
